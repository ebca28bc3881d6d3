import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * An independent SigV4 verifier for the Bedrock fake, written from the AWS specification with
 * node:crypto so that it cannot share a bug with the smithy signer the gateway uses. It checks a
 * request as the service would: decoded path segments URI-encoded twice, sorted query, the signed
 * headers as received, the hash of the body actually received, the credential scope and the clock.
 */

export interface VerifierCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry it in `x-amz-security-token`. */
  sessionToken?: string;
}

export interface VerifierOptions {
  credentials: VerifierCredentials;
  region: string;
  service: string;
  /** Now, for the clock-skew check; the check is skipped when `maxSkewMs` is Infinity. */
  now?: Date;
  maxSkewMs?: number;
}

export interface ReceivedRequest {
  method: string;
  /** Raw path and query exactly as received on the wire. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer;
}

export type VerifyResult = { ok: true } | { ok: false; status: number; type: string; message: string };

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const AUTH_PATTERN = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

const fail = (type: string, message: string): VerifyResult => ({ ok: false, status: 403, type, message });

/** Verifies the SigV4 `authorization` header of one received request. */
export function verifySigV4(request: ReceivedRequest, options: VerifierOptions): VerifyResult {
  const authorization = single(request.headers.authorization);
  if (!authorization) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const match = AUTH_PATTERN.exec(authorization);
  if (!match) {
    return fail('IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${authorization}`);
  }
  const [, credential, signedHeaderList, signature] = match as unknown as [string, string, string, string];
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (accessKeyId !== options.credentials.accessKeyId) {
    return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  if (terminator !== 'aws4_request' || !date || !/^\d{8}$/.test(date)) {
    return fail('IncompleteSignatureException', `Credential is malformed: ${credential}`);
  }
  if (region !== options.region) return fail('InvalidSignatureException', `Credential should be scoped to a valid region. `);
  if (service !== options.service) {
    return fail('InvalidSignatureException', `Credential should be scoped to correct service: '${options.service}'. `);
  }
  if (options.credentials.sessionToken !== undefined && single(request.headers['x-amz-security-token']) !== options.credentials.sessionToken) {
    return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const amzDate = single(request.headers['x-amz-date']);
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date)) {
    return fail('IncompleteSignatureException', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
  }
  const skewLimit = options.maxSkewMs ?? 5 * 60_000;
  const signedAt = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const now = (options.now ?? new Date()).getTime();
  if (Number.isFinite(skewLimit) && Math.abs(now - signedAt) > skewLimit) {
    return fail('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${isoBasic(new Date(now - skewLimit))} (${isoBasic(new Date(now))} - 5 min.)`);
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) {
    return fail('InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const canonical = canonicalRequest(request, signedHeaders);
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const expected = hmac(signingKey(options.credentials.secretAccessKey, date, region, service), stringToSign).toString('hex');
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return fail('InvalidSignatureException', MISMATCH);
  return { ok: true };
}

/** The canonical request string for a received request (exported for the signer's tests). */
export function canonicalRequest(request: ReceivedRequest, signedHeaders: string[]): string {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const path = rawPath
    .split('/')
    .map((segment) => uriEncode(uriEncode(decodeURIComponent(segment))))
    .join('/');
  const query = rawQuery
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? '' : pair.slice(equals + 1);
      return [uriEncode(decodeQuery(key)), uriEncode(decodeQuery(value))] as const;
    })
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headerLines = signedHeaders.map((name) => {
    const raw = request.headers[name];
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  });
  const payloadHash = sha256Hex(request.body);
  return [request.method, path, query, headerLines.join(''), signedHeaders.join(';'), payloadHash].join('\n');
}

/** RFC 3986 encoding as SigV4 defines it: everything but unreserved characters, uppercase hex. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeQuery(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isoBasic(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

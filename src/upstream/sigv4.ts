import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static AWS credentials (env or config); temporary ones carry a session token. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4SignerOptions {
  region: string;
  /** The signing name, e.g. `bedrock` (not the endpoint prefix `bedrock-runtime`). */
  service: string;
  credentials: AwsCredentials;
  /** Send `x-amz-content-sha256` (the AWS SDK for JavaScript does; default true). */
  applyChecksum?: boolean;
}

export interface SignableRequest {
  method: string;
  /** The exact URL that will be sent; its path must already be percent-encoded as it goes on the wire. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface SigV4Signer {
  /**
   * Returns the request's headers plus `authorization`, `x-amz-date` (and the session token and
   * payload hash headers). `host` is signed as the URL's host but not returned: the HTTP client
   * derives the same value from the URL.
   */
  sign(request: SignableRequest, signingDate?: Date): Promise<Record<string, string>>;
}

/**
 * Creates a SigV4 signer backed by the maintained smithy implementation. The canonical path is the
 * wire path URI-encoded once more (smithy's `uriEscapePath`), which is what every AWS service but
 * S3 expects: a model id sent as `claude-v2%3A0` is signed as `claude-v2%253A0`.
 */
export function createSigV4Signer(options: SigV4SignerOptions): SigV4Signer {
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: options.applyChecksum ?? true,
  });
  return {
    async sign(request, signingDate = new Date()) {
      const url = new URL(request.url);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      headers.host = url.host;
      const signed = await signer.sign(
        {
          method: request.method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: url.pathname,
          query: queryRecord(url.searchParams),
          headers,
          body: request.body,
        },
        { signingDate },
      );
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') out[name] = value;
      return out;
    },
  };
}

/** smithy wants decoded query values, repeated keys as arrays; it does the canonical encoding. */
function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else query[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

import type { ImagePart } from '../../ir/chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { GeminiPart } from './api-types.js';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

/**
 * An IR image as a Gemini part: base64 data and data: URLs travel inline (`inlineData`); any other
 * URL goes by reference (`fileData.fileUri`), which Gemini fetches itself: Files API URIs, public
 * http(s) URLs and signed storage URLs (models before 2.5 accept only Files API / GCS URIs).
 * Throws `invalid_request` naming `param` for an image with neither data nor a usable URL.
 */
export function toMediaPart(image: ImagePart, param: string): GeminiPart {
  if (image.data) return { inlineData: { mimeType: image.mediaType ?? 'image/jpeg', data: image.data } };
  const url = image.url?.trim();
  if (!url) throw new GatewayError('invalid_request', `${param}: image has neither data nor url`, { param });
  if (url.startsWith('data:')) return { inlineData: fromDataUrl(url, image.mediaType, param) };
  return { fileData: { mimeType: image.mediaType ?? guessMimeType(url), fileUri: url } };
}

function fromDataUrl(url: string, mediaType: string | undefined, param: string): { mimeType: string; data: string } {
  const match = DATA_URL.exec(url);
  if (!match) throw new GatewayError('invalid_request', `${param}: malformed data: URL`, { param });
  const [, declaredType = '', parameters = '', payload = ''] = match;
  const mimeType = declaredType || mediaType || 'image/jpeg';
  if (/;base64$/i.test(parameters)) return { mimeType, data: payload.replace(/\s+/g, '') };
  try {
    return { mimeType, data: Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64') };
  } catch {
    throw new GatewayError('invalid_request', `${param}: malformed data: URL`, { param });
  }
}

function guessMimeType(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a URL the WHATWG parser takes (e.g. an odd scheme): look at the text as given.
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) || 'image/jpeg';
}

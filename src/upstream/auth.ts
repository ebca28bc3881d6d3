/** Header sets for the simple credential schemes; SigV4 lives in ./sigv4.ts. */

export function bearerAuth(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

export function headerAuth(name: string, apiKey: string | undefined): Record<string, string> {
  return apiKey ? { [name]: apiKey } : {};
}

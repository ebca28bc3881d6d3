import { scanJwts } from './jwt.js';
import { scanNamedSecrets } from './named-secret.js';
import { PEM_MAX_LENGTH, scanPrivateKeys } from './pem.js';
import { scanProviderKeys } from './provider-keys.js';
import type { EntityScanner } from './scanner.js';
import { scanUrlCredentials } from './url-credential.js';

/**
 * The longest token reported (provider key, JWT, named secret); longer ones are reported cut to
 * it. Real keys are under 250 characters and JWTs mostly under 1,500.
 */
export const TOKEN_MAX_LENGTH = 2048;

/** Provider keys, JWTs, PEM private key blocks, passwords in URLs, and high-entropy values of key-like names. */
export const apiKeyScanner: EntityScanner = {
  maxLength: Math.max(PEM_MAX_LENGTH, TOKEN_MAX_LENGTH),
  scan(text, emit) {
    scanProviderKeys(text, emit, TOKEN_MAX_LENGTH);
    scanJwts(text, emit, TOKEN_MAX_LENGTH);
    scanPrivateKeys(text, emit);
    scanNamedSecrets(text, emit, TOKEN_MAX_LENGTH);
    scanUrlCredentials(text, emit);
  },
};

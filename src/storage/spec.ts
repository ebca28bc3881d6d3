import { isAbsolute, resolve } from 'node:path';

// No database driver is imported here: config validation and the start path read this module,
// and the drivers (with Kysely's hundreds of modules) load only when the storage opens.

export type StorageSpec =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | { kind: 'postgres'; url: string };

/**
 * Reads `storage:`: `memory`, `sqlite:PATH` (relative paths against `baseDir`: the config file's
 * folder, or the working directory for the quick start), or a `postgres://` / `postgresql://` URL.
 */
export function parseStorage(value: string, baseDir: string): StorageSpec | { error: string } {
  if (value === 'memory' || value === 'sqlite::memory:') return { kind: 'memory' };
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) return { kind: 'postgres', url: value };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return { error: 'sqlite: needs a file path, e.g. sqlite:.switchyard/switchyard.db' };
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  return { error: `unknown storage "${value}": use memory, sqlite:PATH or postgres://user:pass@host:5432/db` };
}

/** Where the storage lives, with any password left out (for logs and /health/ready). */
export function describeStorage(spec: StorageSpec): string {
  if (spec.kind === 'memory') return 'memory';
  if (spec.kind === 'sqlite') return `sqlite:${spec.path}`;
  try {
    const url = new URL(spec.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres';
  }
}


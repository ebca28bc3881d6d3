// Records the SQL (and parameters) that SqlStorage sends, so the benchmark can EXPLAIN exactly the
// statements /admin/logs and /admin/usage run, without copying the query code.
import Sqlite from 'better-sqlite3';
import pg from 'pg';

export interface Captured {
  sql: string;
  params: unknown[];
}

let recording: Captured[] | undefined;

/** Runs `fn` and returns the statements it sent through better-sqlite3 or pg (with its result). */
export async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; statements: Captured[] }> {
  recording = [];
  try {
    const result = await fn();
    return { result, statements: recording };
  } finally {
    recording = undefined;
  }
}

let installed = false;

/** Wraps the drivers' query entry points; a no-op branch when nothing is recording. */
export function installCapture(): void {
  if (installed) return;
  installed = true;
  const probe = new Sqlite(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['all', 'get', 'run', 'iterate'] as const) {
    const original = statementProto[method]!;
    statementProto[method] = function (this: { source: string }, ...args: unknown[]) {
      if (recording) recording.push({ sql: this.source, params: args.length === 1 && Array.isArray(args[0]) ? args[0] : args });
      return original.apply(this, args);
    };
  }
  const clientProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const originalQuery = clientProto.query;
  clientProto.query = function (this: unknown, ...args: unknown[]) {
    if (recording && typeof args[0] === 'string') recording.push({ sql: args[0], params: Array.isArray(args[1]) ? args[1] : [] });
    return originalQuery.apply(this, args);
  };
}

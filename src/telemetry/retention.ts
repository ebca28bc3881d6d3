import type { StorageHandle } from '../storage/handle.js';
import type { Logger } from './logger.js';
import { PeriodicJob } from './periodic-job.js';

const DAY_MS = 24 * 3_600_000;
/** Rows per DELETE: short transactions, so writers and readers never wait long on a lock. */
const PRUNE_BATCH = 5_000;
/** Pause between batches, so pruning a large backlog yields to the log writer and admin queries. */
const PAUSE_MS = 50;

export interface RetentionOptions {
  /** `logging.retention_days` in force now (read at each run, so a reload applies). */
  retentionDays(): number;
  intervalMs?: number;
  firstRunMs?: number;
}

/**
 * Deletes request log rows older than `logging.retention_days`, in small batches: soon after start
 * and then every hour. Several instances pruning the same database is harmless (deletes are idempotent).
 */
export class RetentionPruner extends PeriodicJob {
  constructor(storage: StorageHandle, logger: Logger, options: RetentionOptions) {
    super(logger, (now, stopped) => prune(storage, logger, options.retentionDays(), now, stopped), {
      firstRunMs: options.firstRunMs ?? 60_000,
      intervalMs: options.intervalMs ?? 3_600_000,
      failure: 'request log pruning failed; retrying at the next run',
    });
  }
}

/** Deletes what is older than the retention, batch after batch; resolves with the number of requests deleted. */
async function prune(storage: StorageHandle, logger: Logger, retentionDays: number, now: number, stopped: () => boolean): Promise<number> {
  const before = now - retentionDays * DAY_MS;
  let total = 0;
  for (;;) {
    if (stopped()) break;
    const deleted = await storage.get().pruneRequests(before, PRUNE_BATCH);
    total += deleted;
    if (deleted < PRUNE_BATCH) break;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  if (total > 0) logger.info({ deleted: total, before: new Date(before).toISOString() }, 'pruned request log');
  return total;
}

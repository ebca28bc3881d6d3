import type { StorageHandle } from '../storage/handle.js';
import type { Logger } from './logger.js';
import { PeriodicJob } from './periodic-job.js';

const HOUR_MS = 3_600_000;
/**
 * Hours per storage call: a backlog (an upgrade over an old log) is worked off an hour at a time,
 * ~0.3 s each at 14k requests an hour on SQLite, so log writes queued behind it wait no longer.
 */
const HOURS_PER_STEP = 1;
/** Pause between steps, so a backlog yields to the log writer and admin queries. */
const PAUSE_MS = 50;

export interface UsageRollupOptions {
  intervalMs?: number;
  firstRunMs?: number;
}

/**
 * Keeps the hourly usage rollup (storage/usage.ts) up to date: every minute, the hours that have
 * closed and got rows since their last rollup are summed. /admin/usage is right without it (what is
 * not rolled up is read raw), only slower. Several instances running it is safe: each hour is
 * claimed with a lock on PostgreSQL, and SQLite has one writer.
 */
export class UsageRollupJob extends PeriodicJob {
  constructor(storage: StorageHandle, logger: Logger, options: UsageRollupOptions = {}) {
    super(logger, (now, stopped) => rollup(storage, logger, now, stopped), {
      firstRunMs: options.firstRunMs ?? 5_000,
      intervalMs: options.intervalMs ?? 60_000,
      failure: 'usage rollup failed; retrying at the next run',
    });
  }
}

/** Rolls up every closed dirty hour, one per step; resolves with how many hours were rolled up. */
async function rollup(storage: StorageHandle, logger: Logger, now: number, stopped: () => boolean): Promise<number> {
  const currentHour = now - (now % HOUR_MS);
  let total = 0;
  for (;;) {
    if (stopped()) break;
    const rolled = await storage.get().rollupUsage(currentHour, HOURS_PER_STEP);
    total += rolled;
    if (rolled < HOURS_PER_STEP) break;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  if (total > 0) logger.debug({ hours: total }, 'usage rolled up');
  return total;
}

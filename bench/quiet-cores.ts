// On a shared machine other processes come and go; measuring while they run on the bench's
// cores skews every number. Before a cell, wait (within a budget) until those cores are idle.
import { setTimeout as sleep } from 'node:timers/promises';
import { readCoreBusyMs } from './proc-stats.js';

const SAMPLE_MS = 250;

/** Busy share (0..1) of each of `cores` over one short sample, while the bench itself is idle. */
export async function sampleCoreLoad(cores: readonly number[]): Promise<number[]> {
  const before = readCoreBusyMs();
  await sleep(SAMPLE_MS);
  const after = readCoreBusyMs();
  return cores.map((core) => ((after[core] ?? 0) - (before[core] ?? 0)) / SAMPLE_MS);
}

/**
 * Waits until every core in `cores` is below `maxLoad` busy, for at most `budgetMs`. Returns
 * the time waited; the caller deducts it from its overall budget.
 */
export async function waitForQuietCores(cores: readonly number[], maxLoad: number, budgetMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < budgetMs) {
    const loads = await sampleCoreLoad(cores);
    if (loads.every((load) => load <= maxLoad)) break;
  }
  return Date.now() - started;
}

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Plan } from './plan.js';
import { formatProblems, loadConfigFile } from './load.js';
import type { Logger } from '../telemetry/logger.js';

/**
 * Keeps the current Plan and swaps it when the config file changes or on SIGHUP. A config that
 * fails validation is refused with its problems logged; the running plan stays. Requests keep
 * the plan they started with, so a swap never changes a request mid-way.
 */
export class PlanHolder {
  #plan: Plan;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    initial: Plan,
    private readonly logger: Logger,
    private readonly onSwap: (plan: Plan) => void = () => {},
  ) {
    this.#plan = initial;
  }

  get current(): Plan {
    return this.#plan;
  }

  /** Re-reads `path`; returns whether the new config was taken. */
  reload(path: string, reason: string): boolean {
    const result = loadConfigFile(path);
    if (!result.ok) {
      this.logger.error({ reason, problems: result.problems }, `config reload refused, keeping the running config:\n${formatProblems(result.problems)}`);
      return false;
    }
    this.#plan = result.plan;
    this.onSwap(result.plan);
    this.logger.info({ reason, providers: result.plan.providers.size, models: result.plan.models.size }, 'config reloaded');
    return true;
  }

  /** Watches the file's directory (editors replace files by rename) and reloads after a short debounce. */
  watch(path: string): void {
    const file = basename(path);
    this.#watcher = watch(dirname(path), (_event, changed) => {
      if (changed !== null && changed !== file) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.reload(path, 'file changed'), 150);
    });
    this.#watcher.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
  }
}

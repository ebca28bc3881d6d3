import { loadConfigFile } from '../config/load.js';

/**
 * `switchyard check FILE`: validates a config without starting anything. Prints every problem
 * as `path: message` on stderr and returns the exit code (0 valid, 1 invalid).
 */
export function checkConfig(path: string): number {
  const result = loadConfigFile(path);
  if (!result.ok) {
    for (const problem of result.problems) process.stderr.write(`${problem.path}: ${problem.message}\n`);
    process.stderr.write(`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${path}\n`);
    return 1;
  }
  const plan = result.plan;
  process.stdout.write(`${path}: ok (${plan.providers.size} providers, ${plan.models.size} models)\n`);
  return 0;
}

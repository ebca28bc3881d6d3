import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { validateConfigObject, validateConfigText, type ConfigProblem } from './validate.js';
import { compilePlan, type Plan } from './plan.js';
import { quickStartConfig } from './quick-start.js';

export type LoadResult = { ok: true; plan: Plan } | { ok: false; problems: ConfigProblem[] };

/** Reads, validates and compiles a config file. Never throws for a bad file: problems are returned. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}` }] };
  }
  const validated = validateConfigText(text, env);
  if (!validated.ok) return validated;
  return compilePlan(validated.config, resolve(path), env, dirname(resolve(path)));
}

/** The built-in config used when no file is given and ./switchyard.yaml does not exist. */
export function loadQuickStart(env: NodeJS.ProcessEnv = process.env): LoadResult {
  const validated = validateConfigObject(quickStartConfig(env));
  if (!validated.ok) return validated;
  return compilePlan(validated.config, 'built-in quick start', env);
}

/** `--config FILE` if given, else ./switchyard.yaml if present, else undefined (quick start). */
export function resolveConfigPath(explicit: string | undefined, cwd = process.cwd()): string | undefined {
  if (explicit) return resolve(cwd, explicit);
  const local = resolve(cwd, 'switchyard.yaml');
  return existsSync(local) ? local : undefined;
}

/** One line per problem, `path: message`, as `switchyard check` prints them. */
export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n');
}

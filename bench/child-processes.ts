// Starting and stopping the bench's child processes, each pinned to one CPU core with taskset.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

/** True when `taskset` runs and the machine has at least two cores to split between roles. */
export function canPin(cores: number): boolean {
  if (cores < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

/**
 * True when this user may start processes at niceness `level` (negative needs root or
 * CAP_SYS_NICE; `nice` itself only warns and runs the command anyway).
 */
export function canNice(level: number): boolean {
  const probe = spawnSync('nice', ['-n', String(level), 'true'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stderr.trim() === '';
}

/** Where a child runs: the core it is pinned to and its niceness (undefined = inherit). */
export interface Placement {
  core?: number;
  nice?: number;
}

/** Pins every current thread of this process to `core` (the harness itself stays off the proxy's core). */
export function pinSelf(core: number): void {
  spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}

/**
 * Spawns `node <args>` under `nice -n <nice> taskset -c <core>` as placed (nice and taskset exec
 * the next program, so the child's pid is node's pid).
 */
export function spawnNode(
  placement: Placement,
  args: string[],
  options: { cwd?: string; stdio?: StdioOptions } = {},
): ChildProcess {
  const command = [process.execPath, ...args];
  if (placement.core !== undefined) command.unshift('taskset', '-c', String(placement.core));
  if (placement.nice !== undefined) command.unshift('nice', '-n', String(placement.nice));
  return spawn(command[0]!, command.slice(1), { cwd: options.cwd, stdio: options.stdio ?? ['ignore', 'pipe', 'inherit'] });
}

/** Resolves with the first JSON line the child prints on stdout; rejects if it exits first. */
export function firstJsonLine<T>(child: ChildProcess, what: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error(`${what}: no stdout pipe`));
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`${what}: exited with code ${code}`));
    const fail = (error: Error) => {
      clearTimeout(timer);
      lines.close();
      child.off('exit', onExit);
      reject(error);
    };
    child.once('exit', onExit);
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      resolve(JSON.parse(line) as T);
    });
  });
}

/** Sends SIGTERM and waits for exit (SIGKILL after `graceMs`). */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

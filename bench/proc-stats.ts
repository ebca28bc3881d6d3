// Per-process CPU and memory readings from Linux /proc, for processes the bench did not start
// in-process (the proxy under test, the upstream).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * User + system CPU time so far, in milliseconds (utime+stime of /proc/pid/stat): of every thread
 * of `pid`, or of its main thread alone (the JS thread) with `mainThreadOnly`.
 */
export function readCpuMs(pid: number, mainThreadOnly = false): number {
  const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'latin1');
  // The command name (field 2) may contain spaces; fields after its closing paren are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** Peak resident set size (VmHWM) of `pid` since start or the last resetPeakRss, in MiB. */
export function readPeakRssMb(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

/** Current resident set size of `pid`, in MiB. */
export function readRssMb(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

/** Resets `pid`'s VmHWM to its current RSS (writes 5 to clear_refs); false where not permitted. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Busy time of each CPU core so far, in ms (user+nice+system+irq+softirq+steal of /proc/stat),
 * to see CPU use on a core by processes other than the one measured.
 */
export function readCoreBusyMs(): number[] {
  const busy: number[] = [];
  for (const line of readFileSync('/proc/stat', 'latin1').split('\n')) {
    const match = /^cpu(\d+) (.*)$/.exec(line);
    if (!match) continue;
    const [user, nice, system, , , irq, softirq, steal] = match[2]!.split(' ').map(Number);
    busy[Number(match[1])] = ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / clockTicksPerSecond();
  }
  return busy;
}

/**
 * Time the threads of `pid` spent runnable but waiting for a CPU, in ms (second field of
 * /proc/pid/task/N/schedstat): how long other work kept this process off its core.
 */
export function readRunQueueWaitMs(pid: number | 'self'): number {
  let waitNs = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      waitNs += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'latin1').split(' ')[1]);
    } catch {
      // The thread exited between listing and reading.
    }
  }
  return waitNs / 1e6;
}

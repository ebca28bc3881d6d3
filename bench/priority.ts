// Scheduling priority for the bench. With autogroup scheduling (the Linux default for desktop and
// many VM kernels) `nice` only ranks processes inside one session's group, so on a shared machine
// the bench also raises its whole group's weight, and restores it when done.
import { readFileSync, writeFileSync } from 'node:fs';

const AUTOGROUP = '/proc/self/autogroup';

/**
 * Sets this session's autogroup niceness to `nice` where permitted (root / CAP_SYS_NICE) and
 * returns a function restoring the previous value; returns undefined when not possible.
 */
export function raiseGroupPriority(nice: number): (() => void) | undefined {
  let previous: number;
  try {
    const match = / nice (-?\d+)/.exec(readFileSync(AUTOGROUP, 'utf8'));
    if (!match) return undefined;
    previous = Number(match[1]);
    writeFileSync(AUTOGROUP, String(nice));
  } catch {
    return undefined;
  }
  return () => {
    try {
      writeFileSync(AUTOGROUP, String(previous));
    } catch {
      // Nothing more to do: the group ends with the session anyway.
    }
  };
}

// Reads the newest V8 .cpuprofile in a folder and prints the functions with the most self time,
// so a missed target comes with the hot spots to look at.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
}

export interface HotSpot {
  name: string;
  location: string;
  selfShare: number;
}

/** Self-time shares per function (summed over call sites), highest first. */
export function hotSpots(profile: CpuProfile, top: number): HotSpot[] {
  const totals = new Map<string, HotSpot & { hits: number }>();
  let allHits = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    allHits += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const location = url ? `${url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'node_modules/')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${location}`;
    const entry = totals.get(key) ?? { name: functionName || '(anonymous)', location, selfShare: 0, hits: 0 };
    entry.hits += hits;
    totals.set(key, entry);
  }
  return [...totals.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map(({ name, location, hits }) => ({ name, location, selfShare: allHits ? hits / allHits : 0 }));
}

/** Prints the top self-time functions of the newest profile in `dir` (nothing if there is none). */
export function printProfileSummary(dir: string, top = 25): void {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files[0]) {
    console.log(`no .cpuprofile in ${dir} (the gateway must exit normally on SIGTERM to write one)`);
    return;
  }
  const profile = JSON.parse(readFileSync(files[0], 'utf8')) as CpuProfile;
  console.log(`\nGateway CPU profile ${files[0]}: top self time`);
  for (const spot of hotSpots(profile, top)) {
    console.log(`${(spot.selfShare * 100).toFixed(1).padStart(5)}%  ${spot.name}  ${spot.location}`);
  }
}

// `node --import tsx bench/profile-summary.ts <dir>` summarises an existing profile folder.
if (process.argv[1]?.endsWith('profile-summary.ts') && process.argv[2]) printProfileSummary(process.argv[2]);

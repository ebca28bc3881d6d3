// Reads the newest V8 .cpuprofile in a folder and prints where the gateway spends its busy time:
// the functions with the most self time, and the gateway's own functions with the most total
// (inclusive) time, so a missed target comes with the hot spots to look at.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
}

export interface HotSpot {
  name: string;
  location: string;
  /** Share of the busy (non-idle) samples. */
  share: number;
}

const NOT_BUSY = new Set(['(idle)', '(root)']);

function locate(node: ProfileNode): { key: string; name: string; location: string } {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'node_modules/').replace(/.*\/dist\//, 'dist/');
  const location = url ? `${path}:${lineNumber + 1}` : '';
  const name = functionName || '(anonymous)';
  return { key: `${name}@${location}`, name, location };
}

/** Which kind of code a profile location belongs to, for the per-category breakdown. */
export function categoryOf(name: string, location: string): string {
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)') return 'V8 (program)';
  if (location.startsWith('dist/')) return 'gateway code (dist/)';
  if (location.startsWith('node_modules/undici/')) return 'undici';
  if (location.startsWith('node_modules/')) return 'other dependencies';
  if (location.startsWith('node:')) return 'node internals (JS)';
  if (!location) return 'native (syscalls, builtins)';
  return 'other';
}

function rank(totals: Map<string, HotSpot & { hits: number }>, busyHits: number, top: number): HotSpot[] {
  return [...totals.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map(({ name, location, hits }) => ({ name, location, share: busyHits ? hits / busyHits : 0 }));
}

/**
 * Self and inclusive time per function as shares of busy samples; inclusive time is listed only
 * for functions whose location matches `ownCode` (the gateway's dist/ files).
 */
export function hotSpots(
  profile: CpuProfile,
  top: number,
  ownCode = /^dist\//,
): { self: HotSpot[]; inclusive: HotSpot[]; categories: HotSpot[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, HotSpot & { hits: number }>();
  const inclusive = new Map<string, HotSpot & { hits: number }>();
  let busyHits = 0;
  const add = (map: typeof self, node: ProfileNode, hits: number) => {
    const { key, name, location } = locate(node);
    const entry = map.get(key) ?? { name, location, share: 0, hits: 0 };
    entry.hits += hits;
    map.set(key, entry);
  };
  // Depth-first from the root, carrying the set of own functions on the stack so recursion counts once.
  const visit = (node: ProfileNode, onStack: Set<string>): number => {
    let hits = NOT_BUSY.has(node.callFrame.functionName) ? 0 : (node.hitCount ?? 0);
    busyHits += hits;
    if (hits) add(self, node, hits);
    const { key, location } = locate(node);
    const own = ownCode.test(location) && !onStack.has(key);
    if (own) onStack.add(key);
    for (const childId of node.children ?? []) {
      const child = byId.get(childId);
      if (child) hits += visit(child, onStack);
    }
    if (own) {
      onStack.delete(key);
      add(inclusive, node, hits);
    }
    return hits;
  };
  const root = profile.nodes[0];
  if (root) visit(root, new Set());
  const categories = new Map<string, HotSpot & { hits: number }>();
  for (const spot of self.values()) {
    const name = categoryOf(spot.name, spot.location);
    const entry = categories.get(name) ?? { name, location: '', share: 0, hits: 0 };
    entry.hits += spot.hits;
    categories.set(name, entry);
  }
  return {
    self: rank(self, busyHits, top),
    inclusive: rank(inclusive, busyHits, top),
    categories: rank(categories, busyHits, categories.size),
  };
}

/** Prints the hot spots of the newest profile in `dir` (a note if there is none). */
export function printProfileSummary(dir: string, label = 'Gateway', top = 20): void {
  const all = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  // --cpu-prof writes one profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile);
  // the gateway's worker threads (SQLite, tokenizer) exit at about the same time, so pick thread 0.
  const mainThread = all.filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  const files = (mainThread.length > 0 ? mainThread : all)
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files[0]) {
    console.log(`no .cpuprofile in ${dir} (the process must exit normally on SIGTERM to write one)`);
    return;
  }
  const spots = hotSpots(JSON.parse(readFileSync(files[0], 'utf8')) as CpuProfile, top);
  const line = (spot: HotSpot) => `${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.name}  ${spot.location}`;
  console.log(`\n${label} CPU profile ${files[0]} (shares of busy time)\nSelf time by kind of code:`);
  for (const spot of spots.categories) console.log(line(spot));
  console.log('Top self time:');
  for (const spot of spots.self) console.log(line(spot));
  if (spots.inclusive.length === 0) return;
  console.log('Gateway functions by total time (callees included):');
  for (const spot of spots.inclusive) console.log(line(spot));
}

// `node --import tsx bench/profile-summary.ts <dir>` summarises an existing profile folder.
if (process.argv[1]?.endsWith('profile-summary.ts') && process.argv[2]) printProfileSummary(process.argv[2], process.argv[3]);

// Runs every *.test.ts under src/, test/ and bench/ with node's test runner (TypeScript through tsx),
// two files at a time. Pass paths or name fragments to run a subset: `npm test -- gemini`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['src', 'test', 'bench']
  .flatMap((dir) => findTests(dir))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim();
let failed = false;
const stream = run({ files, concurrency: Number(process.env.TEST_CONCURRENCY ?? 2), timeout: 120_000 });
stream.on('test:fail', (event) => {
  if (event.details?.type !== 'suite') failed = true;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  process.exitCode = failed ? 1 : 0;
});

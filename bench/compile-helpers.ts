// Compiles the bench's child-process scripts (upstream, floor, load generator) to plain ESM once
// per run, so those children run on bare `node` like the built gateway does: no tsx loader
// thread or transpiler in their CPU and RSS numbers.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * Transpiles every non-test .ts file in `sourceDir` into `outDir` (kept inside the repo so bare
 * imports such as `undici` resolve from its node_modules). Returns `outDir`.
 */
export function compileBenchScripts(sourceDir: string, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(sourceDir)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts') || name.endsWith('.d.ts')) continue;
    const source = readFileSync(join(sourceDir, name), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: name,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    writeFileSync(join(outDir, name.replace(/\.ts$/, '.js')), outputText);
  }
  return outDir;
}

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Framework packages are optional peers: each adapter may name its framework in types only.
 * Transpile every module an adapter reaches (as tsup does) and collect the packages the
 * emitted JavaScript imports at runtime: there must be none.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

function runtimeImports(entry: string): { files: string[]; packages: string[]; builtins: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      fileName: file,
    });
    for (const { fileName: spec } of ts.preProcessFile(outputText, true, true).importedFiles) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (spec.startsWith('node:')) builtins.add(spec);
      else packages.add(spec);
    }
  };
  visit(join(root, entry));
  return { files: [...seen].map((f) => f.slice(root.length)), packages: [...packages], builtins: [...builtins] };
}

describe('adapters load no framework at runtime', () => {
  it.each([
    'src/http/node/index.ts',
    'src/http/express/index.ts',
    'src/http/fastify/index.ts',
    'src/http/hono/index.ts',
  ])('%s imports no package', (entry) => {
    const { files, packages } = runtimeImports(entry);
    expect(packages).toEqual([]);
    // It does reach the core and the catalog: the walk follows relative imports.
    expect(files).toContain('src/http/core.ts');
    expect(files).toContain('src/catalog/http.ts');
    // And no other adapter: only its own folder and the shared files.
    const own = `${dirname(entry)}/`;
    const shared = ['src/http/core.ts', 'src/http/public.ts', 'src/http/node-body.ts'];
    expect(files.filter((f) => f.startsWith('src/http/') && !shared.includes(f) && !f.startsWith(own))).toEqual([]);
  });

  it('loads no node: module for Hono, which runs on Workers, Deno and Bun too', () => {
    const { files, builtins } = runtimeImports('src/http/hono/index.ts');
    expect(files).toContain('src/http/node-body.ts');
    expect(builtins).toEqual([]);
    // While the node:http adapters do import some: the walk sees them.
    expect(runtimeImports('src/http/express/index.ts').builtins).toContain('node:events');
  });

  it('would notice a value import of a framework', () => {
    const { outputText } = ts.transpileModule("import express from 'express';\nexport const app = express();", {
      compilerOptions: { module: ts.ModuleKind.ESNext },
    });
    expect(ts.preProcessFile(outputText, true, true).importedFiles.map((f) => f.fileName)).toEqual(['express']);
  });
});

// The tree-sitter runtime (web-tree-sitter, WebAssembly) and the grammars tf-lock-check reads with it:
// HCL for .tf/.tfbackend files (hcl.ts) and bash for `run:` scripts, wrapper scripts and Makefile
// recipes (shell.ts). One runtime, loaded once; each grammar is a .wasm file next to the bundle.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TreeSitter from 'web-tree-sitter';
import type { Language, Parser } from 'web-tree-sitter';

// The CommonJS build: the ESM build's `await import('module')` does not survive bundling with ncc (its
// namespace wrapper drops createRequire). The bundler sees the literal require() and inlines the CJS
// build; under plain Node ESM (tests) there is no `require`, so we make one.
const {
  Parser: ParserClass,
  Language: LanguageClass,
} = // eslint-disable-next-line @typescript-eslint/no-require-imports
  (typeof require === 'function' ? require('web-tree-sitter') : createRequire(import.meta.url)('web-tree-sitter')) as typeof TreeSitter;

// Next to the bundle (dist/tf-lock-check/, copied by scripts/build-assets.mjs), else from node_modules.
function wasmPath(file: string, specifier: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const local = join(here, file);
  if (existsSync(local)) return local;
  return createRequire(import.meta.url).resolve(specifier);
}

let runtime: Promise<void> | undefined;

/** A parser for the grammar in `file` (bundled name) / `specifier` (its node_modules path). */
export async function loadParser(file: string, specifier: string): Promise<Parser> {
  runtime ??= (async () => {
    const wasm = wasmPath('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
    // The CJS build reads __dirname, which an ESM bundle does not have; locateFile makes the value moot.
    const g = globalThis as { __dirname?: string };
    g.__dirname ??= dirname(wasm);
    await ParserClass.init({ locateFile: () => wasm });
  })();
  await runtime;
  const lang: Language = await LanguageClass.load(wasmPath(file, specifier));
  const parser = new ParserClass();
  parser.setLanguage(lang);
  return parser;
}

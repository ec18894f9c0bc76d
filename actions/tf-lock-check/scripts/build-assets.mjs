// Copies the WebAssembly files tf-lock-check loads at run time next to its bundle: the tree-sitter
// runtime and the HCL grammar (dist/tf-lock-check/tree-sitter.wasm, tree-sitter-hcl.wasm), plus the
// grammar's licence (its JavaScript is not bundled, so the bundler's licences file does not list it).
// Run after `node scripts/build.mjs --only tf-lock-check` (the bundler replaces dist/tf-lock-check/).
//   node actions/tf-lock-check/scripts/build-assets.mjs [outDir]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const out = resolve(process.argv[2] ?? join(root, 'dist', 'tf-lock-check'));
const require = createRequire(join(here, '..', 'src', 'main.ts'));
mkdirSync(out, { recursive: true });
for (const [name, spec] of [
  ['tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm'],
  ['tree-sitter-hcl.wasm', '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm'],
]) {
  copyFileSync(require.resolve(spec), join(out, name));
  console.log(`build-assets: tf-lock-check ${name} → ${join(out, name).replace(`${root}/`, '')}`);
}
const grammar = dirname(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json'));
const { name, version, license } = JSON.parse(readFileSync(join(grammar, 'package.json'), 'utf8'));
writeFileSync(join(out, 'tree-sitter-hcl.LICENSE.txt'), `${name}@${version} (tree-sitter-hcl.wasm)\n${license}\n${readFileSync(join(grammar, 'LICENSE'), 'utf8').trim()}\n`);

// Copies the WebAssembly files tf-lock-check loads at run time next to its bundle: the tree-sitter
// runtime and the HCL and bash grammars (dist/tf-lock-check/tree-sitter.wasm, tree-sitter-hcl.wasm,
// tree-sitter-bash.wasm), plus the grammars' licences (their JavaScript is not bundled, so the bundler's
// licences file does not list them).
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
  ['tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm'],
]) {
  copyFileSync(require.resolve(spec), join(out, name));
  console.log(`build-assets: tf-lock-check ${name} → ${join(out, name).replace(`${root}/`, '')}`);
}
for (const [file, pkg] of [
  ['tree-sitter-hcl', '@tree-sitter-grammars/tree-sitter-hcl'],
  ['tree-sitter-bash', 'tree-sitter-bash'],
]) {
  const grammar = dirname(require.resolve(`${pkg}/package.json`));
  const { name, version, license } = JSON.parse(readFileSync(join(grammar, 'package.json'), 'utf8'));
  writeFileSync(join(out, `${file}.LICENSE.txt`), `${name}@${version} (${file}.wasm)\n${license}\n${readFileSync(join(grammar, 'LICENSE'), 'utf8').trim()}\n`);
}

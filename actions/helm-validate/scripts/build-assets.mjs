// Copies the data helm-validate needs at run time next to its bundle: dist/helm-validate/schemas/.
// Run after `node scripts/build.mjs --only helm-validate` (the bundler replaces dist/helm-validate/).
//   node actions/helm-validate/scripts/build-assets.mjs [outDir]
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const out = resolve(process.argv[2] ?? join(root, 'dist', 'helm-validate'));
mkdirSync(join(out, 'schemas'), { recursive: true });
copyFileSync(join(here, '..', 'schemas', 'kubernetes.json'), join(out, 'schemas', 'kubernetes.json'));
console.log(`build-assets: helm-validate schemas → ${join(out, 'schemas', 'kubernetes.json').replace(`${root}/`, '')}`);

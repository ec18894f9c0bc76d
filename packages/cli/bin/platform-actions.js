#!/usr/bin/env node
// `platform-actions` command. Installed from npm, it runs the bundle lib/index.js (built when the package
// was packed); in a checkout of the repository, where there is no lib/, tsx runs the TypeScript sources.
import { existsSync, readFileSync } from 'node:fs';

const bundle = new URL('../lib/index.js', import.meta.url);
const packed = existsSync(bundle);

// The Node the package declares (engines); an older one gets one line, not a stack trace from a bundle.
// (A checkout follows the repository's own engines instead.)
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const need = Number(/\d+/.exec(pkg.engines?.node ?? '0')?.[0] ?? 0);
if (packed && Number(process.versions.node.split('.')[0]) < need) {
  process.stderr.write(`platform-actions: needs Node.js ${pkg.engines.node} (this is ${process.version}); install a newer Node.js and run it again\n`);
  process.exit(2);
}

let main;
if (packed) ({ main } = await import(bundle.href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));

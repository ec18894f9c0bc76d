// npm run build [-- --only <name>] [-- --test-only]: bundle actions into dist/ and test actions into .build/.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './bundle.mjs';
import { actionTargets, testActionTargets } from './targets.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const targets = [...(args.includes('--test-only') ? [] : actionTargets()), ...testActionTargets()].filter((t) => !only || t.name === only);
if (only && targets.length === 0) {
  console.error(`build: no action named "${only}" (looked in actions/ and test/actions/)`);
  process.exit(2);
}
for (const t of targets) {
  const started = Date.now();
  bundle(t.entry, t.out, t.actionDir);
  const kb = Math.round(statSync(join(t.out, 'index.js')).size / 1024);
  console.log(`build: ${t.name} → ${t.out.replace(process.cwd() + '/', '')}/index.js (${kb} KiB, ${Date.now() - started} ms)`);
}

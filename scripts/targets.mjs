// What `npm run build` bundles: every actions/<name> (into dist/<name>, committed) and the test-only
// actions under test/actions (into .build/test-actions, never committed).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

// src/index.ts only starts the action (so main() can be imported by tests without running it);
// actions not yet split that way still bundle from src/main.ts.
function entryOf(actionDir) {
  for (const f of ['index.ts', 'main.ts']) if (existsSync(join(actionDir, 'src', f))) return join(actionDir, 'src', f);
  return undefined;
}

function targetsIn(dir, outBase) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(abs, d.name, 'action.yml')) && entryOf(join(abs, d.name)))
    .map((d) => ({ name: d.name, actionDir: join(abs, d.name), entry: entryOf(join(abs, d.name)), out: join(root, outBase, d.name) }));
}

export const actionTargets = () => targetsIn('actions', 'dist');
export const testActionTargets = () => targetsIn('test/actions', '.build/test-actions');

// What `npm run build` bundles: every actions/<name> (into dist/<name>, committed) and the test-only
// actions under test/actions (into .build/test-actions, never committed).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

function targetsIn(dir, outBase) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(abs, d.name, 'action.yml')) && existsSync(join(abs, d.name, 'src', 'main.ts')))
    .map((d) => ({ name: d.name, actionDir: join(abs, d.name), entry: join(abs, d.name, 'src', 'main.ts'), out: join(root, outBase, d.name) }));
}

export const actionTargets = () => targetsIn('actions', 'dist');
export const testActionTargets = () => targetsIn('test/actions', '.build/test-actions');

// Builds dist/helm-validate (bundle and schema asset) before a test runs it, unless the bundle is newer
// than every source it is made from: an edit is never tested against a stale bundle, and test files that
// run one after the other do not each pay for a rebuild.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const bundle = join(root, 'dist', 'helm-validate', 'index.js');
const asset = join(root, 'dist', 'helm-validate', 'schemas', 'kubernetes.json');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function buildAction(): void {
  const sources = [join(root, 'actions/helm-validate/src'), join(root, 'actions/helm-validate/schemas'), join(root, 'packages/kit/src')];
  const fresh =
    existsSync(bundle) && existsSync(asset) && statSync(bundle).mtimeMs > Math.max(...sources.map(newestMtime), statSync(join(root, 'actions/helm-validate/action.yml')).mtimeMs);
  if (!fresh) execFileSync('node', ['scripts/build.mjs', '--only', 'helm-validate'], { cwd: root, stdio: 'pipe', timeout: 300_000 });
}

// Fails when the committed dist/ is not what the current sources build to, and shows the difference.
// Builds into a temporary folder, so a check never changes the working tree.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { bundle } from './bundle.mjs';
import { actionTargets, root } from './targets.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'check-dist-'));
const files = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => relative(dir, join(d.parentPath ?? d.path, d.name)))
        .sort()
    : [];
const problems = [];
try {
  const targets = actionTargets();
  const expected = new Set(targets.map((t) => t.name));
  for (const d of existsSync(join(root, 'dist')) ? readdirSync(join(root, 'dist')) : []) {
    if (!expected.has(d)) problems.push(`dist/${d} has no action in actions/${d}: delete it`);
  }
  for (const t of targets) {
    const fresh = join(tmp, t.name);
    bundle(t.entry, fresh, t.actionDir);
    const committed = join(root, 'dist', t.name);
    const all = new Set([...files(fresh), ...files(committed)]);
    for (const f of all) {
      const a = join(fresh, f);
      const b = join(committed, f);
      if (!existsSync(b)) problems.push(`dist/${t.name}/${f} is missing`);
      else if (!existsSync(a)) problems.push(`dist/${t.name}/${f} is stale (no longer built)`);
      else if (!readFileSync(a).equals(readFileSync(b))) {
        problems.push(`dist/${t.name}/${f} differs from a fresh build`);
        try {
          execFileSync('git', ['diff', '--no-index', '--stat', b, a], { stdio: 'inherit' });
        } catch {
          /* git diff exits 1 on differences */
        }
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`check-dist: dist/ is stale; run \`npm run build\` and commit dist/:\n- ${problems.join('\n- ')}`);
  if (process.env.GITHUB_STEP_SUMMARY) {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(process.env.GITHUB_STEP_SUMMARY, `### dist/ is stale\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
  }
  process.exit(1);
}
console.log('check-dist: dist/ matches a fresh build');

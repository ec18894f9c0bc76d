// What changed since a base ref, as chart-testing decides it: the files that differ between the merge
// base of the base ref and HEAD, and the working tree (`git diff --find-renames --name-only <merge-base>`),
// plus files git does not track yet (a laptop run before the first commit of a new chart). A chart changed
// when a file under its folder did (a vendored subchart belongs to its parent); a chart that uses a
// changed chart through a file:// dependency is validated again too, since what it renders changed, but
// only the changed chart needs a new version. The version on the base ref is read from Chart.yaml there.
import { exec, expectExit, UserError } from '@platform-actions/kit';
import { realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Chart } from './charts.js';
import { parseYaml } from './yaml.js';

const GIT_TIMEOUT_MS = 120_000;
const EOO = '--end-of-options';

async function git(cwd: string, args: string[]) {
  return exec('git', ['-C', cwd, ...args], { env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' }, timeoutMs: GIT_TIMEOUT_MS });
}

export interface BaseRef {
  /** As the input gave it. */
  ref: string;
  /** The commit it names. */
  sha: string;
  /** merge-base(ref, HEAD): changes are counted from here. */
  mergeBase: string;
  /** The repository's top-level folder. */
  root: string;
}

/** Resolves `base-ref` in the workspace's repository; every way it can fail is a configuration error naming the input. */
export async function resolveBase(workspace: string, ref: string): Promise<BaseRef> {
  const top = await git(workspace, ['rev-parse', '--show-toplevel']);
  if (top.exitCode !== 0) throw new UserError(`input "base-ref" needs a git checkout, and ${workspace} is not one (check the code out with actions/checkout first)`);
  const root = top.stdout.trim();
  const sha = await git(root, ['rev-parse', '--verify', '--quiet', EOO, `${ref}^{commit}`]);
  if (sha.exitCode !== 0)
    throw new UserError(
      `input "base-ref" names "${ref}", which is not a commit in this clone; fetch it first (actions/checkout with fetch-depth: 0, or git fetch origin <branch>), or name it as origin/<branch>`,
    );
  const mb = await git(root, ['merge-base', EOO, sha.stdout.trim(), 'HEAD']);
  if (mb.exitCode !== 0 || !mb.stdout.trim())
    throw new UserError(`input "base-ref" names "${ref}", which shares no history with HEAD in this clone (a shallow clone hides it): check out with fetch-depth: 0`);
  return { ref, sha: sha.stdout.trim(), mergeBase: mb.stdout.trim(), root };
}

/** Workspace-relative paths (forward slashes) of every file changed since the merge base, committed or not. */
export async function changedFiles(workspace: string, base: BaseRef): Promise<string[]> {
  const diff = expectExit(await git(base.root, ['diff', '--find-renames', '--name-only', '-z', base.mergeBase, '--']), [0], 'git diff');
  const untracked = expectExit(await git(base.root, ['ls-files', '--others', '--exclude-standard', '-z']), [0], 'git ls-files');
  const ws = realpathSync(workspace);
  const root = realpathSync(base.root);
  return [...new Set([...diff.stdout.split('\0'), ...untracked.stdout.split('\0')].filter(Boolean))]
    .map((p) => relative(ws, resolve(root, p)).split(sep).join('/'))
    .filter((p) => p && !p.startsWith('../'));
}

const under = (dir: string, file: string) => dir === '.' || file === dir || file.startsWith(`${dir}/`);

/**
 * Which charts changed: `own` (files under the chart changed; these need a new version) and `affected`
 * (own, plus charts that use one of them through a file:// dependency; these are validated).
 */
export function changedCharts(charts: readonly Chart[], files: readonly string[]): { own: Set<string>; affected: Set<string> } {
  // A file belongs to the deepest chart folder that holds it.
  const byDepth = [...charts].sort((a, b) => b.rel.length - a.rel.length);
  const own = new Set<string>();
  for (const f of files) {
    const c = byDepth.find((x) => under(x.rel, f));
    if (c) own.add(c.rel);
  }
  const affected = new Set(own);
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const dirOf = new Map(charts.map((c) => [real(c.dir), c.rel]));
  for (let grew = true; grew;) {
    grew = false;
    for (const c of charts) {
      if (affected.has(c.rel)) continue;
      const uses = c.dependencies.some((d) => d.repository?.startsWith('file://') && affected.has(dirOf.get(real(resolve(c.dir, d.repository.slice('file://'.length)))) ?? ''));
      if (uses) {
        affected.add(c.rel);
        grew = true;
      }
    }
  }
  return { own, affected };
}

/** `version` of a chart's Chart.yaml on the base ref; undefined when the chart is new there. */
export async function baseVersion(base: BaseRef, chartDir: string): Promise<string | undefined> {
  const path = relative(realpathSync(base.root), realpathSync(join(chartDir, 'Chart.yaml')))
    .split(sep)
    .join('/');
  const r = await git(base.root, ['show', `${base.sha}:${path}`]);
  if (r.exitCode !== 0) return undefined;
  const v = (parseYaml(r.stdout).value as { version?: unknown } | null)?.version;
  return v === undefined || v === null ? undefined : String(v);
}

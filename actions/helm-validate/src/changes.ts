// What changed since base-ref, decided by the kit's change detection — the plan action's and the CLI's
// `check --changed` — so CI's matrix, a laptop and this action agree on what a change touches: the files
// that differ between merge-base(base-ref, HEAD) and the working tree (untracked files included, a rename
// on both of its sides); a chart changed when a file under its folder did (a vendored subchart belongs to
// its parent), and a chart that uses a changed chart through file:// is validated again, since what it
// renders changed. Only a chart whose own files changed needs a new version, compared with base-ref itself.
import { changeSet, Git, planWork, repoSnapshot, UserError } from '@platform-actions/kit';
import { realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseYaml } from './yaml.js';

export interface BaseRef {
  /** As the input gave it. */
  ref: string;
  /** The commit it names. */
  sha: string;
  /** merge-base(ref, HEAD): changes are counted from here. */
  mergeBase: string;
  /** The repository the workspace is in. */
  git: Git;
}

export interface ChartChanges {
  base: BaseRef;
  /** Workspace-relative folders of the charts whose own files changed: these need a new version. */
  own: Set<string>;
  /** `own`, and the charts that use one of them through file://: these are validated. */
  affected: Set<string>;
}

const FULL_SHA = /^[0-9a-f]{40,64}$/;

/** A base as messages name it: the ref as given, a full commit SHA shortened (`--changed` passes the merge base). */
export const refName = (ref: string): string => (FULL_SHA.test(ref) ? ref.slice(0, 7) : ref);

/** `main (merge base abc1234)`; a commit that is its own merge base is named once. */
export const since = (base: BaseRef): string =>
  FULL_SHA.test(base.ref) && base.mergeBase === base.sha ? refName(base.ref) : `${refName(base.ref)} (merge base ${base.mergeBase.slice(0, 7)})`;

/** Resolves `base-ref` in the workspace's repository; every way it can fail is a configuration error naming the input. */
async function openBase(workspace: string, ref: string): Promise<{ git: Git; sha: string }> {
  const root = await Git.toplevel(workspace);
  if (!root) throw new UserError(`input "base-ref" needs a git checkout, and ${workspace} is not one (check the code out with actions/checkout first)`);
  const git = await Git.open(root);
  const sha = await git.resolveRef(ref);
  if (!sha)
    throw new UserError(
      `input "base-ref" names "${ref}", which is not a commit in this clone; fetch it first (actions/checkout with fetch-depth: 0, or git fetch origin <branch>), or name it as origin/<branch>`,
    );
  return { git, sha };
}

/**
 * Which of `charts` (workspace-relative folders, `Chart.rel`) changed since the merge base of `ref` and
 * HEAD. Dependencies are followed through every chart of the repository, listed or not.
 */
export async function changedCharts(workspace: string, ref: string, charts: readonly string[]): Promise<ChartChanges> {
  const { git, sha } = await openBase(workspace, ref);
  const changes = await changeSet(git, { kind: 'ref', ref: sha, worktree: true });
  // Without a merge base every chart would count as changed, and each would then need a new version.
  if (changes.files === null || !changes.bases?.length)
    throw new UserError(`input "base-ref" names "${ref}", which shares no history with HEAD in this clone (a shallow clone hides it): check out with fetch-depth: 0`);
  const plan = planWork(await repoSnapshot(git, { untracked: true }), changes, { kind: 'charts', paths: [] });
  // The plan names folders from the repository's top; charts are named from the workspace.
  const ws = realpathSync(workspace);
  const top = realpathSync(git.root);
  const rel = (p: string) => relative(ws, resolve(top, p)).split(sep).join('/') || '.';
  const listed = new Set(charts);
  const items = plan.items.map((i) => ({ ...i, rel: rel(i.path) })).filter((i) => listed.has(i.rel));
  return {
    base: { ref, sha, mergeBase: changes.bases[0], git },
    own: new Set(items.filter((i) => i.direct).map((i) => i.rel)),
    affected: new Set(items.map((i) => i.rel)),
  };
}

/** `version` of a chart's Chart.yaml on the base ref; undefined when the chart is new there. */
export async function baseVersion(base: BaseRef, chartDir: string): Promise<string | undefined> {
  const path = relative(realpathSync(base.git.root), realpathSync(join(chartDir, 'Chart.yaml')))
    .split(sep)
    .join('/');
  const text = await base.git.fileAt(base.sha, path);
  if (text === undefined) return undefined;
  const v = (parseYaml(text).value as { version?: unknown } | null)?.version;
  return v === undefined || v === null ? undefined : String(v);
}

// What a local run covers, decided by the kit's change detection — the call the plan action makes in CI:
// Git.open → changeSet → repoSnapshot → planWork — so a laptop and CI agree on what a change touches. With
// --changed it is what the working tree (uncommitted and untracked files too) adds to the branch's
// upstream, from their merge base; without it, everything, as on a schedule. The stages get it two ways:
// helm-validate a `base-ref` (the merge base: rules.ts), from which it finds the same charts itself; the
// shards of our fan-out workflows the plan's items (fan-out.ts).
import {
  type ChangeSet,
  changeSet,
  Git,
  itemCount,
  planWork,
  type PlanRequest,
  type RepoSnapshot,
  repoSnapshot,
  snapshotOf,
  UserError,
  type WorkPlan,
} from '@platform-actions/kit';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './workflows.js';

export interface LocalChange {
  snapshot: RepoSnapshot;
  changes: ChangeSet;
  /** --changed: the upstream branch, and the merge base the files are counted from. */
  since?: { upstream: string; mergeBase: string };
}

/** Items listed in a line; the rest are counted. */
const LISTED = 12;

/**
 * The change set of a run in `repo`. A folder that is not the root of a git repository (one inside a larger
 * repository is checked as a plain folder) has no history: its files, all in scope.
 */
export async function localChange(repo: string, changed: boolean, isRepo: boolean): Promise<LocalChange> {
  if (!isRepo) return { snapshot: snapshotOf(repo, folderFiles(repo)), changes: { files: null, label: 'everything', reason: 'a folder without git history, so every item' } };
  try {
    return await changeOf(await Git.open(repo), changed);
  } catch (e) {
    if (e instanceof UserError) throw new UsageError(e.message);
    throw e;
  }
}

async function changeOf(git: Git, changed: boolean): Promise<LocalChange> {
  const snapshot = await repoSnapshot(git, { untracked: true });
  if (!changed) return { snapshot, changes: await changeSet(git, { kind: 'everything', reason: 'without --changed, every item' }) };
  const upstream = (await git.run(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}'])).stdout.trim();
  if (!upstream) throw new UsageError('--changed needs a branch with an upstream (git push -u origin <branch> once, or git branch --set-upstream-to)');
  const changes = await changeSet(git, { kind: 'ref', ref: upstream, worktree: true });
  return { snapshot, changes, ...(changes.bases?.length ? { since: { upstream, mergeBase: changes.bases[0] } } : {}) };
}

const SKIP = new Set(['.git', 'node_modules']);

/** Every file under `root` (repository-relative, forward slashes), not following links to folders. */
function folderFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && !SKIP.has(e.name)) walk(p);
      else if (e.isFile() || e.isSymbolicLink()) out.push(p);
    }
  };
  walk('');
  return out;
}

/** The plan for one request; a request the plan action would reject (a `paths` glob matching nothing) throws its InputError. */
export const localPlan = (change: LocalChange, req: PlanRequest): WorkPlan => planWork(change.snapshot, change.changes, req);

/** One line: how many items of how many, in which scope, and which (`3 of 5 charts, merge-base(origin/main, HEAD)..working tree: …`). */
export function planSummary(plan: WorkPlan): string {
  const total = plan.items.length + plan.unchanged.length;
  const scope = plan.scope.everything ? `all ${itemCount(plan.kind, total)} (${plan.scope.reason})` : `${plan.items.length} of ${itemCount(plan.kind, total)}, ${plan.scope.label}`;
  const shown = plan.items.slice(0, LISTED).map((i) => i.input);
  const more = plan.items.length > LISTED ? `, and ${plan.items.length - LISTED} more` : '';
  return plan.items.length ? `${scope}: ${shown.join(', ')}${more}` : `${scope}: nothing to check`;
}

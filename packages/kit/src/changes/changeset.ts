// What changed, for one run: either "everything" (a schedule, a dispatch, changed-only turned off) or the
// files between the right base and the head. The base is chosen by the kit's range planning, the one
// gitleaks-scan uses (git/range.ts): merge-base(base, head) for a pull request, before..after for a push,
// what a new branch or a force push adds to the default branch, base..head for a merge queue group.
import { UserError } from '../errors.js';
import type { Git } from '../git/git.js';
import type { RangeScope } from '../git/range.js';
import { resolveRange } from '../git/resolve.js';
import type { EventContext } from '../github/event.js';
import { diffFiles, type FileChange, mergeChanges } from './diff.js';

export type ChangeBase =
  /** Everything is in scope; `reason` says why. */
  | { kind: 'everything'; reason: string }
  /** CI: the range the event brought (fetching and deepening a shallow clone within `deepenLimit`). */
  | { kind: 'event'; event: EventContext; remote?: string; deepenLimit?: number }
  /** A laptop: what HEAD (or the working tree) adds to `ref`, e.g. origin/main: merge-base(ref, HEAD)... */
  | { kind: 'ref'; ref: string; worktree?: boolean };

export interface ChangeSet {
  /** The changed files; null when everything is in scope. */
  files: FileChange[] | null;
  /** Short form of the range, e.g. `merge-base(main, feature)..feature`, or `everything`. */
  label: string;
  /** Why this range (or everything). */
  reason: string;
}

const everything = (reason: string): ChangeSet => ({ files: null, label: 'everything', reason });

/** The merge bases to diff from: each excluded commit's common ancestors with the tip (itself when it is an ancestor). */
async function basesOf(git: Git, scope: RangeScope): Promise<string[]> {
  const tip = scope.tips[0];
  const bases = new Set<string>();
  for (const e of scope.excludes) for (const b of await git.mergeBases(e, tip)) bases.add(b);
  return [...bases];
}

export async function changeSet(git: Git, base: ChangeBase): Promise<ChangeSet> {
  if (base.kind === 'everything') return everything(base.reason);
  if (base.kind === 'ref') {
    const ref = await git.resolveRef(base.ref);
    if (!ref) throw new UserError(`${base.ref} is not a commit in this repository; name the branch to compare with (e.g. origin/main)`);
    const head = await git.head();
    const bases = await git.mergeBases(ref, head);
    if (!bases.length) return everything(`HEAD shares no history with ${base.ref}`);
    const files = mergeChanges(await Promise.all(bases.map((b) => diffFiles(git, b, base.worktree ? 'worktree' : head))));
    return {
      files,
      label: `merge-base(${base.ref}, HEAD)..${base.worktree ? 'working tree' : 'HEAD'}`,
      reason: `what ${base.worktree ? 'the working tree' : 'HEAD'} adds to ${base.ref}`,
    };
  }
  const r = await resolveRange(git, base.event, 'auto', { remote: base.remote ?? 'origin', deepenLimit: base.deepenLimit ?? 1000 });
  const scope = r.scope;
  if (scope.kind === 'nothing') return { files: [], label: scope.label, reason: scope.reason };
  if (scope.kind !== 'range') return everything(scope.reason);
  if (!scope.excludes.length) return everything(scope.reason);
  const bases = await basesOf(git, scope);
  if (!bases.length) return everything(`${scope.label} shares no history with its base, so everything`);
  const files = mergeChanges(await Promise.all(bases.map((b) => diffFiles(git, b, scope.tips[0]))));
  return { files, label: scope.label, reason: scope.reason };
}

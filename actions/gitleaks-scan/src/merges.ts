// Merge commits' own changes. `git log -p` prints no patch for a merge, so whatever a merge itself brings
// (a conflict resolution, an "evil" change made while merging) is invisible to gitleaks, which reads each
// commit's patch. With --remerge-diff (git 2.36+) git shows a merge as the difference between what it
// would have merged on its own and what was committed: exactly the merge's own changes, nothing its
// parents already brought. A resolution that moves lines can still make git's line diff show a line a
// parent had as added; mergesOwnLeaks() leaves those out, so a merge is blamed only for what it introduced.
import { compareVersions } from '@platform-actions/kit';
import type { Leak } from './findings.js';
import type { Git } from './git.js';
import { REMERGE_DIFF_SINCE } from './scope.js';

export const canRemergeDiff = (gitVersion: string | undefined): boolean => Boolean(gitVersion && compareVersions(gitVersion, REMERGE_DIFF_SINCE) >= 0);

/**
 * For a conflicted file git writes a `remerge CONFLICT …` line into the patch header, where gitleaks'
 * diff parser does not expect it; it then reads the file name from the `+++ b/<path>` line with its
 * prefix, so the finding says `b/<path>`. Put the real path back for the location (the fingerprint keeps
 * gitleaks' own name, which is what .gitleaksignore and baselines match).
 */
export async function fixMergePaths(git: Git, leaks: Leak[]): Promise<void> {
  for (const l of leaks) {
    if (!l.commit || !l.file.startsWith('b/')) continue;
    const real = l.file.slice(2);
    if ((await git.hasPath(l.commit, l.file)) || !(await git.hasPath(l.commit, real))) continue;
    l.idFile = l.file;
    l.file = real;
  }
}

/**
 * Whether the secret a leak points at in a merge's file is already in one of the parents' versions of
 * that file. git's remerge-diff is a line diff between the automatic merge (with conflict markers) and
 * what was committed; when a resolution moves lines around, it can show a line one side already had as
 * added, and gitleaks reports that secret again at the merge. The merge did not introduce it: the
 * parent's commits did, and they are either in the scanned range (reported there) or on the base.
 *
 * Pure over the texts. gitleaks' columns are byte offsets and can be one off on lines after the first
 * of a hunk, so for a one-line finding the part of the match both readings agree on is looked for; a
 * whole line (every line of a multi-line finding) found in the parent settles it too.
 */
export function inParent(merged: string, parents: readonly string[], l: Pick<Leak, 'startLine' | 'endLine' | 'startColumn' | 'endColumn'>): boolean {
  const lines = merged.split('\n').map(trimEol);
  const own = lines.slice(l.startLine - 1, Math.max(l.endLine, l.startLine));
  if (!own.length) return false;
  for (const p of parents) {
    const theirs = new Set(p.split('\n').map(trimEol));
    if (own.every((x) => x.trim() && theirs.has(x))) return true;
    if (l.endLine <= l.startLine && l.startColumn > 0 && l.endColumn > l.startColumn) {
      // Bytes [start-1, end) or [start-2, end-1): their overlap, [start-1, end-1).
      const core = Buffer.from(own[0], 'utf8')
        .subarray(l.startColumn - 1, l.endColumn - 1)
        .toString('utf8');
      if (core.length >= MIN_CORE && p.includes(core)) return true;
    }
  }
  return false;
}

/** Shorter overlaps could match by chance; gitleaks' shortest secrets are longer. */
const MIN_CORE = 8;
const trimEol = (line: string): string => line.replace(/\r$/, '');

/**
 * Splits leaks into those a merge commit brought itself and those a parent already had in the same file
 * (see inParent). Non-merge commits' leaks are always their own. When a file cannot be read, the leak
 * is kept: a doubt is reported, never dropped.
 */
export async function mergesOwnLeaks(git: Git, leaks: readonly Leak[]): Promise<{ own: Leak[]; inherited: Leak[] }> {
  const parentsOf = new Map<string, string[]>();
  const own: Leak[] = [];
  const inherited: Leak[] = [];
  for (const l of leaks) {
    if (!l.commit) {
      own.push(l);
      continue;
    }
    let parents = parentsOf.get(l.commit);
    if (!parents) parentsOf.set(l.commit, (parents = await git.parents(l.commit)));
    if (parents.length < 2) {
      own.push(l);
      continue;
    }
    const merged = await git.fileAt(l.commit, l.file);
    const theirs = (await Promise.all(parents.map((p) => git.fileAt(p, l.file)))).filter((t): t is string => t !== undefined);
    (merged !== undefined && inParent(merged, theirs, l) ? inherited : own).push(l);
  }
  return { own, inherited };
}

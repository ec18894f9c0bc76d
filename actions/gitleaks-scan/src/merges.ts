// Merge commits' own changes. `git log -p` prints no patch for a merge, so whatever a merge itself brings
// (a conflict resolution, an "evil" change made while merging) is invisible to gitleaks, which reads each
// commit's patch. With --remerge-diff (git 2.36+) git shows a merge as the difference between what it
// would have merged on its own and what was committed: exactly the merge's own changes, nothing its
// parents already brought (so nothing is reported twice).
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

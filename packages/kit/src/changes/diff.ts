// Which files a change touched, from git: `git diff --name-status -M` between each base and the head (or
// the working tree on a laptop). Renames are detected, so a moved chart is reported as moved; without
// detection (too many files for git's rename limit) a rename reads as a deletion plus an addition, and
// everything downstream handles that the same way.
import { expectExit } from '../exec.js';
import type { Git } from '../git/git.js';

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

export interface FileChange {
  /** Repository-relative path after the change (the removed path for a deletion). */
  path: string;
  status: ChangeStatus;
  /** Where a renamed or copied file came from. */
  from?: string;
}

const STATUS: Record<string, ChangeStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' };

/** Pure: parses `git diff --name-status -z` output (`R100\0old\0new\0M\0path\0…`). */
export function parseNameStatus(out: string): FileChange[] {
  const parts = out.split('\0');
  const changes: FileChange[] = [];
  for (let i = 0; i < parts.length;) {
    const code = parts[i++];
    if (!code) continue;
    const status = STATUS[code[0]];
    if (!status) throw new Error(`unexpected git diff status ${JSON.stringify(code)}`);
    if (status === 'renamed' || status === 'copied') {
      const from = parts[i++];
      const path = parts[i++];
      changes.push({ path, status, from });
    } else changes.push({ path: parts[i++], status });
  }
  return changes;
}

/** Files changed between `base` and `head` ('worktree': the files on disk, untracked ones included). */
export async function diffFiles(git: Git, base: string, head: string | 'worktree'): Promise<FileChange[]> {
  const revs = head === 'worktree' ? [base] : [base, head];
  const r = await git.run(['diff', '--name-status', '-z', '-M', '--no-ext-diff', '--no-textconv', '--end-of-options', ...revs, '--']);
  const changes = parseNameStatus(expectExit(r, [0], 'git diff').stdout);
  if (head === 'worktree') {
    const untracked = expectExit(await git.run(['ls-files', '-z', '--others', '--exclude-standard']), [0], 'git ls-files').stdout;
    for (const path of untracked.split('\0').filter(Boolean)) changes.push({ path, status: 'added' });
  }
  return changes;
}

/** One list of changes from several diffs (one per merge base), each path once. */
export function mergeChanges(lists: readonly FileChange[][]): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const list of lists) for (const c of list) if (!byPath.has(c.path)) byPath.set(c.path, c);
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

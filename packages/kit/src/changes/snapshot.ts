// The repository as change detection sees it: the files git tracks (plus untracked, not ignored files
// for a laptop's working tree), and a reader for the few files whose content matters (Chart.yaml,
// .tf). A committed symlink can point anywhere, so a file is read only when its real path stays inside
// the repository; anything else reads as absent, and nothing of what is behind it is ever printed.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expectExit } from '../exec.js';
import type { Git } from '../git/git.js';
import { isInside } from '../repo-files.js';

/** Chart.yaml and .tf files are small; a larger one is not read (and so adds no dependency edges). */
export const MAX_READ_BYTES = 4 * 1024 * 1024;

export interface RepoSnapshot {
  root: string;
  /** Repository-relative paths with forward slashes, sorted. */
  files: string[];
  /** The text of a repository file, or undefined (missing, too large, or a link that leads outside). */
  read(rel: string): string | undefined;
  /** Size in bytes, or 0 when it cannot be read. */
  size(rel: string): number;
}

export function snapshotOf(root: string, files: readonly string[]): RepoSnapshot {
  const safe = (rel: string): string | undefined => {
    const abs = join(root, rel);
    return isInside(root, abs) ? abs : undefined;
  };
  const size = (rel: string): number => {
    const abs = safe(rel);
    try {
      return abs ? statSync(abs).size : 0;
    } catch {
      return 0;
    }
  };
  return {
    root,
    files: [...new Set(files)].sort(),
    size,
    read: (rel) => {
      const abs = safe(rel);
      if (!abs) return undefined;
      try {
        const st = statSync(abs);
        return st.isFile() && st.size <= MAX_READ_BYTES ? readFileSync(abs, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

const splitZ = (out: string): string[] => out.split('\0').filter(Boolean);
/** NUL-separated output, untrimmed: a file name may start or end with a space. */
const listZ = async (git: Git, args: string[]): Promise<string[]> => splitZ(expectExit(await git.run(args), [0], `git ${args[0]}`).stdout);

/** The checkout's files: what git tracks, plus (for a working tree under edit) untracked files that are not ignored. */
export async function repoSnapshot(git: Git, opts: { untracked?: boolean } = {}): Promise<RepoSnapshot> {
  const tracked = await listZ(git, ['ls-files', '-z', '--cached']);
  const extra = opts.untracked ? await listZ(git, ['ls-files', '-z', '--others', '--exclude-standard']) : [];
  // A file deleted in the working tree but still in the index is gone for every tool that reads the tree.
  const deleted = opts.untracked ? new Set(await listZ(git, ['ls-files', '-z', '--deleted'])) : new Set<string>();
  return snapshotOf(
    git.root,
    [...tracked, ...extra].filter((f) => !deleted.has(f)),
  );
}

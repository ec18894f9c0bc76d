// The repository's files as terraform sees them: symlinks are followed (a shared backend.tf linked
// into each environment is part of every root it is linked into), but only when the real path stays
// inside the workspace. A link that points outside is never read, and its target is never printed.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '@platform-actions/kit';

// No configuration file, workflow or script is this large; reading one whole would only cost memory.
const MAX_READ_BYTES = 64 * 1048576;

const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform', '.terragrunt-cache']);

export interface RepoFiles {
  /** Real path of the workspace. */
  root: string;
  /** Repository-relative paths (as linked, not as resolved), POSIX separators. */
  files: string[];
  /** Links whose target is outside the workspace (or missing): skipped. */
  skippedLinks: string[];
  /** Real paths of files that some link inside the workspace points at. */
  linkTargets: Set<string>;
  /** Whether `rel` is a link (to a file inside the workspace). */
  isLink: (rel: string) => boolean;
  has: (rel: string) => boolean;
  read: (rel: string) => string;
}

/** Whether `abs` (a real path) is `root` or inside it. */
export const inside = (root: string, abs: string): boolean => {
  const r = relative(root, abs);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !r.startsWith('/'));
};

/** Real path, or undefined when it does not exist (a dangling link). */
export function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

export function listFiles(workspace: string): RepoFiles {
  const root = realpathSync(workspace);
  const files: string[] = [];
  const skippedLinks: string[] = [];
  const seenDirs = new Set<string>([root]);
  const linkTargets = new Set<string>();
  const links = new Set<string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.isFile()) files.push(p);
      else if (e.isSymbolicLink()) {
        const target = real(join(root, p));
        if (!target || !inside(root, target)) {
          skippedLinks.push(p);
          continue;
        }
        const st = statSync(target);
        if (st.isFile()) {
          files.push(p);
          links.add(p);
          linkTargets.add(target);
        }
        // A linked directory is walked once (a link to an ancestor would loop for ever).
        else if (st.isDirectory() && !SKIP_DIRS.has(e.name) && !seenDirs.has(target)) {
          seenDirs.add(target);
          walk(p);
        }
      }
    }
  };
  walk('');
  const set = new Set(files);
  const read = (rel: string): string => {
    const size = statSync(join(root, rel)).size;
    if (size > MAX_READ_BYTES)
      throw new UserError(
        `${rel}: ${(size / 1048576).toFixed(0)} MB, more than the ${MAX_READ_BYTES / 1048576} MB tf-lock-check reads from one file; point working-directory at the Terraform folders`,
      );
    return readFileSync(join(root, rel), 'utf8');
  };
  return { root, files, skippedLinks, linkTargets, isLink: (rel) => links.has(rel), has: (rel) => set.has(rel), read };
}

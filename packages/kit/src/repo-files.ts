// Reading the repository: every path an action is given (an input) or finds by itself (.gitleaks.toml,
// .trivyignore, a manifest in a folder, a chart) goes through here. A committed symlink can point
// anywhere on the runner, and reading through it would let a repository's content make us read — and
// print in an error — a runner file (/etc/passwd, a credentials file, another job's workspace). So a path
// is compared by its real path, every link resolved (a dangling one too: writing through it would create
// its target), and a path that leads outside the workspace is refused with one line naming the path the
// user gave or the file we found, never what is behind it.
import { type Dirent, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, UserError } from './errors.js';

export const workspace = (): string => process.env.GITHUB_WORKSPACE || process.cwd();
export const runnerTemp = (): string => process.env.RUNNER_TEMP || tmpdir();

/**
 * The real path of `p`: every symlink resolved, a dangling one by its target, and for a path not yet
 * created the real path of its nearest existing ancestor joined with the rest.
 */
export function realish(p: string, hops = 0): string {
  let cur = resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      // A dangling link: what it points at is where a write would land.
      let target: string | undefined;
      try {
        if (lstatSync(cur).isSymbolicLink()) target = readlinkSync(cur);
      } catch {
        /* not there at all */
      }
      if (target !== undefined && hops < 40) return realish(join(resolve(dirname(cur), target), ...rest.reverse()), hops + 1);
      const parent = dirname(cur);
      if (parent === cur) return join(cur, ...rest.reverse());
      rest.push(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      cur = parent;
    }
  }
}

const lexicallyInside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** True when `p` is inside `root` once symlinks are resolved on both sides. */
export const isInside = (root: string, p: string): boolean => lexicallyInside(realish(root), realish(p));

export interface RepoPathOptions {
  /** The workspace to stay in; default GITHUB_WORKSPACE. */
  root?: string;
  /** The folder a relative value starts from (an input relative to working-directory); default `root`. */
  base?: string;
  /** The input the path came from: errors then read `input "<name>" must …; got "<value>"`. */
  input?: string;
  /** How to name a path the action found itself (default: the path relative to the workspace). */
  label?: string;
  /** Must exist; 'file' or 'dir' also checks the kind. */
  mustExist?: boolean | 'file' | 'dir';
  /** Also allow RUNNER_TEMP (a file an earlier step wrote there, or a report we write there). */
  allowRunnerTemp?: boolean;
  /** Allow anywhere (a cache folder of the runner's): only the existence checks apply. */
  allowOutsideWorkspace?: boolean;
  /** For a directory: also refuse one holding a symlink that leads outside (a chart helm would read through). */
  tree?: boolean;
}

function refuse(value: string, shown: string, opts: RepoPathOptions, why: 'outside' | 'link' | 'missing' | 'not-file' | 'not-dir', extra = ''): never {
  const ws = resolve(opts.root ?? workspace());
  if (opts.input) {
    const where = opts.allowRunnerTemp ? `inside the workspace (${ws}) or RUNNER_TEMP` : `inside the workspace (${ws})`;
    const expected = {
      outside: `must be a path ${where}`,
      link: `must be a path ${where} (it is a symlink that leads outside)`,
      missing: 'must name an existing path',
      'not-file': 'must name a file',
      'not-dir': 'must name a directory',
    }[why];
    throw new InputError(opts.input, `${expected}${extra}`, value);
  }
  const said = {
    outside: 'is outside the workspace; it is not read',
    link: 'is a symlink that leads outside the workspace; it is not read (replace the link with the file, or link to a file inside the repository)',
    missing: 'does not exist',
    'not-file': 'is not a regular file; it is not read',
    'not-dir': 'is not a directory',
  }[why];
  throw new UserError(`${shown} ${said}${extra}`);
}

/**
 * The absolute path of `value` (relative to the workspace), once its real path is known to stay inside
 * the workspace (or RUNNER_TEMP when allowed). Throws a one-line InputError (with `input`) or UserError
 * naming `value` — never the link's target or content.
 */
export function resolveRepoPath(value: string, opts: RepoPathOptions = {}): string {
  const ws = resolve(opts.root ?? workspace());
  const abs = resolve(ws, opts.base ?? '.', value);
  const shown = opts.label ?? (lexicallyInside(ws, abs) ? relative(ws, abs) || '.' : value);
  if (!opts.allowOutsideWorkspace) {
    const real = realish(abs);
    const roots = [ws, ...(opts.allowRunnerTemp ? [resolve(runnerTemp())] : [])];
    if (!roots.some((r) => lexicallyInside(realish(r), real))) refuse(value, shown, opts, roots.some((r) => lexicallyInside(r, abs)) ? 'link' : 'outside');
  }
  if (opts.mustExist || opts.tree) {
    if (!existsSync(abs)) {
      if (opts.mustExist) refuse(value, shown, opts, 'missing');
      return abs;
    }
    const st = statSync(abs);
    if (opts.mustExist === 'file' && !st.isFile()) refuse(value, shown, opts, 'not-file');
    if (opts.mustExist === 'dir' && !st.isDirectory()) refuse(value, shown, opts, 'not-dir');
    if (opts.tree && st.isDirectory() && !opts.allowOutsideWorkspace) {
      const link = linkLeadingOutside(abs, ws);
      if (link) refuse(value, shown, opts, 'link', `: ${relative(ws, link)} inside it leads outside the workspace`);
    }
  }
  return abs;
}

/** The first symlink under `dir` (depth-limited, VCS folders skipped) whose real path leaves `root`. */
export function linkLeadingOutside(dir: string, root: string = workspace(), depth = 8): string | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink() && !isInside(root, p)) return p;
    if (e.isDirectory() && depth > 0 && e.name !== '.git' && e.name !== 'node_modules') {
      const found = linkLeadingOutside(p, root, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** Largest repository file read whole (configs, ignore files, manifests). */
const MAX_REPO_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a repository file as UTF-8 after `resolveRepoPath()`'s checks: it must be a regular file (a FIFO
 * would block the read forever) no larger than `maxBytes`.
 */
export function readRepoFile(value: string, opts: Omit<RepoPathOptions, 'mustExist' | 'tree'> & { maxBytes?: number } = {}): string {
  const abs = resolveRepoPath(value, { ...opts, mustExist: 'file' });
  const max = opts.maxBytes ?? MAX_REPO_FILE_BYTES;
  const size = statSync(abs).size;
  if (size > max) {
    const ws = resolve(opts.root ?? workspace());
    const shown = opts.label ?? (lexicallyInside(ws, abs) ? relative(ws, abs) : value);
    const mib = max >= 1024 * 1024 ? `${Math.round((max / 1024 / 1024) * 10) / 10} MiB` : `${Math.ceil(max / 1024)} KiB`;
    if (opts.input) throw new InputError(opts.input, `must name a file no larger than ${mib}`, value);
    throw new UserError(`${shown} is larger than ${mib}; it is not read`);
  }
  return readFileSync(abs, 'utf8');
}

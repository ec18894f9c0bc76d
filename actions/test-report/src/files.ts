// Report files from the `junit` and `coverage` inputs: paths or globs (`*` within a folder, `**` across
// folders), relative to the workspace, or absolute inside the workspace or RUNNER_TEMP (where a test step
// may write its reports). A glob walks only the folder its fixed part names, skips dependency folders,
// never follows a folder symlink, and never takes a file whose real path leaves those two roots.
import { checkPath, globToRegExp, InputError, isInside, runnerTemp, workspace } from '@platform-actions/kit';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SKIP_DIRS } from './paths.js';

export interface Matched {
  /** Absolute paths of the matching files, sorted, without duplicates. */
  files: string[];
  /** The files named by a literal path (not only by a glob): a file of the wrong kind there is a mistake, not a stray match. */
  named: Set<string>;
  /** Patterns (or paths) that matched no file. */
  unmatched: string[];
  /** Files a pattern matched but that were not read: symlinks that lead outside the workspace. */
  refused: string[];
}

/** Most files one input may match: a pattern that matches more is almost certainly too wide. */
const MAX_FILES = 500;

const isGlob = (p: string): boolean => /[*?[]/.test(p);
const toPosix = (p: string): string => p.split(sep).join('/');

export function matchReports(input: string, patterns: readonly string[]): Matched {
  const ws = resolve(workspace());
  const roots = [ws, resolve(runnerTemp())];
  const found = new Set<string>();
  const named = new Set<string>();
  const unmatched: string[] = [];
  const refused: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.replace(/\\/g, '/');
    if (!isGlob(pattern)) {
      const abs = checkPath(input, pattern, { allowRunnerTemp: true });
      if (!existsSync(abs)) unmatched.push(raw);
      else if (statSync(abs).isDirectory()) throw new InputError(input, `must name report files or globs, not a folder (for example ${pattern.replace(/\/+$/, '')}/*.xml)`, raw);
      else {
        found.add(abs);
        named.add(abs);
      }
      continue;
    }
    // The fixed folder in front of the first wildcard is where the walk starts; it must be inside a root.
    const segs = pattern.split('/');
    const firstWild = segs.findIndex(isGlob);
    const fixed = segs.slice(0, firstWild).join('/') || '.';
    const start = checkPath(input, isAbsolute(pattern) ? fixed || '/' : fixed, { allowRunnerTemp: true });
    const re = globToRegExp(segs.slice(firstWild).join('/'));
    const before = found.size;
    walk(start, '', (rel, abs) => {
      if (!re.test(rel)) return;
      if (!roots.some((r) => isInside(r, abs))) refused.push(toPosix(relative(ws, abs)));
      else found.add(abs);
      if (found.size > MAX_FILES) throw new InputError(input, `matches more than ${MAX_FILES} files; narrow the pattern`, raw);
    });
    if (found.size === before) unmatched.push(raw);
  }
  return { files: [...found].sort(), named, unmatched, refused };
}

function walk(dir: string, rel: string, visit: (rel: string, abs: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const abs = join(dir, e.name);
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(abs, r, visit);
    } else if (e.isFile()) visit(r, abs);
    else if (e.isSymbolicLink()) {
      // A file symlink is matched (and checked by real path by the caller); a folder symlink is not followed.
      try {
        if (statSync(realpathSync(abs)).isFile()) visit(r, abs);
      } catch {
        /* dangling */
      }
    }
  }
}

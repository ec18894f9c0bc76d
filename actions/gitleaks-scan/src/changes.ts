// The scan's own settings live in the repository, so the commits being scanned can change them: a pull
// request that adds an allowlist to .gitleaks.toml, a line to .gitleaksignore or an entry to the baseline
// silences its own findings and the scan is green. The change may well be legitimate, so it is not a
// finding; it is made visible (summary and a warning on the file) and, with `config-change: fail`, fails.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { ConfigChoice } from './gitleaks-config.js';
import { REPO_CONFIG_NAMES } from './gitleaks-config.js';
import type { Git } from './git.js';
import { revArgs } from './git.js';

export interface SettingsFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  what: string;
}

export interface SettingsChange extends SettingsFile {
  /** Commits in the scanned range that touch the file, newest first. */
  commits: string[];
}

const inRepo = (root: string, p: string): string | undefined => {
  const r = relative(root, p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r.split('\\').join('/') : undefined;
};

/** `[extend] path = "…"` in a gitleaks config: another file whose rules apply. */
export function extendedPath(toml: string): string | undefined {
  const m = /^\s*\[extend\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(toml);
  return m ? /^\s*path\s*=\s*(?:"([^"]+)"|'([^']+)')/m.exec(m[1])?.slice(1).find(Boolean) : undefined;
}

/**
 * The files in the repository whose content decides what this scan reports. A repository config counts
 * even when it does not exist yet (adding one changes the rules), unless the config comes from the input
 * or the environment; .gitleaksignore always counts (gitleaks reads it from the repository root).
 */
export function settingsFiles(root: string, config: ConfigChoice, baselinePath?: string): SettingsFile[] {
  const files: SettingsFile[] = [];
  const add = (p: string | undefined, what: string): void => {
    if (p && !files.some((f) => f.path === p)) files.push({ path: p, what });
  };
  if (config.origin === 'repository' || config.origin === 'default') for (const n of REPO_CONFIG_NAMES) add(n, 'gitleaks config');
  else if (config.path) add(inRepo(root, config.path), 'gitleaks config');
  if (config.path) {
    try {
      const ext = extendedPath(readFileSync(config.path, 'utf8'));
      if (ext) add(inRepo(root, isAbsolute(ext) ? ext : `${root}/${ext}`), 'gitleaks config it extends');
    } catch {
      // Unreadable: gitleaks will say so when it loads it.
    }
  }
  add('.gitleaksignore', 'ignore file');
  if (baselinePath) add(inRepo(root, baselinePath), 'baseline');
  return files;
}

/** Which of `files` the commits of the range touch (merges by what they themselves change, when git can say). */
export async function settingsChanges(git: Git, revs: string[], files: readonly SettingsFile[], remergeDiff: boolean): Promise<SettingsChange[]> {
  if (!files.length) return [];
  // `:(literal)` so a name is never read as a glob; a NUL before each commit id marks where a commit starts.
  const out = await git.out([
    'log',
    '--format=%x00%H',
    '--name-only',
    '--full-history',
    ...(remergeDiff ? ['--remerge-diff'] : []),
    ...revArgs(revs),
    '--',
    ...files.map((f) => `:(literal)${f.path}`),
  ]);
  const touched = new Map<string, string[]>();
  let commit = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('\u0000')) commit = line.slice(1).trim();
    else if (line.trim() && commit) {
      const list = touched.get(line.trim()) ?? [];
      if (!list.includes(commit)) list.push(commit);
      touched.set(line.trim(), list);
    }
  }
  return files.filter((f) => touched.has(f.path)).map((f) => ({ ...f, commits: touched.get(f.path)! }));
}

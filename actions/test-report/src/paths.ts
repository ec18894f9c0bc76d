// Paths as reports write them, turned into repository paths. Every tool writes them its own way:
// absolute on the machine that ran the tests (jest, Cobertura sources, Go panics), relative to wherever
// the tool ran (pytest, coverage.py from a subfolder), relative to a Go package folder (t.Error lines),
// or from another machine altogether (a container's /app, a base report from another runner). A path
// counts only when it names a file that is in this checkout, inside the workspace by real path (a
// committed symlink cannot make us point at a runner file); otherwise it is dropped, never guessed at.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';

/** Folders never indexed: dependencies and caches are not the repository's own code. */
export const SKIP_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages']);
/** Most files indexed for suffix lookups; a bigger checkout is looked up by direct paths only. */
const MAX_INDEXED = 200_000;

/** Dependency and runtime code a stack passes through but nobody in the repository would fix. */
export const isForeign = (p: string): boolean => /(?:^|\/)(?:node_modules|site-packages|dist-packages|\.venv|venv|vendor|\.tox)\//.test(p) || p.startsWith('<');

const toPosix = (p: string): string => p.replace(/\\/g, '/');

export class RepoPaths {
  private index?: Map<string, string[]>;
  private realRoot?: string;
  private readonly memo = new Map<string, string | undefined>();

  constructor(readonly root: string) {}

  /** The repository path of an existing file at `abs` inside the workspace (by real path too), else undefined. */
  private inRepo(abs: string): string | undefined {
    const rel = relative(this.root, abs);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    let real: string;
    try {
      real = realpathSync.native(abs);
      if (!statSync(real).isFile()) return undefined;
    } catch {
      return undefined;
    }
    // A committed symlink may point anywhere: the file it leads to must be in the workspace too.
    this.realRoot ??= realpathSync.native(this.root);
    const realRel = relative(this.realRoot, real);
    return realRel && !realRel.startsWith('..') && !isAbsolute(realRel) ? toPosix(rel) : undefined;
  }

  /** Files by base name, built on first use (one walk of the checkout, dependencies skipped). */
  private byName(): Map<string, string[]> {
    if (this.index) return this.index;
    const index = new Map<string, string[]>();
    let count = 0;
    const walk = (dir: string, rel: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (count >= MAX_INDEXED) return;
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(join(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
        } else if (e.isFile()) {
          count++;
          const list = index.get(e.name);
          const p = rel ? `${rel}/${e.name}` : e.name;
          if (list) list.push(p);
          else index.set(e.name, [p]);
        }
      }
    };
    walk(this.root, '');
    this.index = index;
    return index;
  }

  /**
   * The repository file `written` names. Tried in order: as an absolute path inside the workspace; relative
   * to each of `bases` (repository folders: where the report is, where the tool ran); then the files whose
   * path ends with it, when exactly one does, or one shares the most trailing folders with `hint` (a
   * repository folder the test is known to live in). Undefined when no file or no single file fits.
   */
  resolve(written: string, opts: { bases?: readonly string[]; hint?: string } = {}): string | undefined {
    const key = `${written}\u0000${(opts.bases ?? []).join('\u0001')}\u0000${opts.hint ?? ''}`;
    if (this.memo.has(key)) return this.memo.get(key);
    const found = this.lookup(written, opts);
    this.memo.set(key, found);
    return found;
  }

  private lookup(written: string, opts: { bases?: readonly string[]; hint?: string }): string | undefined {
    let p = toPosix(written.trim()).replace(/^file:\/\//, '');
    if (!p || p.includes('\u0000')) return undefined;
    if (isAbsolute(p)) {
      const direct = this.inRepo(resolve(p));
      if (direct) return direct;
    } else {
      p = posix.normalize(p);
      if (p.startsWith('../')) p = p.replace(/^(?:\.\.\/)+/, '');
      for (const base of ['', ...(opts.bases ?? [])]) {
        const hit = this.inRepo(resolve(this.root, base, p));
        if (hit) return hit;
      }
    }
    // Written on another machine, or relative to a folder we were not told: match by trailing segments.
    const segs = p.split('/').filter((s) => s && s !== '.');
    const name = segs[segs.length - 1];
    if (!name) return undefined;
    const candidates = (this.byName().get(name) ?? []).filter((c) => isForeign(c) === isForeign(p));
    const scored = candidates
      .map((c) => ({ c, tail: trailingMatch(c.split('/'), segs), near: opts.hint ? trailingMatch(c.split('/').slice(0, -1), opts.hint.split('/')) : 0 }))
      .filter((x) => x.tail > 0)
      .sort((a, b) => b.tail - a.tail || b.near - a.near);
    if (!scored.length) return undefined;
    const [best, next] = scored;
    if (next && next.tail === best.tail && next.near === best.near) return undefined; // two files fit equally: do not guess
    return existsSync(join(this.root, best.c)) ? best.c : undefined;
  }
}

/** How many trailing segments of `a` and `b` are equal. */
function trailingMatch(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

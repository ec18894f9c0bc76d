// Pure: which folders a set of file changes touches, directly or through what they are built from. Each
// changed path belongs to the deepest known folder that holds it; a folder that changed makes every
// folder that depends on it (a chart on a library chart, a root on a module, a module on a module)
// change too, transitively.
import type { FileChange } from './diff.js';

/** True when `path` is `dir` or inside it ('.' holds everything). */
export const under = (dir: string, path: string): boolean => dir === '.' || path === dir || path.startsWith(`${dir}/`);

/** The deepest of `dirs` that holds `path`, or undefined. */
export function ownerOf(dirs: readonly string[], path: string): string | undefined {
  let best: string | undefined;
  for (const d of dirs) if (under(d, path) && (best === undefined || best === '.' || (d !== '.' && d.length > best.length))) best = d;
  return best;
}

/** What a folder's own files did, for the reasons a work item shows. */
export interface DirectChange {
  changes: FileChange[];
}

export type Cause = { kind: 'files'; changes: FileChange[] } | { kind: 'dependency'; dir: string } | { kind: 'shared'; path: string };

/**
 * Folders touched by `changes`: each path to its owner among `nodes` (folder → folders it depends on),
 * then every dependant of a touched folder, transitively. Returns folder → why.
 */
export function touched(nodes: ReadonlyMap<string, readonly string[]>, changes: readonly FileChange[]): Map<string, Cause[]> {
  const dirs = [...new Set([...nodes.keys(), ...[...nodes.values()].flat()])];
  const out = new Map<string, Cause[]>();
  const add = (dir: string, cause: Cause) => out.set(dir, [...(out.get(dir) ?? []), cause]);
  const direct = new Map<string, FileChange[]>();
  for (const c of changes) {
    for (const p of c.from && c.from !== c.path ? [c.path, c.from] : [c.path]) {
      const owner = ownerOf(dirs, p);
      if (owner === undefined) continue;
      const list = direct.get(owner) ?? [];
      if (!list.includes(c)) list.push(c);
      direct.set(owner, list);
    }
  }
  for (const [dir, list] of direct) add(dir, { kind: 'files', changes: list });
  // Dependants, breadth first, so each reason names the nearest changed folder.
  const dependants = new Map<string, string[]>();
  for (const [dir, deps] of nodes) for (const d of deps) dependants.set(d, [...(dependants.get(d) ?? []), dir]);
  const queue = [...direct.keys()];
  const seen = new Set(queue);
  while (queue.length) {
    const d = queue.shift()!;
    for (const user of dependants.get(d) ?? []) {
      add(user, { kind: 'dependency', dir: d });
      if (!seen.has(user)) {
        seen.add(user);
        queue.push(user);
      }
    }
  }
  return out;
}

/** The folder `dir` was renamed from, when its files arrived by renames whose paths end the same way. */
export function movedFrom(dir: string, changes: readonly FileChange[]): string | undefined {
  for (const x of changes) {
    if (x.status !== 'renamed' || !x.from || !under(dir, x.path) || under(dir, x.from) || dir === '.') continue;
    const suffix = x.path.slice(dir.length);
    if (x.from.endsWith(suffix) && x.from.length > suffix.length) return x.from.slice(0, x.from.length - suffix.length);
  }
  return undefined;
}

/** One line per cause, for the plan's summary: "3 files changed (values.yaml, …)", "uses charts/lib, which changed". */
export function describeCauses(dir: string, causes: readonly Cause[], depNoun: string): string[] {
  const lines: string[] = [];
  for (const c of causes) {
    if (c.kind === 'dependency') lines.push(`uses ${depNoun} ${c.dir}, which changed`);
    else if (c.kind === 'shared') lines.push(`${c.path} changed (shared by every item under its folder)`);
    else {
      const from = movedFrom(dir, c.changes);
      if (from) lines.push(`moved here from ${from}`);
      const n = c.changes.length;
      const rel = (p: string) => (dir === '.' ? p : p.slice(dir.length + 1));
      const names = c.changes.slice(0, 3).map((x) => rel(under(dir, x.path) ? x.path : (x.from ?? x.path)));
      lines.push(`${n} file${n === 1 ? '' : 's'} changed (${names.join(', ')}${n > 3 ? ', …' : ''})`);
    }
  }
  return [...new Set(lines)];
}

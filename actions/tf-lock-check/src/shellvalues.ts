// The values and the state the shell walker (shell.ts) carries, and the pieces of bash's semantics that
// need no syntax tree: globs, `test` comparisons, `${x%pattern}`, echo/printf, make's arguments. Kept
// apart so the walker reads as the walk.
import type { Node } from 'web-tree-sitter';
import { joinRel, WORKSPACE_MARK } from './commands.js';

/** A shell value: its text, and whether it is known (built from literals and known values only). */
export interface Val {
  s: string;
  known: boolean;
}
export const K = (s: string): Val => ({ s, known: true });
export const U = (s: string): Val => ({ s, known: false });

export interface State {
  /** Variables: a value (known or not), or null when known to be unset. Absent: never seen. */
  vars: Map<string, Val | null>;
  /** Arrays whose elements we know (`ARGS=(-auto-approve -lock-timeout=5m)`); absent: not an array we know. */
  arrays: Map<string, Val[]>;
  args: Val[] | undefined;
  /** Repository-relative directory; holds `$` when not known. */
  cwd: string;
  dirs: string[];
  funcs: Map<string, Fn>;
  exited?: boolean;
  returned?: boolean;
}

/** A function: its body, and the text it was defined in (a sourced file, the GitHub expressions of a step). */
export interface Fn {
  body: Node;
  file: string | undefined;
  exprs: string[];
}

export const clone = (s: State): State => ({ ...s, vars: new Map(s.vars), arrays: new Map(s.arrays), dirs: [...s.dirs], funcs: new Map(s.funcs), args: s.args && [...s.args] });

const sameList = (a: Val[] | undefined, b: Val[] | undefined): boolean => a?.length === b?.length && (a ?? []).every((x, i) => sameVal(x, b?.[i]));

const sameVal = (a: Val | null | undefined, b: Val | null | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a !== null && b !== null && a.s === b.s && a.known === b.known);

/** The state after one of `outs` ran (each a clone of `base`): what they agree on stays known. */
export function merge(base: State, outs: State[]): void {
  const live = outs.filter((o) => !o.exited);
  if (live.length === 0) {
    base.exited = true;
    return;
  }
  const keys = new Set(live.flatMap((o) => [...o.vars.keys()]));
  for (const k of keys) {
    const first = live[0].vars.get(k);
    base.vars.set(k, live.every((o) => sameVal(o.vars.get(k), first)) ? (first ?? null) : U(`$${k}`));
  }
  base.args = live.every((o) => sameList(o.args, live[0].args)) ? live[0].args : undefined;
  for (const k of new Set(live.flatMap((o) => [...o.arrays.keys()]))) {
    if (live.every((o) => o.arrays.has(k) && sameList(o.arrays.get(k), live[0].arrays.get(k)))) base.arrays.set(k, live[0].arrays.get(k)!);
    else base.arrays.delete(k);
  }
  base.cwd = live.every((o) => o.cwd === live[0].cwd) ? live[0].cwd : '$PWD';
  for (const o of live) for (const [n, f] of o.funcs) base.funcs.set(n, f);
  base.returned = live.every((o) => o.returned);
}

export function dirname(p: string): string {
  const t = p.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  if (i < 0) return t.startsWith(WORKSPACE_MARK) ? WORKSPACE_MARK : '.';
  return t.slice(0, i) || '/';
}

/** A shell glob (`*`, `?`, `[…]`) as a whole-string regular expression. */
function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const j = glob.indexOf(']', i + 2);
      if (j < 0) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, j)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else if (c === '\\' && i + 1 < glob.length) re += glob[++i].replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export const globMatch = (glob: string, s: string): boolean => globRegExp(glob).test(s);

export function strip(s: string, pat: string, op: string): string {
  const re = globRegExp(pat);
  if (op === '%' || op === '%%') {
    const order = op === '%' ? [...Array(s.length + 1).keys()].reverse() : [...Array(s.length + 1).keys()];
    for (const i of order) if (re.test(s.slice(i))) return s.slice(0, i);
  } else {
    const order = op === '#' ? [...Array(s.length + 1).keys()] : [...Array(s.length + 1).keys()].reverse();
    for (const i of order) if (re.test(s.slice(0, i))) return s.slice(i);
  }
  return s;
}

export function compare(a: string, op: string, b: string, pattern: boolean): boolean | undefined {
  const num = (x: string) => (/^-?\d+$/.test(x.trim()) ? Number(x) : undefined);
  switch (op) {
    case '=':
    case '==':
      return pattern ? globMatch(b, a) : a === b;
    case '!=':
      return pattern ? !globMatch(b, a) : a !== b;
    case '=~':
      try {
        return new RegExp(b).test(a);
      } catch {
        return undefined;
      }
    case '-eq':
    case '-ne':
    case '-lt':
    case '-le':
    case '-gt':
    case '-ge': {
      const x = num(a);
      const y = num(b);
      if (x === undefined || y === undefined) return undefined;
      return { '-eq': x === y, '-ne': x !== y, '-lt': x < y, '-le': x <= y, '-gt': x > y, '-ge': x >= y }[op];
    }
    default:
      return undefined;
  }
}

/** `test` / `[` arguments: the forms a script uses to pick a branch. */
export function testArgs(w: Val[]): boolean | undefined {
  if (w.some((x) => !x.known)) return undefined;
  const s = w.map((x) => x.s);
  if (s[0] === '!' && s.length > 1) {
    const v = testArgs(w.slice(1));
    return v === undefined ? undefined : !v;
  }
  if (s.length === 1) return s[0] !== '';
  if (s.length === 2) return s[0] === '-z' ? s[1] === '' : s[0] === '-n' ? s[1] !== '' : undefined;
  if (s.length === 3) return compare(s[0], s[1], s[2], false);
  return undefined;
}

export function echo(argv: string[]): string {
  let i = 0;
  while (/^-[neE]+$/.test(argv[i] ?? '')) i++;
  return argv.slice(i).join(' ');
}

export function printf(argv: string[]): string {
  const [fmt = '', ...args] = argv;
  let k = 0;
  return fmt.replace(/%[sdq]|\\n/g, (m) => (m === '\\n' ? '\n' : (args[k++] ?? '')));
}

/** `make -C dir -f file target… VAR=value` → where the Makefile is and which targets run. */
const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export function makeArgs(args: string[], cwd: string): { path: string; makefile?: string; targets: string[]; overrides: Record<string, string> } {
  let dir = cwd;
  let makefile: string | undefined;
  const targets: string[] = [];
  const overrides: Record<string, string> = {};
  for (let j = 0; j < args.length; j++) {
    const a = args[j];
    if (a === '-C' || a === '--directory') dir = joinRel(dir, args[++j] ?? '');
    else if (a.startsWith('--directory=')) dir = joinRel(dir, a.slice(12));
    else if (a.startsWith('-C') && a.length > 2) dir = joinRel(dir, a.slice(2));
    else if (a === '-f' || a === '--file' || a === '--makefile') makefile = args[++j];
    else if (a.startsWith('--file=') || a.startsWith('--makefile=')) makefile = a.slice(a.indexOf('=') + 1);
    else if (a === '-j' || a === '-l' || a === '-o' || a === '-W') j++;
    else if (ASSIGN.test(a)) {
      const m = ASSIGN.exec(a)!;
      overrides[m[1]] = m[2];
    } else if (!a.startsWith('-')) targets.push(a);
  }
  return { path: dir, makefile, targets, overrides };
}

/** Substitutes $VAR / ${VAR} for variables we know; the rest stays as written (Makefile values). */
export function shellExpand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (all, a?: string, b?: string) => vars[(a ?? b)!] ?? all);
}

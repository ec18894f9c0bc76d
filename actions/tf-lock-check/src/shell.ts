// Shell text — workflow `run:` scripts, *.sh files, Makefile recipe lines — through a real shell
// grammar: tree-sitter-bash, on the web-tree-sitter runtime that also reads HCL. We walk its syntax tree
// the way bash would run it, as far as a static reading can know:
//   - every command is found wherever it sits: `if terraform apply; then`, `for d in …; do … done`,
//     `while`, `case`, `{ …; }`, `( … )`, `! cmd`, `a && b || c`, pipelines, `$( … )`, functions;
//   - a condition we can decide (`[ "$3" = apply ]`, `case "$1" in plan)`, `true`) prunes the branch
//     bash would not take; one we cannot decide keeps every branch, and a variable the branches set
//     differently is unknown after them;
//   - values are followed: assignments, `export`, `${VAR:-default}` and friends, the positional
//     parameters a caller passes (`bash setup.sh dev eu plan` → `$3` is `plan`), `shift`, `set --`,
//     `for` lists, `$(dirname "$0")`, `$GITHUB_WORKSPACE`;
//   - `cd`/`pushd` move the directory (a subshell's `cd` stays inside it), `source` reads the file in
//     the same shell, `bash -c "…"`, `eval "…"` and `bash <<EOF` read their text as a script;
//   - scripts and `make` targets the text runs are reported as calls (wrappers.ts follows them), and
//     `echo "VAR=…" >> "$GITHUB_ENV"` as variables for the job's later steps.
// A value we cannot know keeps its source text (`$ENV`, `${{ vars.ROOT }}`), so a directory holding one
// is "not known before run time" (unknownDir) and a subcommand holding one is not taken for `apply`.
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { imageEntrypoint, joinRel, terragruntCommand, tfCommand, type TfCommand, WORKSPACE_MARK } from './commands.js';
import { clone, compare, dirname, echo, type Fn, globMatch, K, makeArgs, merge, printf, type State, strip, testArgs, U, type Val } from './shellvalues.js';
import { loadParser } from './treesitter.js';

let parser: Parser | undefined;

/** Loads the bash grammar once; every later scan is synchronous. */
export async function initShell(): Promise<void> {
  parser ??= await loadParser('tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm');
}

/** A terraform/tofu/terragrunt command; `file` is set for one in a file the script sourced. */
export interface ShellCommand extends TfCommand {
  file?: string;
  /** For a command in a sourced file: the line of the scanned text that sourced it. */
  entryLine?: number;
}

/** A script or make target the shell text runs; followed so the applies inside count for the job. */
export interface Call {
  kind: 'script' | 'make';
  /** Repository-relative script path, or the Makefile's directory for make. */
  path: string;
  /** make: -f file, if given. */
  makefile?: string;
  /** make: targets (empty = the default goal). */
  targets: string[];
  /** make: VAR=value arguments, which override the Makefile's own assignments. */
  overrides?: Record<string, string>;
  /** script: the positional parameters it is called with. */
  args?: Val[];
  line: number;
  /** Set when the call is in a file the script sourced. */
  file?: string;
  /** Repository-relative directory the call runs in. */
  cwd: string;
  /** Environment the callee inherits (variables known at the call). */
  env: Record<string, string>;
}

export interface ShellScan {
  commands: ShellCommand[];
  calls: Call[];
  /** Variables written to $GITHUB_ENV: the environment of the job's later steps. */
  githubEnv: Record<string, string>;
  /** Files read with `source` / `.` (repository-relative). */
  sourced: string[];
}

export interface ShellOptions {
  /** Environment known when the script starts (workflow `env:`, the caller's variables). */
  env?: Record<string, string>;
  /** Positional parameters ($1, $2, …); undefined when not known (a script read on its own). */
  args?: Val[];
  /** Repository-relative directory the script starts in ("" = the repository root). */
  base?: string;
  /** Repository-relative path of the script itself ($0, BASH_SOURCE). */
  self?: string;
  /** Repository files, so `source x.sh` is read in the same shell. */
  files?: { has: (rel: string) => boolean; read: (rel: string) => string };
  /** A script no workflow calls: functions it defines but never calls are read too (another script may source it and call them). */
  standalone?: boolean;
}

// Larger than this is not a script a person wrote; the parser's memory is bounded too.
const MAX_SCRIPT_CHARS = 4 * 1048576;
const MAX_DEPTH = 16;
const MAX_FOR_VALUES = 32;
const MAX_NESTING = 300;

/** Every terraform/tofu/terragrunt command and every script/make call in `script`. */
export function scanShell(script: string, opts: ShellOptions = {}): ShellScan {
  if (!parser) throw new Error('initShell() was not awaited');
  const w = new Walker(parser, opts);
  const st: State = {
    vars: new Map(Object.entries({ GITHUB_WORKSPACE: WORKSPACE_MARK, ...(opts.env ?? {}) }).map(([k, v]) => [k, v.includes('${{') ? U(v) : K(v)])),
    arrays: new Map(),
    args: opts.args,
    cwd: opts.base ?? '',
    dirs: [],
    funcs: new Map(),
  };
  try {
    w.script(script, st);
    if (opts.standalone) w.uncalledFunctions(st);
  } finally {
    w.dispose();
  }
  return { commands: w.commands, calls: w.calls, githubEnv: w.githubEnv, sourced: [...w.sourced] };
}

/** Only the commands (tests and simple callers). */
export const findTfCommands = (script: string, env: Record<string, string> = {}): ShellCommand[] => scanShell(script, { env }).commands;

const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const TOOLS = new Set(['terraform', 'tofu', 'terragrunt']);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const kids = (n: Node): Node[] => n.children.filter((c): c is Node => c !== null);
const named = (n: Node): Node[] => n.namedChildren.filter((c): c is Node => c !== null);
const isComment = (n: Node) => n.type === 'comment';

// A GitHub expression the workflow did not resolve stays in the text; bash never sees it (the runner
// substitutes it first), so it is swapped for a plain word before parsing and put back in values.
const GH_EXPR = /\$\{\{[\s\S]*?\}\}/g;
const PLACEHOLDER = /__GHX(\d+)__/g;

/**
 * Where the command starts after the wrappers that run the rest of the line (`env X=1`, `timeout 5m`,
 * `sudo`, `time`…); `env`'s assignments go into `local`. Undefined for `command -v x` (asks where x is).
 */
function afterWrappers(words: Val[], local: Map<string, Val | null>): number | undefined {
  let i = 0;
  for (;;) {
    const h = words[i]?.s;
    if (h === 'env') i = afterEnv(words, i + 1, local);
    else if (h === 'timeout') {
      i++;
      while (words[i]?.s.startsWith('-')) i += ['-s', '-k', '--signal', '--kill-after'].includes(words[i].s) ? 2 : 1;
      i++; // the duration
    } else if (h === 'command' && /^-[vV]/.test(words[i + 1]?.s ?? '')) return undefined;
    else if (h !== undefined && ['time', 'exec', 'sudo', 'command', 'nohup', 'nice', 'stdbuf', 'builtin'].includes(h)) {
      i++;
      while (words[i]?.s.startsWith('-')) i += ['-u', '-g', '-C', '-n', '-p'].includes(words[i].s) && h !== 'time' ? 2 : 1;
    } else return i;
  }
}

/** `env [-u X] [A=1]… cmd`: the index of cmd, with the assignments put in `local`. */
function afterEnv(words: Val[], from: number, local: Map<string, Val | null>): number {
  let i = from;
  for (; i < words.length; i++) {
    const m = ASSIGN.exec(words[i].s);
    if (m) local.set(m[1], { s: m[2], known: words[i].known });
    else if (['-u', '-C', '-S', '--unset', '--chdir'].includes(words[i].s)) i++;
    else if (!words[i].s.startsWith('-')) break;
  }
  return i;
}

/** A builtin that changes the shell's state: its directory, its positional parameters, whether it goes on. */
function stateBuiltin(cmd: string, rest: Val[], st: State): boolean {
  switch (cmd) {
    case 'cd':
    case 'pushd':
      if (cmd === 'pushd') st.dirs.push(st.cwd);
      st.cwd = cdTarget(st.cwd, rest);
      return true;
    case 'popd':
      st.cwd = st.dirs.pop() ?? '$OLDPWD';
      return true;
    case 'shift': {
      const k = rest[0] ? (rest[0].known ? Number(rest[0].s) : NaN) : 1;
      st.args = st.args && Number.isInteger(k) ? st.args.slice(k) : undefined;
      return true;
    }
    case 'set': {
      const dd = rest.findIndex((w) => w.s === '--');
      if (dd >= 0) st.args = rest.slice(dd + 1);
      return true;
    }
    case 'exit':
      st.exited = true;
      return true;
    case 'return':
      st.returned = true;
      return true;
    default:
      return false;
  }
}

/** The directory `cd`/`pushd` moves to. `cd` alone goes home, `cd -` back: neither is a folder of the repository. */
function cdTarget(cwd: string, rest: Val[]): string {
  const to = rest.find((w) => !w.s.startsWith('-') || w.s === '-');
  if (to === undefined) return '$HOME';
  if (to.s === '-') return '$OLDPWD';
  if (!to.known) return joinRel(cwd, to.s.includes('$') ? to.s : `$${to.s}`);
  return joinRel(cwd, to.s);
}

// Three-valued logic: undefined is "cannot tell before run time", and stays so unless the known side decides.
const not3 = (v: boolean | undefined): boolean | undefined => (v === undefined ? undefined : !v);
const and3 = (l: boolean | undefined, r: boolean | undefined): boolean | undefined => (l === false ? false : l === true ? r : r === false ? false : undefined);
const or3 = (l: boolean | undefined, r: boolean | undefined): boolean | undefined => (l === true ? true : l === false ? r : r === true ? true : undefined);

const DEFAULT_OPS = new Set([':-', '-', ':=', '=']);
const STRIP_OPS = new Set(['%', '%%', '#', '##']);

/** `${x:-word}` `${x-word}` `${x:=word}` `${x=word}`: the word when x is unset (or empty, with `:`); `=` assigns it. */
function withDefault(name: string, op: string, v: Val | null | undefined, raw: Val, word: () => Val, st: State): Val {
  // A named variable never set in anything we read is taken as unset: `TF=${TF:-terraform}`.
  const positional = /^[1-9][0-9]*$/.test(name);
  const unset = v === null || (v === undefined && !positional) || (op.startsWith(':') && v?.known && v.s === '');
  const out = unset ? word() : (v ?? raw);
  if (unset && op.endsWith('=')) st.vars.set(name, out);
  return out;
}

/** `${x:+word}` `${x+word}`: the word when x is set (and not empty, with `:`). */
function alternative(op: string, v: Val | null | undefined, raw: Val, word: () => Val): Val {
  if (v === null) return K('');
  if (v?.known) return v.s === '' && op === ':+' ? K('') : word();
  return raw;
}

/** `${x%pat}` `${x%%pat}` `${x#pat}` `${x##pat}`: x without the shortest or longest match at its end or start. */
function stripped(op: string, v: Val | null | undefined, raw: Val, pat: Val): Val {
  if (!v?.known || !pat.known) return v === null ? K('') : raw;
  return K(strip(v.s, pat.s, op));
}

/** `${x,,}` `${x,}` `${x^^}` `${x^}`: lower or upper case, all or the first letter. */
const CASE_CHANGES = new Map<string, (s: string) => string>([
  [',,', (s) => s.toLowerCase()],
  [',', (s) => s.charAt(0).toLowerCase() + s.slice(1)],
  ['^^', (s) => s.toUpperCase()],
  ['^', (s) => s.charAt(0).toUpperCase() + s.slice(1)],
]);

/** `docker run` options that take a value. */
const DOCKER_VALUE_FLAGS = new Set([
  '-v',
  '--volume',
  '-w',
  '--workdir',
  '-e',
  '--env',
  '--env-file',
  '--name',
  '--network',
  '--net',
  '-u',
  '--user',
  '--entrypoint',
  '--platform',
  '-p',
  '--publish',
  '--mount',
  '-l',
  '--label',
  '--add-host',
  '-h',
  '--hostname',
  '--pull',
  '--cpus',
  '-m',
  '--memory',
  '--device',
  '--group-add',
  '--tmpfs',
  '--security-opt',
  '--ulimit',
]);

/** `docker run`'s options (by name without dashes: v, workdir, entrypoint…) and the index of the image. */
function dockerOptions(rest: Val[]): { opt: Record<string, string[]>; j: number } {
  const opt: Record<string, string[]> = {};
  let j = 0;
  for (; j < rest.length && rest[j].s.startsWith('-'); j++) {
    const eq = rest[j].s.indexOf('=');
    const [flag, inline] = eq >= 0 ? [rest[j].s.slice(0, eq), rest[j].s.slice(eq + 1)] : [rest[j].s, undefined];
    if (!DOCKER_VALUE_FLAGS.has(flag)) continue;
    const value = inline ?? rest[++j]?.s;
    if (value !== undefined) (opt[flag.replace(/^--?/, '')] ??= []).push(value);
  }
  return { opt, j };
}

/** The container's working directory (-w), mapped back through the -v mount of a repository folder when there is one. */
function containerDir(opt: Record<string, string[]>, cwd: string): string {
  const workdir = [...(opt.w ?? []), ...(opt.workdir ?? [])].at(-1);
  let dir = '$CONTAINER_WORKDIR';
  for (const m of [...(opt.v ?? []), ...(opt.volume ?? [])]) {
    const [src, dst] = m.split(':');
    if (!workdir || !dst || (workdir !== dst && !workdir.startsWith(`${dst}/`))) continue;
    const from = src === '.' ? cwd : src.startsWith(WORKSPACE_MARK) ? joinRel('', src) : src.includes('$') ? undefined : joinRel(cwd, src);
    if (from !== undefined) dir = joinRel(from, workdir.slice(dst.length).replace(/^\//, ''));
  }
  return dir;
}

class Walker {
  readonly commands: ShellCommand[] = [];
  readonly calls: Call[] = [];
  readonly githubEnv: Record<string, string> = {};
  readonly sourced = new Set<string>();
  private readonly trees: Tree[] = [];
  private readonly calledFns = new Set<string>();
  private readonly activeFns = new Set<string>();
  private exprs: string[] = [];
  /** The file commands are attributed to (undefined: the scanned text itself). */
  private file: string | undefined;
  /** Line of the outermost `source` that led into `file`. */
  private entry: number | undefined;
  /** Inside `bash -c`, `eval` or a heredoc: every command is on the line of the command that ran it. */
  private fixedLine: number | undefined;
  /** Deciding a condition: expansions must not record the commands inside `$( … )` again. */
  private quiet = 0;
  /** Output of the statement being walked goes to $GITHUB_ENV; heredoc text fed to it. */
  private redirect: { githubEnv: boolean; heredoc?: string } = { githubEnv: false };
  private depth = 0;
  private nesting = 0;

  constructor(
    private readonly parser: Parser,
    private readonly opts: ShellOptions,
  ) {}

  dispose(): void {
    for (const t of this.trees) t.delete();
  }

  /** Parses `text` and walks it in `st`. */
  script(text: string, st: State): void {
    if (text.length > MAX_SCRIPT_CHARS || this.depth > MAX_DEPTH) return;
    const exprs: string[] = [];
    const prepared = text.replace(GH_EXPR, (e) => {
      exprs.push(e);
      // Keep the line count: a multi-line expression leaves its newlines as continuations.
      return `__GHX${exprs.length - 1}__${'\\\n'.repeat((e.match(/\n/g) ?? []).length)}`;
    });
    const tree = this.parser.parse(prepared);
    if (!tree) return;
    this.trees.push(tree);
    const saved = this.exprs;
    this.exprs = exprs;
    this.depth++;
    try {
      this.statements(named(tree.rootNode), st);
    } finally {
      this.exprs = saved;
      this.depth--;
    }
  }

  /** Functions the script defines but never calls, read with unknown arguments. */
  uncalledFunctions(st: State): void {
    for (const [name, fn] of st.funcs) if (!this.calledFns.has(name)) this.inFunction(fn, () => this.statement(fn.body, { ...clone(st), args: undefined }));
  }

  private line(n: Node): number {
    return this.fixedLine ?? n.startPosition.row + 1;
  }

  // ---- statements ---------------------------------------------------------------------------------

  private statements(nodes: Node[], st: State): void {
    for (const n of nodes) {
      if (st.exited || st.returned) return;
      this.statement(n, st);
    }
  }

  /** Deeper than MAX_NESTING is not a script a person wrote; the walk recurses, so it stops there. */
  private guarded<T>(fallback: T, fn: () => T): T {
    if (this.nesting >= MAX_NESTING) return fallback;
    this.nesting++;
    try {
      return fn();
    } finally {
      this.nesting--;
    }
  }

  private statement(n: Node, st: State): void {
    this.guarded(undefined, () => this.statementInner(n, st));
  }

  private statementInner(n: Node, st: State): void {
    const run = this.statementKinds.get(n.type);
    // ERROR nodes and anything new: the commands inside still run.
    if (run) run(n, st);
    else this.statements(named(n), st);
  }

  /** How each kind of statement runs. */
  private readonly statementKinds = new Map<string, (n: Node, st: State) => void>([
    ['comment', () => undefined],
    ['heredoc_body', () => undefined],
    ['command', (n, st) => this.command(n, st)],
    ['variable_assignment', (n, st) => this.assign(n, st)],
    ...['variable_assignments', 'program', 'compound_statement', 'do_group'].map((k): [string, (n: Node, st: State) => void] => [
      k,
      (n, st) =>
        this.statements(
          named(n).filter((c) => !isComment(c)),
          st,
        ),
    ]),
    [
      'declaration_command',
      (n, st) => {
        for (const c of named(n)) if (c.type === 'variable_assignment') this.assign(c, st);
      },
    ],
    [
      'unset_command',
      (n, st) => {
        for (const c of named(n).slice(0)) if (c.type === 'word' || c.type === 'variable_name') st.vars.set(c.text, null);
      },
    ],
    // A subshell's cd, variables and exit stay inside it.
    ['subshell', (n, st) => this.statements(named(n), clone(st))],
    [
      'pipeline',
      (n, st) => {
        // Every part of a pipeline runs in a subshell of its own.
        for (const c of named(n)) this.statement(c, clone(st));
      },
    ],
    ['negated_command', (n, st) => this.statements(named(n), st)],
    ['redirected_statement', (n, st) => this.redirected(n, st)],
    ['list', (n, st) => this.list(n, st)],
    ['if_statement', (n, st) => this.ifStatement(n, st)],
    ['case_statement', (n, st) => this.caseStatement(n, st)],
    ['for_statement', (n, st) => this.forStatement(n, st)],
    ...['while_statement', 'until_statement', 'c_style_for_statement'].map((k): [string, (n: Node, st: State) => void] => [k, (n, st) => this.loop(n, st)]),
    [
      'function_definition',
      (n, st) => {
        const name = n.childForFieldName('name');
        const body = n.childForFieldName('body');
        if (name && body) st.funcs.set(name.text, { body, file: this.file, exprs: this.exprs });
      },
    ],
    // `[[ … ]]` runs nothing, but a command substitution inside does: `[[ -n "$(terraform output -raw id)" ]]`.
    ['test_command', (n, st) => this.substitutionsIn(n, st)],
  ]);

  private substitutionsIn(n: Node, st: State): void {
    for (const c of named(n)) {
      if (c.type === 'command_substitution' || c.type === 'process_substitution') this.statements(named(c), clone(st));
      else this.substitutionsIn(c, st);
    }
  }

  private redirected(n: Node, st: State): void {
    const body = n.childForFieldName('body');
    const redirects = kids(n).filter((c) => c !== body && c.type.endsWith('redirect'));
    const toEnv = (r: Node): boolean =>
      r.type === 'file_redirect' && kids(r).some((c) => c.type === '>>' || c.type === '>') && /\bGITHUB_ENV\b/.test(r.childForFieldName('destination')?.text ?? '');
    const githubEnv = redirects.some((r) => toEnv(r) || (r.type === 'heredoc_redirect' && named(r).some(toEnv)));
    const here = redirects.find((r) => r.type === 'heredoc_redirect');
    const heredoc = here ? named(here).find((c) => c.type === 'heredoc_body') : undefined;
    const herestring = redirects.find((r) => r.type === 'herestring_redirect');
    const saved = this.redirect;
    // Only a command or a `{ …; }` / `( … )` group writes its output there (or reads the heredoc).
    const direct = body && ['command', 'compound_statement', 'subshell'].includes(body.type);
    this.redirect = {
      githubEnv: Boolean(direct && githubEnv),
      heredoc: !direct ? undefined : heredoc ? this.heredocText(heredoc, here!, st) : herestring ? this.join(this.expandAll(named(herestring), st)).s : undefined,
    };
    try {
      if (body) this.statement(body, st);
    } finally {
      this.redirect = saved;
    }
  }

  /** A heredoc's text; an unquoted delimiter (`<<EOF`) expands the variables we know. */
  private heredocText(body: Node, redirect: Node, st: State): string {
    const start = kids(redirect).find((c) => c.type === 'heredoc_start')?.text ?? '';
    if (/['"\\]/.test(start)) return body.text;
    return this.dquote(body, st, false)
      .map((v) => v.s)
      .join(' ');
  }

  private list(n: Node, st: State): void {
    const parts = kids(n).filter((c) => !isComment(c));
    const left = parts[0];
    const op = parts[1]?.text;
    const right = parts[2];
    this.statement(left, st);
    if (!right || st.exited || st.returned) return;
    const v = this.truth(left, st);
    // `a && b` runs b when a succeeds; `a || b` when it fails.
    const runs = v === undefined ? undefined : op === '&&' ? v : !v;
    if (runs === false) return;
    if (runs === true) return this.statement(right, st);
    this.alternatives(st, [(s) => this.statement(right, s), () => undefined]);
  }

  /** Runs each alternative on a copy of `st` and merges: one of them ran, we do not know which. */
  private alternatives(st: State, alts: Array<(s: State) => void>): void {
    const outs = alts.map((a) => {
      const s = clone(st);
      a(s);
      return s;
    });
    merge(st, outs);
  }

  private ifStatement(n: Node, st: State): void {
    // if_statement: `if` cond… `then` body… (elif_clause)* (else_clause)? `fi`; elif_clause alike.
    const clauses: Array<{ cond: Node[]; body: Node[] }> = [];
    let elseBody: Node[] | undefined;
    const split = (node: Node) => {
      const cs = kids(node);
      const t = cs.findIndex((c) => c.type === 'then');
      const cond = cs.slice(0, t).filter((c) => c.isNamed && !isComment(c));
      const body = cs.slice(t + 1).filter((c) => c.isNamed && !isComment(c) && c.type !== 'elif_clause' && c.type !== 'else_clause');
      return { cond, body };
    };
    clauses.push(split(n));
    for (const c of named(n)) {
      if (c.type === 'elif_clause') clauses.push(split(c));
      if (c.type === 'else_clause') elseBody = named(c).filter((x) => !isComment(x));
    }
    this.chain(clauses, elseBody, st);
  }

  /** `if`/`elif`/`else` from clause `i` on: conditions run in order; the first true one's body runs. */
  private chain(clauses: Array<{ cond: Node[]; body: Node[] }>, elseBody: Node[] | undefined, st: State, i = 0): void {
    if (i >= clauses.length) {
      if (elseBody) this.statements(elseBody, st);
      return;
    }
    const { cond, body } = clauses[i];
    this.statements(cond, st);
    if (st.exited || st.returned) return;
    const v = cond.length ? this.truth(cond[cond.length - 1], st) : undefined;
    if (v === true) return this.statements(body, st);
    if (v === false) return this.chain(clauses, elseBody, st, i + 1);
    this.alternatives(st, [(s) => this.statements(body, s), (s) => this.chain(clauses, elseBody, s, i + 1)]);
  }

  private caseStatement(n: Node, st: State): void {
    const valueNode = n.childForFieldName('value');
    const subject = valueNode ? this.quietly(() => this.join(this.expand(valueNode, st))) : U('');
    const items = named(n).filter((c) => c.type === 'case_item');
    const alts: Array<(s: State) => void> = [];
    let definite = false;
    let fallsInto = false;
    for (const item of items) {
      const cs = kids(item);
      const patterns = cs.filter((c, i) => item.fieldNameForChild(i) === 'value');
      const close = cs.findIndex((c) => c.type === ')');
      const term = cs.find((c) => c.type === ';;' || c.type === ';&' || c.type === ';;&')?.type ?? ';;';
      const body = cs.slice(close + 1).filter((c) => c.isNamed && !isComment(c) && item.fieldNameForChild(cs.indexOf(c)) !== 'termination');
      let m: boolean | undefined = fallsInto ? true : undefined;
      if (m === undefined && subject.known) {
        const ms = patterns.map((p) => {
          const pat = this.quietly(() => this.join(this.expand(p, st)));
          return pat.known ? globMatch(pat.s, subject.s) : undefined;
        });
        m = ms.some((x) => x === true) ? true : ms.every((x) => x === false) ? false : undefined;
      }
      fallsInto = false;
      if (m === false) continue;
      if (m === true && alts.length === 0) {
        // The first item that surely matches runs, in the shell's own state.
        this.statements(body, st);
        if (term === ';&') fallsInto = true;
        else if (term === ';;') return;
        continue;
      }
      alts.push((s) => this.statements(body, s));
      if (m === true && term === ';;') {
        definite = true;
        break;
      }
    }
    if (alts.length === 0) return;
    if (!definite) alts.push(() => undefined);
    this.alternatives(st, alts);
  }

  private forStatement(n: Node, st: State): void {
    const variable = n.childForFieldName('variable')?.text;
    const body = n.childForFieldName('body');
    if (!variable || !body) return;
    const valueNodes = n.childrenForFieldName('value').filter((c): c is Node => c !== null);
    const hasIn = kids(n).some((c) => c.type === 'in');
    // `for x; do` iterates the positional parameters.
    const values: Val[] | undefined = !hasIn ? st.args : valueNodes.flatMap((v) => this.expand(v, st));
    const known = values !== undefined && values.length <= MAX_FOR_VALUES && values.every((v) => v.known && !/[*?[]/.test(v.s));
    if (known) {
      for (const v of values) {
        if (st.exited || st.returned) return;
        st.vars.set(variable, v);
        this.statement(body, st);
      }
      return;
    }
    // Unknown list (a glob, a command's output): the body runs for some value, or not at all.
    this.alternatives(st, [
      (s) => {
        s.vars.set(variable, U(`$${variable}`));
        this.statement(body, s);
      },
      () => undefined,
    ]);
  }

  private loop(n: Node, st: State): void {
    const body = n.childForFieldName('body');
    const cond = kids(n).filter((c, i) => n.fieldNameForChild(i) === 'condition' && c.isNamed);
    this.statements(cond, st);
    if (!body) return;
    this.alternatives(st, [(s) => this.statement(body, s), () => undefined]);
  }

  private assign(n: Node, st: State): void {
    const name = n.childForFieldName('name');
    const value = n.childForFieldName('value');
    if (!name || name.type !== 'variable_name') return;
    const append = kids(n).some((c) => c.type === '+=');
    if (value?.type === 'array') {
      const items = named(value).flatMap((c) => this.expand(c, st));
      const list = append ? (st.arrays.has(name.text) ? [...st.arrays.get(name.text)!, ...items] : undefined) : items;
      if (list) st.arrays.set(name.text, list);
      else st.arrays.delete(name.text);
      st.vars.set(name.text, list ? (list[0] ?? K('')) : U(`$${name.text}`));
      return;
    }
    st.arrays.delete(name.text);
    let v: Val = value ? this.join(this.expand(value, st, true)) : K('');
    if (append) {
      const old = st.vars.get(name.text);
      v = old === null ? v : old === undefined ? U(`$${name.text}${v.s}`) : { s: old.s + v.s, known: old.known && v.known };
    }
    st.vars.set(name.text, v);
  }

  // ---- commands -----------------------------------------------------------------------------------

  private command(n: Node, st: State): void {
    const local = new Map<string, Val | null>();
    for (const c of named(n)) {
      if (c.type !== 'variable_assignment') continue;
      const s = clone(st);
      this.assign(c, s);
      const k = c.childForFieldName('name')?.text;
      if (k) local.set(k, s.vars.get(k) ?? null);
    }
    const nameNode = n.childForFieldName('name');
    if (!nameNode) {
      for (const [k, v] of local) st.vars.set(k, v);
      return;
    }
    const words = [...this.expand(nameNode, st), ...n.childrenForFieldName('argument').flatMap((a) => (a ? this.expand(a, st) : []))];
    this.run(words, this.line(nameNode), st, local);
  }

  /** Runs one simple command, given as expanded words. */
  private run(words: Val[], line: number, st: State, local: Map<string, Val | null>): void {
    const i = afterWrappers(words, local);
    const head = i === undefined ? undefined : words[i];
    if (!head) return;
    const rest = words.slice(i! + 1);
    const argv = rest.map((w) => w.s);
    const scope = new Map(st.vars);
    for (const [k, v] of local) scope.set(k, v);
    const env = knownEnv(scope);
    const name = base(head.s);
    if (!head.known) return;
    if (st.funcs.has(head.s)) return this.callFunction(head.s, rest, st, line);
    if (TOOLS.has(name)) {
      const c = name === 'terragrunt' ? terragruntCommand(argv, line, st.cwd, env) : tfCommand(name as 'terraform' | 'tofu', argv, line, st.cwd, env);
      if (!this.quiet) this.commands.push(this.file ? { ...c, file: this.file, entryLine: this.entry } : c);
      return;
    }
    if (this.quiet || this.builtin(head.s, rest, line, st, env)) return;
    this.program(name, head.s, rest, line, st, local, env);
  }

  /** A shell builtin that moves the directory, the arguments or the flow, or reads text as script; false for any other command. */
  private builtin(cmd: string, rest: Val[], line: number, st: State, env: Record<string, string>): boolean {
    if (stateBuiltin(cmd, rest, st)) return true;
    const argv = rest.map((w) => w.s);
    switch (cmd) {
      case 'source':
      case '.':
        this.source(rest, line, st, env);
        return true;
      case 'eval':
        if (rest.every((w) => w.known)) this.inline(argv.join(' '), line, st);
        return true;
      case 'echo':
      case 'printf':
        if (this.redirect.githubEnv) this.toGithubEnv(cmd === 'printf' ? printf(argv) : echo(argv));
        return true;
      case 'cat':
        if (this.redirect.githubEnv && this.redirect.heredoc !== undefined) this.toGithubEnv(this.redirect.heredoc);
        return true;
      default:
        return false;
    }
  }

  /** A program: make, a shell, a command runner (xargs, find -exec, docker run, `… -- cmd`), or a script by its path. */
  private program(name: string, cmd: string, rest: Val[], line: number, st: State, local: Map<string, Val | null>, env: Record<string, string>): void {
    const inFile = this.file ? { file: this.file } : {};
    if (name === 'make' || name === 'gmake') {
      this.calls.push({
        kind: 'make',
        ...makeArgs(
          rest.map((w) => w.s),
          st.cwd,
        ),
        line,
        cwd: st.cwd,
        env,
        ...inFile,
      });
      return;
    }
    if (SHELLS.has(name)) return this.shell(rest, line, st, env);
    if (name === 'xargs') return this.xargs(rest, line, st, local);
    if (name === 'find') return this.findExec(rest, line, st, local);
    if ((name === 'docker' || name === 'podman') && rest[0]?.s === 'run') return this.dockerRun(rest.slice(1), line, st, local);
    if (cmd.includes('/') || cmd.endsWith('.sh')) {
      this.calls.push({ kind: 'script', path: joinRel(st.cwd, cmd), targets: [], args: rest, line, cwd: st.cwd, env, ...inFile });
      return;
    }
    // `aws-vault exec prod -- terraform apply`, `doppler run -- …`, `terramate run -- …`: the command after `--`.
    const dd = rest.findIndex((w) => w.s === '--');
    if (dd >= 0 && rest[dd + 1]) this.run(rest.slice(dd + 1), line, st, local);
  }

  /** `… | xargs [-I {}] terraform -chdir={} apply`: the command xargs runs, with what it fills in unknown. */
  private xargs(rest: Val[], line: number, st: State, local: Map<string, Val | null>): void {
    let j = 0;
    let replace: string | undefined;
    for (; j < rest.length && rest[j].s.startsWith('-'); j++) {
      const f = rest[j].s;
      if (f === '-I' || f === '--replace') replace = rest[++j]?.s;
      else if (f.startsWith('-I') || f.startsWith('--replace=')) replace = f.replace(/^(-I|--replace=)/, '');
      else if (['-n', '-P', '-L', '-d', '-a', '-E', '-s', '--max-args', '--max-procs', '--delimiter', '--arg-file'].includes(f)) j++;
    }
    const words = rest.slice(j).map((w) => (replace && w.s.includes(replace) ? U(w.s.split(replace).join('$XARGS_ITEM')) : w));
    if (words.length) this.run(words, line, st, local);
  }

  /** `find … -exec[dir] terraform apply \;`: the command find runs for each file. */
  private findExec(rest: Val[], line: number, st: State, local: Map<string, Val | null>): void {
    for (let j = 0; j < rest.length; j++) {
      const f = rest[j].s;
      if (!['-exec', '-execdir', '-ok', '-okdir'].includes(f)) continue;
      const end = rest.findIndex((w, k) => k > j && (w.s === ';' || w.s === '+'));
      const words = rest.slice(j + 1, end < 0 ? undefined : end).map((w) => (w.s.includes('{}') ? U(w.s.replace(/\{\}/g, '$FOUND')) : w));
      const s = f.endsWith('dir') ? { ...clone(st), cwd: '$FOUND_DIR' } : clone(st);
      if (words.length) this.run(words, line, s, local);
      j = end < 0 ? rest.length : end;
    }
  }

  /**
   * `docker run [options] hashicorp/terraform:1.9 -chdir=infra apply`: an image whose entrypoint is the
   * tool runs its arguments (`--entrypoint` replaces it). The directory is the container's working
   * directory (-w), mapped back through the -v mount of a repository folder when there is one.
   */
  private dockerRun(rest: Val[], line: number, st: State, local: Map<string, Val | null>): void {
    const { opt, j } = dockerOptions(rest);
    const image = rest[j];
    if (!image?.known) return;
    const entry = (opt.entrypoint ?? [])[0] ?? imageEntrypoint(image.s);
    if (!entry) return;
    this.run([K(entry), ...rest.slice(j + 1)], line, { ...clone(st), cwd: containerDir(opt, st.cwd) }, local);
  }

  /** `bash [-flags] script args…`, `bash -c "text" name args…`, `bash -s args… <<EOF`. */
  private shell(rest: Val[], line: number, st: State, env: Record<string, string>): void {
    let j = 0;
    let fromStdin = false;
    for (; j < rest.length && rest[j].s.startsWith('-') && rest[j].s !== '-' && rest[j].s !== '--'; j++) {
      const f = rest[j].s;
      if (f === '-c' || (/^-[a-z]*c[a-z]*$/.test(f) && !f.startsWith('--'))) {
        const text = rest[j + 1];
        if (!text?.known) return;
        // A new shell: the variables it inherits, `$0` and the arguments after the text.
        const s: State = { ...clone(st), args: rest.slice(j + 3), funcs: new Map() };
        return this.inline(text.s, line, s);
      }
      if (f === '-s' || /^-[a-z]*s[a-z]*$/.test(f)) fromStdin = true;
      if (f === '-o' || f === '+o' || f === '-O') j++;
    }
    if (rest[j]?.s === '--') j++;
    if (fromStdin || j >= rest.length) {
      if (this.redirect.heredoc !== undefined) this.inline(this.redirect.heredoc, line, { ...clone(st), args: rest.slice(j), funcs: new Map() });
      return;
    }
    const script = rest[j];
    if (!script.known) return;
    this.calls.push({
      kind: 'script',
      path: joinRel(st.cwd, script.s),
      targets: [],
      args: rest.slice(j + 1),
      line,
      cwd: st.cwd,
      env,
      ...(this.file ? { file: this.file } : {}),
    });
  }

  /** Text run as a script at `line` (`bash -c`, `eval`, a heredoc fed to bash): its commands are on that line. */
  private inline(text: string, line: number, st: State): void {
    const saved = { line: this.fixedLine, redirect: this.redirect };
    this.fixedLine = line;
    this.redirect = { githubEnv: false };
    try {
      this.script(text, st);
    } finally {
      this.fixedLine = saved.line;
      this.redirect = saved.redirect;
    }
  }

  /** `source file args…`: the file runs in this shell; its commands are in that file. */
  private source(rest: Val[], line: number, st: State, env: Record<string, string>): void {
    const p = rest[0];
    if (!p?.known) return;
    const rel = joinRel(st.cwd, p.s);
    const files = this.opts.files;
    if (!files) {
      this.calls.push({ kind: 'script', path: rel, targets: [], args: rest.slice(1), line, cwd: st.cwd, env, ...(this.file ? { file: this.file } : {}) });
      return;
    }
    if (!files.has(rel) || this.sourced.has(rel)) return;
    this.sourced.add(rel);
    const saved = { file: this.file, fixed: this.fixedLine, args: st.args, entry: this.entry };
    if (this.file === undefined) this.entry = line;
    this.file = rel;
    this.fixedLine = undefined;
    if (rest.length > 1) st.args = rest.slice(1);
    try {
      this.script(files.read(rel), st);
    } finally {
      this.file = saved.file;
      this.entry = saved.entry;
      this.fixedLine = saved.fixed;
      if (rest.length > 1) st.args = saved.args;
      st.returned = false;
    }
  }

  /** Runs `fn` with the file and expressions of the text that defined it. */
  private inFunction(fn: Fn, walk: () => void, callLine?: number): void {
    const saved = { file: this.file, exprs: this.exprs, entry: this.entry, fixed: this.fixedLine };
    if (fn.file !== this.file) {
      // A function from a sourced file: its commands are in that file, reached from the call.
      if (this.file === undefined) this.entry = callLine;
      this.fixedLine = undefined;
    }
    this.file = fn.file;
    this.exprs = fn.exprs;
    try {
      walk();
    } finally {
      Object.assign(this, { file: saved.file, exprs: saved.exprs, entry: saved.entry, fixedLine: saved.fixed });
    }
  }

  private callFunction(name: string, args: Val[], st: State, line: number): void {
    // A function that calls itself is read once per chain of calls.
    if (this.depth > MAX_DEPTH || this.activeFns.has(name)) return;
    this.calledFns.add(name);
    this.activeFns.add(name);
    const fn = st.funcs.get(name)!;
    const saved = st.args;
    st.args = args;
    this.depth++;
    try {
      this.inFunction(fn, () => this.statement(fn.body, st), line);
    } finally {
      this.depth--;
      this.activeFns.delete(name);
      st.args = saved;
      st.returned = false;
    }
  }

  private toGithubEnv(text: string): void {
    for (const l of text.split('\n')) {
      const m = ASSIGN.exec(l.trim());
      if (m) this.githubEnv[m[1]] = m[2];
    }
  }

  // ---- conditions ---------------------------------------------------------------------------------

  /** Whether a command succeeds, when a static reading can tell (tests, true/false, their combinations). */
  private truth(n: Node, st: State): boolean | undefined {
    return this.quietly(() => this.truthOf(n, st));
  }

  private truthOf(n: Node, st: State): boolean | undefined {
    return this.guarded(undefined, () => this.truthOfInner(n, st));
  }

  private truthOfInner(n: Node, st: State): boolean | undefined {
    switch (n.type) {
      case 'test_command': {
        const inner = named(n).filter((c) => !isComment(c));
        return inner.length === 1 ? this.testExpr(inner[0], st, n.text.startsWith('[[')) : undefined;
      }
      case 'command':
        return this.commandTruth(n, st);
      case 'negated_command': {
        const c = named(n)[0];
        return not3(c ? this.truthOf(c, st) : undefined);
      }
      case 'list': {
        const parts = kids(n).filter((c) => !isComment(c));
        const l = this.truthOf(parts[0], st);
        const r = parts[2] ? this.truthOf(parts[2], st) : undefined;
        return parts[1]?.text === '&&' ? and3(l, r) : or3(l, r);
      }
      case 'compound_statement':
      case 'subshell': {
        const inner = named(n).filter((c) => !isComment(c));
        return inner.length === 1 ? this.truthOf(inner[0], st) : undefined;
      }
      case 'redirected_statement': {
        const body = n.childForFieldName('body');
        return body ? this.truthOf(body, st) : undefined;
      }
      default:
        return undefined;
    }
  }

  /** `true`, `:`, `false`, `test …` and `[ … ]`; any other command may succeed or fail. */
  private commandTruth(n: Node, st: State): boolean | undefined {
    const nameNode = n.childForFieldName('name');
    if (!nameNode || named(n).some((c) => c.type === 'variable_assignment')) return undefined;
    const words = [...this.expand(nameNode, st), ...n.childrenForFieldName('argument').flatMap((a) => (a ? this.expand(a, st) : []))];
    const h = words[0];
    if (!h?.known) return undefined;
    if (h.s === 'true' || h.s === ':') return true;
    if (h.s === 'false') return false;
    if (h.s === 'test') return testArgs(words.slice(1));
    if (h.s === '[' && words.at(-1)?.s === ']') return testArgs(words.slice(1, -1));
    return undefined;
  }

  /** An expression inside `[ … ]` or `[[ … ]]`. */
  private testExpr(n: Node, st: State, dbl: boolean): boolean | undefined {
    return this.guarded(undefined, () => this.testExprInner(n, st, dbl));
  }

  private testExprInner(n: Node, st: State, dbl: boolean): boolean | undefined {
    switch (n.type) {
      case 'binary_expression':
        return this.binaryTest(n, st, dbl);
      case 'unary_expression':
        return this.unaryTest(n, st, dbl);
      case 'parenthesized_expression': {
        const inner = named(n)[0];
        return inner ? this.testExpr(inner, st, dbl) : undefined;
      }
      case 'word':
      case 'string':
      case 'raw_string':
      case 'simple_expansion':
      case 'expansion':
      case 'concatenation': {
        const v = this.join(this.expand(n, st, true));
        return v.known ? v.s !== '' : undefined;
      }
      default:
        return undefined;
    }
  }

  /** `a && b`, `a -o b`…, or a comparison: `"$x" = apply`, `$n -gt 2`, `[[ $x == pl* ]]`. */
  private binaryTest(n: Node, st: State, dbl: boolean): boolean | undefined {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    const op = n.childForFieldName('operator')?.text ?? '';
    if (!l || !r) return undefined;
    if (op === '&&' || op === '-a' || op === '||' || op === '-o') {
      const a = this.testExpr(l, st, dbl);
      const b = this.testExpr(r, st, dbl);
      return op === '&&' || op === '-a' ? and3(a, b) : or3(a, b);
    }
    const a = this.join(this.expand(l, st, true));
    const b = this.join(this.expand(r, st, true));
    if (!a.known || !b.known) return undefined;
    // In [[ ]] the right side of == / != is a pattern unless quoted.
    const pattern = dbl && r.type !== 'string' && r.type !== 'raw_string';
    return compare(a.s, op, b.s, pattern);
  }

  /** `! expr`, `-z word`, `-n word`; other tests (files, options) are not known statically. */
  private unaryTest(n: Node, st: State, dbl: boolean): boolean | undefined {
    const op = kids(n)[0]?.text ?? '';
    const operand = named(n).at(-1);
    if (!operand) return undefined;
    if (op === '!') return not3(this.testExpr(operand, st, dbl));
    const v = this.join(this.expand(operand, st, true));
    if (!v.known) return undefined;
    return op === '-z' ? v.s === '' : op === '-n' ? v.s !== '' : undefined;
  }

  private quietly<T>(fn: () => T): T {
    this.quiet++;
    try {
      return fn();
    } finally {
      this.quiet--;
    }
  }

  // ---- expansion ----------------------------------------------------------------------------------

  /** Text with the unresolved GitHub expressions put back; unknown if it holds one. */
  private lit(text: string): Val {
    if (!text.includes('__GHX')) return K(text);
    let known = true;
    const s = text.replace(PLACEHOLDER, (all, n: string) => {
      const e = this.exprs[Number(n)];
      if (e === undefined) return all;
      known = false;
      return e;
    });
    return { s, known };
  }

  private join(vals: Val[]): Val {
    return { s: vals.map((v) => v.s).join(' '), known: vals.every((v) => v.known) };
  }

  private expandAll(nodes: Node[], st: State): Val[] {
    return nodes.flatMap((n) => this.expand(n, st));
  }

  /** The fields a word expands to (unquoted known expansions split on blanks; `"$@"` is one field per argument). */
  private expand(n: Node, st: State, noSplit = false): Val[] {
    return this.guarded([U(n.text)], () => this.expandInner(n, st, noSplit));
  }

  private expandInner(n: Node, st: State, noSplit: boolean): Val[] {
    switch (n.type) {
      case 'command_name':
        return named(n).flatMap((c) => this.expand(c, st, noSplit));
      case 'word':
      case 'number':
      case 'extglob_pattern':
      case 'regex':
      case 'special_character': {
        const t = n.text.replace(/\\([\s\S])/g, (_, c: string) => (c === '\n' ? '' : c));
        if (t.startsWith('~')) return [U(`$HOME${t.slice(1)}`)];
        return [this.lit(t)];
      }
      case 'raw_string':
        return [this.lit(n.text.slice(1, -1))];
      case 'ansi_c_string':
        return [this.lit(n.text.slice(2, -1).replace(/\\([nt'"\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)))];
      case 'string':
      case 'translated_string':
        return this.dquote(n, st, true);
      case 'simple_expansion':
      case 'expansion': {
        const vals = this.param(n, st);
        if (noSplit) return vals.length ? [this.join(vals)] : [K('')];
        return vals.flatMap((v) =>
          v.known
            ? v.s
                .split(/[ \t\n]+/)
                .filter(Boolean)
                .map(K)
            : [v],
        );
      }
      case 'concatenation': {
        let out: Val[] = [];
        for (const c of named(n)) {
          const f = this.expand(c, st, noSplit);
          if (out.length === 0) out = f;
          else if (f.length) {
            const last = out[out.length - 1];
            out[out.length - 1] = { s: last.s + f[0].s, known: last.known && f[0].known };
            out.push(...f.slice(1));
          }
        }
        return out.length ? out : [K('')];
      }
      case 'command_substitution':
        return [this.substitution(n, st)];
      case 'process_substitution':
        if (!this.quiet) this.statements(named(n), clone(st));
        return [U(n.text)];
      default:
        return [U(n.text)];
    }
  }

  /** A double-quoted string (or an unquoted heredoc): no splitting, except `"$@"`. */
  private dquote(n: Node, st: State, quoted: boolean): Val[] {
    const text = n.text;
    const unescape = (raw: string) => (quoted ? raw.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c)) : raw);
    const fields: Val[] = [K('')];
    let pos = n.startIndex + (quoted ? 1 : 0);
    const end = n.endIndex - (quoted ? 1 : 0);
    const add = (v: Val) => {
      const last = fields[fields.length - 1];
      fields[fields.length - 1] = { s: last.s + v.s, known: last.known && v.known };
    };
    let onlyAt = true;
    for (const c of kids(n)) {
      if (c.type === '"' || c.startIndex < pos || c.endIndex > end) continue;
      if (c.startIndex > pos) {
        add(this.lit(unescape(text.slice(pos - n.startIndex, c.startIndex - n.startIndex))));
        onlyAt = false;
      }
      pos = c.endIndex;
      if (this.dquotePart(c, st, fields, add, unescape)) onlyAt = false;
    }
    if (pos < end) {
      add(this.lit(unescape(text.slice(pos - n.startIndex, end - n.startIndex))));
      onlyAt = false;
    }
    // "$@" with no arguments is no field at all.
    if (onlyAt && st.args?.length === 0 && kids(n).some((c) => isAllArgs(c))) return [];
    return fields;
  }

  /**
   * One part of a double-quoted string, added to its fields ("$@" and "${ARR[@]}" start a field per
   * element). False when the part adds no text of its own ("$@", punctuation).
   */
  private dquotePart(c: Node, st: State, fields: Val[], add: (v: Val) => void, unescape: (raw: string) => string): boolean {
    const expansion = c.type === 'simple_expansion' || c.type === 'expansion';
    if (c.type === 'string_content' || c.type === 'heredoc_content') add(this.lit(unescape(c.text)));
    else if (expansion && isAllArgs(c) && st.args) {
      st.args.forEach((a, i) => (i === 0 ? add(a) : fields.push(a)));
      return false;
    } else if (c.type === 'expansion' && allOf(c) && st.arrays.has(allOf(c)!)) {
      // "${ARGS[@]}": one field per element.
      st.arrays.get(allOf(c)!)!.forEach((a, i) => (i === 0 ? add(a) : fields.push(a)));
    } else if (expansion) add(this.join(this.param(c, st)));
    else if (c.type === 'command_substitution') add(this.substitution(c, st));
    else if (c.isNamed) add(this.join(this.expand(c, st, true)));
    else return false;
    return true;
  }

  /** $name, ${name}, ${name:-word} and the other parameter expansions we can evaluate. */
  private param(n: Node, st: State): Val[] {
    const cs = kids(n).filter((c) => c.type !== '${' && c.type !== '}' && c.type !== '$');
    const raw = U(n.text);
    if (n.type === 'simple_expansion') {
      const name = cs[0]?.text ?? '';
      if (name === '@' || name === '*') return st.args ?? [raw];
      const v = this.lookup(name, st);
      return [v === null ? K('') : (v ?? raw)];
    }
    // ${#name}: length; ${#ARR[@]}: number of elements.
    if (cs[0]?.type === '#' && cs.length === 2) return [this.paramLength(cs[1], st, raw)];
    const target = this.paramTarget(cs, st, raw);
    if (typeof target !== 'string') return target;
    const op = cs[1]?.text;
    if ((target === '@' || target === '*') && op === undefined) return st.args ?? [raw];
    const word = () => this.join(cs.slice(2).flatMap((c) => this.expand(c, st, true)));
    return [this.paramOperator(target, op, st, raw, word)];
  }

  /** `${#name}` (its length) or `${#ARR[@]}` (the number of elements). */
  private paramLength(of: Node, st: State, raw: Val): Val {
    if (of.type === 'subscript') {
      const arr = st.arrays.get(of.childForFieldName('name')?.text ?? '');
      return arr ? K(String(arr.length)) : raw;
    }
    const v = this.lookup(of.text, st);
    return v === null ? K('0') : v?.known ? K(String(v.s.length)) : raw;
  }

  /** The variable a `${…}` names, or its values when it is an array element or the whole array. */
  private paramTarget(cs: Node[], st: State, raw: Val): string | Val[] {
    const nameNode = cs[0];
    if (!nameNode) return [raw];
    if (nameNode.type === 'variable_name' || nameNode.type === 'special_variable_name') return nameNode.text;
    if (nameNode.type !== 'subscript') return [raw];
    const arr = nameNode.childForFieldName('name')?.text;
    const idx = nameNode.childForFieldName('index')?.text;
    if (arr === 'BASH_SOURCE' && idx === '0') return '0';
    if ((arr === '@' || arr === '*') && idx === undefined) return '@';
    if (!arr || !st.arrays.has(arr) || cs.length !== 1) return [raw];
    const list = st.arrays.get(arr)!;
    if (idx === '@' || idx === '*') return list;
    return /^\d+$/.test(idx ?? '') ? [list[Number(idx)] ?? K('')] : [raw];
  }

  /** `${name<op>word}`: defaults, alternatives, pattern removal and case changes, as bash applies them. */
  private paramOperator(name: string, op: string | undefined, st: State, raw: Val, word: () => Val): Val {
    const v = this.lookup(name, st);
    if (op === undefined || op === ':?' || op === '?') return v === null ? K('') : (v ?? raw);
    if (DEFAULT_OPS.has(op)) return withDefault(name, op, v, raw, word, st);
    if (op === ':+' || op === '+') return alternative(op, v, raw, word);
    if (STRIP_OPS.has(op)) return stripped(op, v, raw, word());
    const change = CASE_CHANGES.get(op);
    return change && v?.known ? K(change(v.s)) : raw;
  }

  /** A value, null when known to be unset, undefined when we cannot tell. */
  private lookup(name: string, st: State): Val | null | undefined {
    if (name === '0') return this.opts.self ? K(WORKSPACE_MARK + this.opts.self) : undefined;
    if (name === '#') return st.args ? K(String(st.args.length)) : undefined;
    if (/^[1-9][0-9]*$/.test(name)) return st.args ? (st.args[Number(name) - 1] ?? null) : undefined;
    // $PWD is the directory the walk is in, as a repository path.
    if (name === 'PWD' && !st.vars.has('PWD')) return st.cwd.includes('$') || st.cwd.startsWith('/') ? undefined : K(WORKSPACE_MARK + st.cwd);
    return st.vars.get(name);
  }

  /**
   * `$( … )`: the commands inside run (in a subshell) and are recorded; its value is known for the few
   * commands whose output is a path we can tell: pwd, dirname, basename, realpath, echo, `cd x && pwd`,
   * `git rev-parse --show-toplevel`.
   */
  private substitution(n: Node, st: State): Val {
    const inner = named(n).filter((c) => !isComment(c));
    if (!this.quiet) this.statements(inner, clone(st));
    const s = clone(st);
    let out: Val = U(n.text.startsWith('`') ? `$(${n.text.slice(1, -1)})` : n.text);
    const raw = out;
    const steps: Node[] = [];
    const flatten = (x: Node) => {
      if (x.type === 'list' && kids(x)[1]?.text === '&&') {
        flatten(kids(x)[0]);
        flatten(kids(x)[2]);
      } else steps.push(x);
    };
    if (inner.length !== 1) return raw;
    this.quietly(() => flatten(inner[0]));
    for (const step of steps) {
      if (step.type !== 'command') return raw;
      const nameNode = step.childForFieldName('name');
      if (!nameNode) return raw;
      const words = this.quietly(() => [...this.expand(nameNode, s), ...step.childrenForFieldName('argument').flatMap((a) => (a ? this.expand(a, s) : []))]);
      const [h, ...args] = words;
      const a = args.filter((x) => !x.s.startsWith('-'));
      const abs = (p: Val): Val => ({
        s: p.s.startsWith(WORKSPACE_MARK) || p.s.startsWith('/') ? p.s : WORKSPACE_MARK + joinRel(s.cwd, p.s),
        known: p.known && !s.cwd.includes('$'),
      });
      if (!h?.known) return raw;
      if (h.s === 'cd') {
        if (!a[0]?.known) return raw;
        s.cwd = joinRel(s.cwd, a[0].s);
        out = raw;
      } else if (h.s === 'pwd') out = s.cwd.includes('$') ? raw : K(WORKSPACE_MARK + s.cwd);
      else if (h.s === 'dirname' && a[0]) out = { s: dirname(a[0].s), known: a[0].known };
      else if (h.s === 'basename' && a[0]) out = { s: base(a[0].s.replace(/\/+$/, '')), known: a[0].known };
      else if ((h.s === 'realpath' || h.s === 'readlink') && a[0]) out = abs(a[0]);
      else if (h.s === 'echo') out = this.join(args);
      else if (h.s === 'git' && args.some((x) => x.s === '--show-toplevel')) out = K(WORKSPACE_MARK);
      else return raw;
    }
    return out;
  }
}

/** Known variables as an environment (TF_CLI_ARGS and friends; what a callee inherits). */
function knownEnv(vars: Map<string, Val | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of vars) if (v?.known && k !== 'GITHUB_WORKSPACE') out[k] = v.s;
  return out;
}

const isAllArgs = (c: Node): boolean => /^\$(\{)?[@*](\})?$/.test(c.text);
/** The array of `${NAME[@]}` / `${NAME[*]}`. */
const allOf = (c: Node): string | undefined => /^\$\{([A-Za-z_][A-Za-z0-9_]*)\[[@*]\]\}$/.exec(c.text)?.[1];

export { shellExpand, type Val } from './shellvalues.js';

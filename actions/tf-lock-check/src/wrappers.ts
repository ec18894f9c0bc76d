// Follows what a `run:` step calls — `bash scripts/apply.sh env`, `./deploy.sh`, `sh x`, `source x`,
// `make apply` — into the script or the Makefile recipe, so the terraform commands inside belong to
// the job that runs them. Only files inside the workspace are read (the repository listing already
// excludes links that point outside). Depth and visits are bounded: a script that calls itself ends.
import { joinRel, WORKSPACE_MARK } from './commands.js';
import { type Call, scanShell, shellExpand } from './shell.js';
import type { CiCommand, JobRef } from './workflows.js';

export interface FileAccess {
  has: (rel: string) => boolean;
  read: (rel: string) => string;
}

const MAX_DEPTH = 6;

interface Ctx {
  job?: JobRef;
  via: { file: string; line: number };
  /** Scripts reached from a workflow (so they are not also read as stand-alone scripts). */
  called?: Set<string>;
  depth?: number;
  seen?: Set<string>;
}

/** The terraform commands a call runs (paths in `call` are repository-relative). */
export function followCalls(call: Call, files: FileAccess, ctx: Ctx): CiCommand[] {
  const depth = ctx.depth ?? 0;
  if (depth >= MAX_DEPTH) return [];
  const seen = ctx.seen ?? new Set<string>();
  const out: CiCommand[] = [];
  const run = (file: string, script: string, opts: { base: string; env: Record<string, string>; lineOffset: number; self?: string; args?: Call['args'] }) => {
    const { commands, calls, sourced } = scanShell(script, { env: opts.env, base: opts.base, self: opts.self, args: opts.args, files });
    for (const s of sourced) ctx.called?.add(s);
    for (const { entryLine: _, ...c } of commands)
      out.push({ ...c, file: c.file ?? file, line: c.file ? c.line : opts.lineOffset + c.line, dir: c.chdir, job: ctx.job, via: ctx.via });
    for (const inner of calls) out.push(...followCalls(inner, files, { ...ctx, depth: depth + 1, seen }));
  };
  if (call.kind === 'script') {
    // A script called twice with other arguments is read twice (the arguments pick its branches).
    const key = `${call.path}\u0000${JSON.stringify(call.args ?? null)}\u0000${call.cwd}`;
    if (!files.has(call.path) || seen.has(key)) return out;
    seen.add(key);
    ctx.called?.add(call.path);
    run(call.path, files.read(call.path), { base: call.cwd, env: call.env, lineOffset: 0, self: call.path, args: call.args });
    return out;
  }
  const dir = call.path;
  const candidates = call.makefile ? [joinRel(dir, call.makefile)] : ['GNUmakefile', 'makefile', 'Makefile'].map((f) => joinRel(dir, f));
  const makefile = candidates.find((f) => files.has(f));
  if (!makefile) return out;
  const mk = parseMakefile(files.read(makefile), call.overrides, call.env, {
    file: makefile,
    curdir: dir,
    // `include common.mk`: relative to the directory make runs in.
    read: (p) => {
      const rel = joinRel(dir, p);
      return files.has(rel) ? { file: rel, text: files.read(rel) } : undefined;
    },
  });
  const goals = call.targets.length ? call.targets : mk.defaultGoal ? [mk.defaultGoal] : [];
  const visit = (target: string) => {
    const key = `${makefile}:${target}:${JSON.stringify(call.overrides ?? {})}`;
    if (seen.has(key)) return;
    seen.add(key);
    const found = ruleFor(mk, target);
    if (!found) return;
    const { rule, stem } = found;
    for (const p of rule.prerequisites) visit(p.replace('%', stem));
    // Each recipe line runs in its own shell, in the directory make runs in, after make substitutes its
    // automatic variables ($@ the target, $* the stem of a pattern rule) and turns $$ into $.
    for (const r of rule.recipe) {
      const text = r.text.replace(/\$(?:\(([@*])\)|([@*]))/g, (_, a?: string, b?: string) => ((a ?? b) === '@' ? target : stem)).replace(/\u0002/g, '$');
      run(r.file ?? makefile, text, { base: dir, env: { ...call.env, ...mk.vars }, lineOffset: r.line - 1 });
    }
  };
  goals.forEach(visit);
  return out;
}

/** The rule that makes `target`: its own, else the first pattern rule (`apply-%`) that matches, with the stem. */
function ruleFor(mk: Makefile, target: string): { rule: MakeRule; stem: string } | undefined {
  const own = mk.rules.get(target);
  if (own && (own.recipe.length || own.prerequisites.length)) return { rule: own, stem: '' };
  for (const [t, rule] of mk.rules) {
    const i = t.indexOf('%');
    if (i < 0) continue;
    const [pre, post] = [t.slice(0, i), t.slice(i + 1)];
    if (target.length > pre.length + post.length && target.startsWith(pre) && target.endsWith(post)) return { rule, stem: target.slice(pre.length, target.length - post.length) };
  }
  return own ? { rule: own, stem: '' } : undefined;
}

type MakeRule = { prerequisites: string[]; recipe: Array<{ text: string; line: number; file?: string }> };

export interface Makefile {
  rules: Map<string, MakeRule>;
  defaultGoal?: string;
  vars: Record<string, string>;
}

/**
 * Rules, recipe lines (with their line numbers) and simple variables of a Makefile. `overrides` are
 * VAR=value on make's command line (they win over every assignment); `env` is the environment (it wins
 * over `?=` only).
 */
export function parseMakefile(
  text: string,
  overrides: Record<string, string> = {},
  env: Record<string, string> = {},
  opts: { file?: string; curdir?: string; read?: (path: string) => { file: string; text: string } | undefined } = {},
): Makefile {
  const r = new MakefileReader(overrides, env, opts);
  r.parse(text, opts.file);
  return { rules: r.rules, defaultGoal: r.defaultGoal, vars: r.vars };
}

const MAKE_VAR = /\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g;

class MakefileReader {
  readonly rules: Makefile['rules'] = new Map();
  readonly vars: Record<string, string>;
  defaultGoal: string | undefined;
  private readonly included = new Set<string>();
  /** The targets whose recipe the next tab-indented lines are. */
  private current: string[] = [];

  constructor(
    private readonly overrides: Record<string, string>,
    private readonly env: Record<string, string>,
    private readonly opts: { curdir?: string; read?: (path: string) => { file: string; text: string } | undefined },
  ) {
    // $(CURDIR) is the directory make runs in: a repository path.
    this.vars = { ...(opts.curdir !== undefined ? { CURDIR: WORKSPACE_MARK + opts.curdir } : {}), ...overrides };
  }

  private expand(v: string): string {
    return v.replace(MAKE_VAR, (all, name: string) => this.vars[name] ?? all);
  }

  parse(text: string, file: string | undefined): void {
    const raw = text.split('\n');
    this.current = [];
    for (let n = 0; n < raw.length; n++) {
      const start = n;
      let line = raw[n];
      while (line.endsWith('\\') && n + 1 < raw.length) line = `${line.slice(0, -1)} ${raw[++n].replace(/^\t/, '')}`;
      if (line.startsWith('\t')) {
        this.recipeLine(line, start + 1, file);
        continue;
      }
      const trimmed = line.replace(/#.*$/, '');
      if (!trimmed.trim()) continue;
      if (!this.include(trimmed) && !this.assignment(trimmed) && !this.rule(trimmed, start + 1, file)) this.current = [];
    }
  }

  private recipeLine(line: string, at: number, file: string | undefined): void {
    if (!this.current.length) return;
    // make's own syntax first: $(VAR) from the Makefile, $(MAKE) is make; $$ (a shell $) is kept
    // apart until the automatic variables are substituted (followCalls).
    const cmd = line
      .slice(1)
      .replace(/^[@+-]+/, '')
      .replace(/\$\$/g, '\u0002')
      .replace(/\$[({](MAKE)[)}]/g, 'make')
      .replace(MAKE_VAR, (all, v: string) => this.vars[v] ?? all);
    for (const t of this.current) this.rules.get(t)!.recipe.push({ text: cmd, line: at, file });
  }

  /** `include` / `-include` / `sinclude`: each file we can read, once. */
  private include(trimmed: string): boolean {
    const inc = /^\s*(?:-?include|sinclude)\s+(.+)$/.exec(trimmed);
    if (!inc) return false;
    for (const p of this.expand(inc[1]).trim().split(/\s+/)) {
      const got = p.includes('$') || this.included.has(p) ? undefined : this.opts.read?.(p);
      if (!got) continue;
      this.included.add(p);
      this.parse(got.text, got.file);
    }
    this.current = [];
    return true;
  }

  /** `VAR = value`, `:=`, `?=`, `+=` (and `export VAR = …`). */
  private assignment(trimmed: string): boolean {
    const assign = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(:{1,3}=|\?=|=|\+=)\s*(.*)$/.exec(trimmed);
    if (!assign) return false;
    const [, name, op, rhs] = assign;
    const { vars, env } = this;
    // A VAR=value on make's command line wins over the Makefile's own assignment; `?=` keeps a value
    // the environment or an earlier line gave.
    const keep = name in this.overrides || (op === '?=' && (name in vars || name in env));
    if (op === '?=' && !(name in vars) && name in env) vars[name] = env[name];
    const value = shellExpand(
      rhs.trim().replace(MAKE_VAR, (all, v: string) => vars[v] ?? all),
      {},
    );
    if (!keep) vars[name] = op === '+=' && vars[name] ? `${vars[name]} ${value}` : value;
    this.current = [];
    return true;
  }

  /** `targets: prerequisites [; recipe]`; the first real target is the default goal. */
  private rule(trimmed: string, at: number, file: string | undefined): boolean {
    const rule = /^([^:=#\t][^:=#]*?)\s*::?\s*(.*)$/.exec(trimmed);
    if (!rule) return false;
    const targets = rule[1].split(/\s+/).filter(Boolean);
    const [prereqPart, inlineRecipe] = rule[2].split(';', 2);
    this.current = targets.filter((t) => !t.startsWith('.'));
    for (const t of this.current) {
      if (!this.rules.has(t)) this.rules.set(t, { prerequisites: [], recipe: [] });
      this.rules.get(t)!.prerequisites.push(...prereqPart.split(/\s+/).filter((p) => p && !p.startsWith('$')));
      if (inlineRecipe?.trim()) this.rules.get(t)!.recipe.push({ text: inlineRecipe.trim(), line: at, file });
    }
    this.defaultGoal ??= this.current.find((t) => !t.includes('%'));
    return true;
  }
}

// GitHub workflow files: which terraform/tofu commands run where, in which job, and how the jobs that
// apply are serialised (`concurrency:`). Commands are found in `run:` steps and, through them, in the
// scripts and Makefile targets those steps call (wrappers.ts), so an apply hidden in
// `bash scripts/apply.sh` still belongs to the job that runs it; in the actions that apply (actions.ts);
// and in local actions (`uses: ./…`), composite or Docker, whose steps or entrypoint run in the job.
import { actionCommands, commandLine } from './actions.js';
import { imageEntrypoint, joinRel, type TfCommand } from './commands.js';
import { evaluate, type ExprContext, substitute, truthy, UNKNOWN } from './expr.js';
import { scanShell } from './shell.js';
import { type FileAccess, followCalls } from './wrappers.js';
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type ParsedWorkflow, readWorkflow, workflowValue, type YAMLMap } from './yamlread.js';

interface Concurrency {
  group?: string;
  /** true, false, or an expression string. */
  cancelInProgress: boolean | string;
  /** Where it was declared. */
  level: 'workflow' | 'job';
  line: number;
  /** Line of `cancel-in-progress:` (or of the block). */
  cancelLine?: number;
  /** Where it is declared when not in the command's own workflow (the caller of a reusable workflow). */
  file?: string;
}

export interface JobRef {
  id: string;
  line: number;
  concurrency?: Concurrency;
  /** Whether cancel-in-progress can be true for an event that reaches the step running this command. */
  cancels: boolean;
  /** The workflow is reusable (`on: workflow_call`): a caller's concurrency can serialise it. */
  reusable?: boolean;
}

/** Jobs that call a reusable workflow of this repository (`uses: ./.github/workflows/x.yml`), by called file. */
export type Callers = Map<string, Array<{ file: string; job: string; concurrency?: Concurrency }>>;

export interface CiCommand extends TfCommand {
  /** Repository-relative file (workflow, script or Makefile). */
  file: string;
  /** Directory the command runs in, repository-relative ("" = repository root). */
  dir: string;
  job?: JobRef;
  /** For a command in a script or Makefile called from a workflow: where it was called. */
  via?: { file: string; line: number };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The events that trigger the workflow (`on: push`, `on: [push, pull_request]`, `on: { push: … }`). */
function triggers(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((x): x is string => typeof x === 'string');
  if (isObj(on)) return Object.keys(on);
  return [];
}

/** Default values of workflow_dispatch and workflow_call inputs. */
function inputDefaults(on: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(on)) return out;
  for (const ev of ['workflow_dispatch', 'workflow_call']) {
    const inputs = isObj(on[ev]) ? (on[ev] as Obj).inputs : undefined;
    if (!isObj(inputs)) continue;
    for (const [k, v] of Object.entries(inputs)) {
      if (isObj(v) && ['string', 'number', 'boolean'].includes(typeof v.default)) out[k] = String(v.default);
    }
  }
  return out;
}

/**
 * The values a person running the workflow by hand can pick: each option of a `type: choice` input and
 * both values of a `type: boolean` one (the default first). A manual run that picks `apply` is an apply,
 * whatever the default is. One combination per pick, bounded.
 */
function inputChoices(on: unknown): Array<Record<string, string>> {
  let combos: Array<Record<string, string>> = [{}];
  const inputs = isObj(on) && isObj(on.workflow_dispatch) ? (on.workflow_dispatch as Obj).inputs : undefined;
  if (!isObj(inputs)) return combos;
  for (const [k, v] of Object.entries(inputs)) {
    if (!isObj(v)) continue;
    const options =
      v.type === 'choice' && Array.isArray(v.options)
        ? v.options.filter((o) => ['string', 'number', 'boolean'].includes(typeof o)).map(String)
        : v.type === 'boolean'
          ? ['true', 'false']
          : [];
    if (options.length < 2) continue;
    const def = v.default === undefined ? undefined : String(v.default);
    const ordered = def !== undefined && options.includes(def) ? [def, ...options.filter((o) => o !== def)] : options;
    combos = combos.flatMap((c) => ordered.map((o) => ({ ...c, [k]: o }))).slice(0, MAX_COMBOS);
  }
  return combos;
}

function concurrencyOf(pair: Pair | undefined, value: unknown, level: 'workflow' | 'job', lineOf: (o: number) => number): Concurrency | undefined {
  // The `concurrency:` key's line: where a reader looks for the group.
  const k = pair?.key as Node | undefined;
  const line = k?.range ? lineOf(k.range[0]) : 1;
  const n = pair?.value;
  if (typeof value === 'string') return { group: value, cancelInProgress: false, level, line };
  if (!isObj(value) || !isMap(n)) return undefined;
  const c = value['cancel-in-progress'];
  const cp = n.items.find((p) => isScalar(p.key) && p.key.value === 'cancel-in-progress');
  const cancelLine = cp && isScalar(cp.key) && cp.key.range ? lineOf(cp.key.range[0]) : line;
  const group = typeof value.group === 'string' ? value.group : undefined;
  return { group, cancelInProgress: typeof c === 'boolean' || typeof c === 'string' ? c : false, level, line, cancelLine };
}

const MAX_COMBOS = 64;

/** The job's matrix as a list of combinations (scalar values only); [{}] when there is none. */
function matrixCombos(job: Obj): Array<Record<string, string>> {
  const m = isObj(job.strategy) ? job.strategy.matrix : undefined;
  if (!isObj(m)) return [{}];
  let combos: Array<Record<string, string>> = [{}];
  for (const [k, v] of Object.entries(m)) {
    if (k === 'include' || k === 'exclude' || !Array.isArray(v)) continue;
    const vals = v.filter((x) => ['string', 'number', 'boolean'].includes(typeof x)).map(String);
    if (vals.length === 0) continue;
    combos = combos.flatMap((c) => vals.map((x) => ({ ...c, [k]: x }))).slice(0, MAX_COMBOS);
  }
  if (Array.isArray(m.include)) {
    for (const inc of m.include)
      if (isObj(inc))
        combos.push(
          Object.fromEntries(
            Object.entries(inc)
              .filter(([, x]) => typeof x !== 'object')
              .map(([k, x]) => [k, String(x)]),
          ),
        );
  }
  return combos.slice(0, MAX_COMBOS);
}

/** An `env:` map with each value's expressions resolved against what is known so far. */
function envMap(v: unknown, ctx: ExprContext): Record<string, string> {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (['string', 'number', 'boolean'].includes(typeof x)) out[k] = substitute(String(x), { ...ctx, env: { ...ctx.env, ...out } });
  return out;
}

function defaultsDir(o: Obj): string | undefined {
  const d = o.defaults;
  if (!isObj(d) || !isObj(d.run)) return undefined;
  const w = d.run['working-directory'];
  return typeof w === 'string' ? w : undefined;
}

/** Whether `cond` (an `if:`) can be true; unknown counts as yes. */
const mayRun = (cond: unknown, ctx: ExprContext): boolean => {
  if (cond === undefined || cond === null || cond === '') return true;
  if (typeof cond === 'boolean') return cond;
  return truthy(evaluate(String(cond), ctx)) !== false;
};

/** A github.ref no literal in the workflow names (a pull request's merge ref, another branch). */
const OTHER_REF = 'refs/\u0000other';

/**
 * The github.ref values worth trying for `event`: the literals the conditions compare it with, plus
 * "any other ref" — or only the branches a push filter allows. Undefined (ref unknown) when a condition
 * uses github.ref other than in == / != (startsWith, contains…), where a stand-in value could mislead.
 */
function refCandidates(texts: string[], event: string | undefined, on: unknown): Array<string | undefined> {
  const all = texts.join('\n');
  if (!all.includes('github.ref')) return [undefined];
  const compared = [...all.matchAll(/github\.ref\s*[!=]=\s*'([^']*)'|'([^']*)'\s*[!=]=\s*github\.ref\b/g)].map((m) => m[1] ?? m[2]);
  const uses = (all.match(/github\.ref\b/g) ?? []).length;
  if (compared.length !== uses) return [undefined];
  if (event === 'push' && isObj(on) && isObj(on.push) && Array.isArray(on.push.branches) && on.push.branches.every((b) => typeof b === 'string' && !/[*?[!]/.test(b))) {
    return (on.push.branches as string[]).map((b) => `refs/heads/${b}`);
  }
  return [...new Set(compared), OTHER_REF];
}

/** Whether some triggering event (and ref) reaches this step with cancel-in-progress true (or unknown). */
function cancelsFor(conc: Concurrency | undefined, events: string[], on: unknown, job: Obj, step: Obj, base: ExprContext): boolean {
  if (!conc || conc.cancelInProgress === false) return false;
  if (conc.cancelInProgress === true) return true;
  const texts = [job.if, step.if, conc.cancelInProgress].filter((x): x is string => typeof x === 'string');
  // workflow_call: github.event_name is the caller's event, which this file does not know.
  const names: Array<string | undefined> = events.length ? events.map((e) => (e === 'workflow_call' ? undefined : e)) : [undefined];
  return names.some((eventName) =>
    refCandidates(texts, eventName, on).some((ref) => {
      const ctx = { ...base, eventName, ref };
      if (!mayRun(job.if, ctx) || !mayRun(step.if, ctx)) return false;
      const v = evaluate(conc.cancelInProgress as string, ctx);
      return v === UNKNOWN || truthy(v) !== false;
    }),
  );
}

const lineOfNode = (n: unknown, wf: ParsedWorkflow): number => {
  const x = n as Node | undefined;
  return x?.range ? wf.lineOf(x.range[0]) : 1;
};

/** Terraform commands in one workflow file (and the scripts it calls). Throws WorkflowSyntaxError when it does not parse. */
export function workflowCommands(file: string, text: string, files?: FileAccess, called?: Set<string>, callers?: Callers): CiCommand[] {
  if (!text.trim()) return [];
  const wf = readWorkflow(text, file);
  const doc = workflowValue(wf);
  if (!isObj(doc) || !isObj(doc.jobs)) return [];
  const root = wf.doc.contents;
  const rootMap = isMap(root) ? root : undefined;
  const pairOf = (m: YAMLMap | undefined, key: string): Pair | undefined => m?.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  const events = triggers(doc.on);
  const inputs = inputDefaults(doc.on);
  const choices = inputChoices(doc.on);
  const wfConc = concurrencyOf(pairOf(rootMap, 'concurrency'), doc.concurrency, 'workflow', wf.lineOf);
  const wfDir = defaultsDir(doc);
  const jobsNode = pairOf(rootMap, 'jobs')?.value;
  const out: CiCommand[] = [];
  const reusable = events.includes('workflow_call');
  for (const [id, job] of Object.entries(doc.jobs)) {
    if (!isObj(job)) continue;
    const jobPair = isMap(jobsNode) ? pairOf(jobsNode, id) : undefined;
    const jl = lineOfNode(jobPair?.key, wf);
    const jobMap = isMap(jobPair?.value) ? (jobPair.value as YAMLMap) : undefined;
    const jobConc = concurrencyOf(pairOf(jobMap, 'concurrency'), job.concurrency, 'job', wf.lineOf) ?? wfConc;
    if (typeof job.uses === 'string' && job.uses.startsWith('./') && callers) {
      const target = joinRel('', job.uses.replace(/@.*$/, ''));
      callers.set(target, [...(callers.get(target) ?? []), { file, job: id, concurrency: jobConc && { ...jobConc, file } }]);
    }
    if (!Array.isArray(job.steps)) continue;
    const stepsNode = pairOf(jobMap, 'steps')?.value;
    const jobDir = defaultsDir(job) ?? wfDir ?? '';
    // Variables a step writes to $GITHUB_ENV, per matrix combination: the later steps of the job see them.
    const githubEnv = new Map<number, Record<string, string>>();
    job.steps.forEach((step, si) => {
      if (!isObj(step)) return;
      const stepNode = isSeq(stepsNode) ? stepsNode.items[si] : undefined;
      const uses = typeof step.uses === 'string' ? step.uses : undefined;
      if (typeof step.run !== 'string' && !uses) return;
      // One pass per matrix combination (and per pick of a manual run's choice inputs), so
      // `-backend-config=envs/${{ matrix.env }}.tfbackend` (directly or through a step env variable) names
      // every file it can. Same-line duplicates fold in the rules.
      const combos = matrixCombos(job)
        .flatMap((matrix) => choices.map((picked) => ({ matrix, inputs: { ...inputs, ...picked } })))
        .slice(0, MAX_COMBOS);
      combos.forEach(({ matrix, inputs }, ci) => {
        const exported = githubEnv.get(ci) ?? {};
        githubEnv.set(ci, exported);
        const ctx: ExprContext = { env: {}, inputs, matrix };
        ctx.env = envMap(doc.env, ctx);
        ctx.env = { ...ctx.env, ...envMap(job.env, ctx), ...exported };
        ctx.env = { ...ctx.env, ...envMap(step.env, ctx) };
        const jobRef: JobRef = { id, line: jl, concurrency: jobConc, cancels: cancelsFor(jobConc, events, doc.on, job, step, ctx), reusable };
        if (uses) {
          const usesNode = isMap(stepNode) ? pairOf(stepNode, 'uses')?.value : undefined;
          out.push(...usesCommands(uses, envMap(step.with, ctx), ctx, jobRef, files, { file, line: lineOfNode(usesNode, wf) }, called, 0));
          return;
        }
        const wdRaw = typeof step['working-directory'] === 'string' ? step['working-directory'] : jobDir;
        out.push(...runStep(file, wf, stepNode, step.run as string, ctx, joinRel('', substitute(wdRaw, ctx)), jobRef, files, called, undefined, exported));
      });
    });
  }
  return out;
}

/** The commands of one `run:` step (and of the scripts and make targets it calls). */
function runStep(
  file: string,
  wf: ParsedWorkflow,
  stepNode: unknown,
  run: string,
  ctx: ExprContext,
  wd: string,
  jobRef: JobRef,
  files: FileAccess | undefined,
  called: Set<string> | undefined,
  via?: { file: string; line: number },
  githubEnv?: Record<string, string>,
): CiCommand[] {
  const runNode = isMap(stepNode) ? stepNode.items.find((p) => isScalar(p.key) && p.key.value === 'run')?.value : undefined;
  // A block scalar's text starts on the line after its `|` / `>` indicator.
  const block = isScalar(runNode) && (runNode.type === 'BLOCK_LITERAL' || runNode.type === 'BLOCK_FOLDED');
  const base = lineOfNode(runNode, wf) + (block ? 1 : 0) - 1;
  const { commands, calls, githubEnv: exported, sourced } = scanShell(substitute(run, ctx), { env: ctx.env, base: wd, files });
  if (githubEnv) Object.assign(githubEnv, exported);
  for (const s of sourced) called?.add(s);
  const here = (line: number) => via ?? { file, line: base + line };
  const out: CiCommand[] = commands.map(({ entryLine, ...c }) => ({
    ...c,
    file: c.file ?? file,
    line: c.file ? c.line : base + c.line,
    dir: c.chdir,
    job: jobRef,
    ...(via || c.file ? { via: here(entryLine ?? c.line) } : {}),
  }));
  if (files) for (const call of calls) out.push(...followCalls(call, files, { job: jobRef, via: here(call.line), called }));
  return out;
}

const MAX_ACTION_DEPTH = 4;

/** The commands a `uses:` step runs: a local action (composite or Docker), a known apply action, a terraform image. */
function usesCommands(
  uses: string,
  withValues: Record<string, string>,
  caller: ExprContext,
  jobRef: JobRef,
  files: FileAccess | undefined,
  at: { file: string; line: number },
  called: Set<string> | undefined,
  depth: number,
): CiCommand[] {
  if (uses.startsWith('./')) return files ? localAction(joinRel('', uses), withValues, caller, jobRef, files, at, called, depth) : [];
  const cmds = actionCommands(uses, withValues, caller.env, at.line);
  return (cmds ?? []).map((c) => ({ ...c, file: at.file, dir: c.chdir, job: jobRef }));
}

/** A local action (`uses: ./.github/actions/x`), run as part of the calling job. */
function localAction(
  dir: string,
  withValues: Record<string, string>,
  caller: ExprContext,
  jobRef: JobRef,
  files: FileAccess,
  via: { file: string; line: number },
  called: Set<string> | undefined,
  depth: number,
): CiCommand[] {
  const file = ['action.yml', 'action.yaml'].map((f) => joinRel(dir, f)).find((f) => files.has(f));
  if (!file || depth >= MAX_ACTION_DEPTH) return [];
  let wf: ParsedWorkflow;
  let doc: unknown;
  try {
    wf = readWorkflow(files.read(file), file);
    doc = workflowValue(wf);
  } catch {
    return []; // not ours to report: GitHub fails the job that uses it
  }
  if (!isObj(doc) || !isObj(doc.runs)) return [];
  const inputs: Record<string, string> = {};
  if (isObj(doc.inputs)) for (const [k, v] of Object.entries(doc.inputs)) if (isObj(v) && ['string', 'number', 'boolean'].includes(typeof v.default)) inputs[k] = String(v.default);
  Object.assign(inputs, withValues);
  if (doc.runs.using === 'docker') return dockerAction(dir, file, doc.runs, inputs, caller, jobRef, files, via, called);
  if (doc.runs.using !== 'composite' || !Array.isArray(doc.runs.steps)) return [];
  const root = wf.doc.contents;
  const runsNode = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === 'runs')?.value : undefined;
  const stepsNode = isMap(runsNode) ? runsNode.items.find((p) => isScalar(p.key) && p.key.value === 'steps')?.value : undefined;
  const out: CiCommand[] = [];
  doc.runs.steps.forEach((step: unknown, si: number) => {
    if (!isObj(step)) return;
    const stepNode = isSeq(stepsNode) ? stepsNode.items[si] : undefined;
    const ctx: ExprContext = { env: caller.env, inputs, matrix: caller.matrix, eventName: caller.eventName };
    ctx.env = { ...caller.env, GITHUB_ACTION_PATH: dir, ...envMap(step.env, ctx) };
    if (typeof step.uses === 'string') {
      const nested = usesCommands(step.uses, envMap(step.with, ctx), ctx, jobRef, files, via, called, depth + 1);
      // A known action inside the composite: its line is the composite's `uses:` line, in the action file.
      out.push(...nested.map((c) => (c.file === via.file && !c.via ? { ...c, via } : c)));
      return;
    }
    if (typeof step.run !== 'string') return;
    // github.action_path is the action's folder; a composite step runs in the workspace root by default.
    const run = step.run.replace(/\$\{\{\s*github\.action_path\s*\}\}/g, dir);
    const wd = joinRel('', substitute(typeof step['working-directory'] === 'string' ? step['working-directory'] : '', ctx));
    out.push(...runStep(file, wf, stepNode, run, ctx, wd, jobRef, files, called, via));
  });
  return out;
}

/**
 * A local Docker action: its entrypoint runs in the workspace with `runs.args` (inputs substituted) as
 * arguments and every input as INPUT_<NAME>. An entrypoint script in the action's folder is read like
 * any script (its `$1` are those args); an image whose entrypoint is terraform/tofu runs them directly.
 */
function dockerAction(
  dir: string,
  file: string,
  runs: Record<string, unknown>,
  inputs: Record<string, string>,
  caller: ExprContext,
  jobRef: JobRef,
  files: FileAccess,
  via: { file: string; line: number },
  called: Set<string> | undefined,
): CiCommand[] {
  const ctx: ExprContext = { env: caller.env, inputs, matrix: caller.matrix, eventName: caller.eventName };
  const env: Record<string, string> = { ...caller.env, ...envMap(runs.env, ctx) };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = substitute(v, ctx);
  const args = Array.isArray(runs.args) ? runs.args.filter((a) => ['string', 'number', 'boolean'].includes(typeof a)).map((a) => substitute(String(a), ctx)) : [];
  const image = typeof runs.image === 'string' ? runs.image : '';
  let entry: string[] | undefined = typeof runs.entrypoint === 'string' ? [runs.entrypoint] : undefined;
  let dockerfile: string | undefined;
  if (image.startsWith('docker://')) entry ??= [imageEntrypoint(image.slice(9)) ?? ''];
  else {
    dockerfile = joinRel(dir, image);
    if (!files.has(dockerfile)) return [];
    entry ??= dockerEntrypoint(files.read(dockerfile));
  }
  if (!entry?.[0]) return [];
  const mk = (cmds: TfCommand[]): CiCommand[] => cmds.map((c) => ({ ...c, file, line: 1, dir: c.chdir, job: jobRef, via }));
  // ["terraform"] or ["bash", "/entrypoint.sh"] or ["/entrypoint.sh"]: the script in the action folder that the Dockerfile copies there.
  const [first, ...more] = entry;
  const script = /^(ba|z|da|k)?sh$/.test(first.replace(/^.*\//, '')) ? more.find((a) => !a.startsWith('-')) : first;
  const local = script && dockerfile ? copiedFrom(files.read(dockerfile), script, dir) : undefined;
  if (local && files.has(local)) {
    const call = { kind: 'script' as const, path: local, targets: [], args: args.map((s) => ({ s, known: !s.includes('${{') })), line: 1, cwd: '', env };
    return followCalls(call, files, { job: jobRef, via, called });
  }
  return mk(commandLine(entry.join(' '), args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), env, 1, ''));
}

/** ENTRYPOINT of a Dockerfile (the last one), exec or shell form, as words. */
function dockerEntrypoint(text: string): string[] | undefined {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const last = lines.filter((l) => /^\s*ENTRYPOINT\s/i.test(l)).at(-1);
  if (!last) return undefined;
  const value = last.replace(/^\s*ENTRYPOINT\s+/i, '').trim();
  if (value.startsWith('[')) {
    try {
      const arr = JSON.parse(value) as unknown;
      return Array.isArray(arr) ? arr.map(String) : undefined;
    } catch {
      return undefined;
    }
  }
  return ['/bin/sh', '-c', value];
}

/** The file of the action folder a Dockerfile COPY/ADD puts at `target` (else one with the same name). */
function copiedFrom(dockerfile: string, target: string, dir: string): string | undefined {
  for (const l of dockerfile.split('\n')) {
    const m = /^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*(.+)$/i.exec(l);
    if (!m) continue;
    const parts = m[1].trim().split(/\s+/);
    const dest = parts.pop()!;
    for (const src of parts) {
      const name = src.replace(/^.*\//, '');
      if (dest === target || (dest.endsWith('/') && `${dest}${name}` === target)) return joinRel(dir, src);
    }
  }
  return joinRel(dir, target.replace(/^.*\//, ''));
}

/** Terraform commands in a shell script run on its own; CI runs scripts from the repository root, so paths start there. */
export function scriptCommands(file: string, text: string, files?: FileAccess): CiCommand[] {
  return scanShell(text, { base: '', self: file, files, standalone: true }).commands.map(({ entryLine: _, ...c }) => ({ ...c, file: c.file ?? file, dir: c.chdir }));
}

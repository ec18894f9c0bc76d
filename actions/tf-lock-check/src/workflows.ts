// GitHub workflow files: which terraform/tofu commands run where, in which job, and how the jobs that
// apply are serialised (`concurrency:`). Commands are found in `run:` steps and, through them, in the
// scripts and Makefile targets those steps call (wrappers.ts), so an apply hidden in
// `bash scripts/apply.sh` still belongs to the job that runs it.
import { scanShell, joinRel, type TfCommand } from './commands.js';
import { evaluate, type ExprContext, substitute, truthy, UNKNOWN } from './expr.js';
import { type FileAccess, followCalls } from './wrappers.js';
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type ParsedWorkflow, readWorkflow, workflowValue, type YAMLMap } from './yamlread.js';

export interface Concurrency {
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
export function triggers(on: unknown): string[] {
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
export function matrixCombos(job: Obj): Array<Record<string, string>> {
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
      const local = typeof step.uses === 'string' && step.uses.startsWith('./') ? step.uses : undefined;
      if (typeof step.run !== 'string' && !(local && files)) return;
      // One pass per matrix combination, so `-backend-config=envs/${{ matrix.env }}.tfbackend` (directly
      // or through a step env variable) names every file it can. Same-line duplicates fold in the rules.
      matrixCombos(job).forEach((matrix, ci) => {
        const exported = githubEnv.get(ci) ?? {};
        githubEnv.set(ci, exported);
        const ctx: ExprContext = { env: {}, inputs, matrix };
        ctx.env = envMap(doc.env, ctx);
        ctx.env = { ...ctx.env, ...envMap(job.env, ctx), ...exported };
        ctx.env = { ...ctx.env, ...envMap(step.env, ctx) };
        const jobRef: JobRef = { id, line: jl, concurrency: jobConc, cancels: cancelsFor(jobConc, events, doc.on, job, step, ctx), reusable };
        if (local && files) {
          // A local composite action: its run steps are this job's steps.
          const usesNode = isMap(stepNode) ? pairOf(stepNode, 'uses')?.value : undefined;
          const withValues = envMap(step.with, ctx);
          out.push(...compositeCommands(joinRel('', local), withValues, ctx, jobRef, files, { file, line: lineOfNode(usesNode, wf) }, called, 0));
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
  const { commands, calls, githubEnv: exported } = scanShell(substitute(run, ctx), ctx.env);
  if (githubEnv) Object.assign(githubEnv, exported);
  const out: CiCommand[] = commands.map((c) => ({ ...c, file, line: base + c.line, dir: joinRel(wd, c.chdir), job: jobRef, ...(via ? { via } : {}) }));
  if (files) for (const call of calls) out.push(...followCalls(call, wd, files, { job: jobRef, via: via ?? { file, line: base + call.line }, called }));
  return out;
}

const MAX_COMPOSITE_DEPTH = 4;

/** The commands of a local composite action (`uses: ./.github/actions/x`), run as part of the calling job. */
function compositeCommands(
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
  if (!file || depth >= MAX_COMPOSITE_DEPTH) return [];
  let wf: ParsedWorkflow;
  let doc: unknown;
  try {
    wf = readWorkflow(files.read(file), file);
    doc = workflowValue(wf);
  } catch {
    return []; // not ours to report: GitHub fails the job that uses it
  }
  if (!isObj(doc) || !isObj(doc.runs) || doc.runs.using !== 'composite' || !Array.isArray(doc.runs.steps)) return [];
  const inputs: Record<string, string> = {};
  if (isObj(doc.inputs)) for (const [k, v] of Object.entries(doc.inputs)) if (isObj(v) && ['string', 'number', 'boolean'].includes(typeof v.default)) inputs[k] = String(v.default);
  Object.assign(inputs, withValues);
  const root = wf.doc.contents;
  const runsNode = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === 'runs')?.value : undefined;
  const stepsNode = isMap(runsNode) ? runsNode.items.find((p) => isScalar(p.key) && p.key.value === 'steps')?.value : undefined;
  const out: CiCommand[] = [];
  doc.runs.steps.forEach((step: unknown, si: number) => {
    if (!isObj(step)) return;
    const stepNode = isSeq(stepsNode) ? stepsNode.items[si] : undefined;
    const ctx: ExprContext = { env: caller.env, inputs, matrix: caller.matrix, eventName: caller.eventName };
    ctx.env = { ...caller.env, GITHUB_ACTION_PATH: dir, ...envMap(step.env, ctx) };
    if (typeof step.uses === 'string' && step.uses.startsWith('./')) {
      out.push(...compositeCommands(joinRel('', step.uses), envMap(step.with, ctx), ctx, jobRef, files, via, called, depth + 1));
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

/** Terraform commands in a shell script run on its own; CI runs scripts from the repository root, so paths start there. */
export function scriptCommands(file: string, text: string): CiCommand[] {
  return scanShell(text).commands.map((c) => ({ ...c, file, dir: joinRel('', c.chdir) }));
}

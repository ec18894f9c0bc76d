// Finds the stages `platform-actions check` runs: every workflow step in the repository that uses one of
// our actions, and the steps of every reusable workflow of ours that a job calls (expanded in place, with
// the caller's `with:` as the callee's `inputs`), through local reusable workflows and composite actions
// of the repository that lead to ours. Everything else a workflow uses is listed once as not ours and
// never run. Values stay unevaluated here, with the contexts they will be evaluated in, so that the
// pipeline can report every expression it cannot evaluate before it runs anything.
//
// The same walk records each job as `check --run-steps` runs it (JobNode): its steps in order — run: steps,
// steps of ours (the stages), other actions, composite actions with their own steps — and, for a job that
// calls a reusable workflow, the called workflow's jobs in its place. Nothing is evaluated here either.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml as readBoundedYaml, YamlError } from '@platform-actions/kit';
import { workflowsDir } from './assets.js';
import type { Value } from '@platform-actions/expressions';
import { classify, type Identity, withoutRef } from './ours.js';

/** A CLI error the user can fix: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * A `run:` step with an id and an `if:` before a stage of the same job. `check` never runs it, but when its
 * `if:` is false locally its outputs are known: empty, as GitHub leaves a skipped step's.
 */
interface SkippableStep {
  id: string;
  /** Raw `if:` of the job(s) and the step. */
  conditions: unknown[];
}

export interface Stage {
  /** Unique short name: the action's name, or `<job>/<action>` when several steps use the same action. */
  name: string;
  action: string;
  /** Workflow file (relative to the repository, or platform-actions/… for ours) and job id, for messages. */
  workflow: string;
  job: string;
  /** Step id, for steps.<id>.outputs.* in later stages of the same job. */
  stepId?: string;
  /** Raw `with:` values (may contain `${{ }}`). */
  with: Record<string, unknown>;
  /** Raw env of workflow, job and step, merged in that order. */
  env: Record<string, unknown>;
  /** Raw `if:` of the job(s) and the step, all of which must hold. */
  conditions: unknown[];
  /** The `inputs` context of the workflow the step is in (callee inputs for reusable workflows). */
  inputs: Record<string, Value>;
  /** The jobs (`file#job`) that called the workflow this step is in, outermost first. */
  callChain: string[];
  /** The job declares service containers (e.g. PostgreSQL) that a URL in `with:` may point at. */
  services: string[];
  /** Key shared by stages of one job run, for steps.<id> lookups. */
  jobKey: string;
  /** `run:` steps before this one in the same job that may be skipped locally. */
  before: SkippableStep[];
}

/** Something a workflow uses that is not ours: listed once, never run. */
interface NotOurs {
  uses: string;
  /** Where it was first seen: workflow › job. */
  where: string;
  why?: string;
}

/** A `uses:` of ours pinned at a ref (the pipeline compares it with the build that runs). */
interface Pin {
  ref: string;
  where: string;
}

interface StepDoc {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: unknown;
  name?: unknown;
  shell?: unknown;
  'working-directory'?: unknown;
  'continue-on-error'?: unknown;
  'timeout-minutes'?: unknown;
}
interface RunDefaults {
  shell?: unknown;
  'working-directory'?: unknown;
}
interface JobDoc {
  name?: unknown;
  uses?: string;
  with?: Record<string, unknown>;
  if?: unknown;
  needs?: string | string[];
  env?: Record<string, unknown>;
  services?: Record<string, unknown>;
  steps?: StepDoc[];
  strategy?: { matrix?: unknown };
  'runs-on'?: unknown;
  environment?: unknown;
  permissions?: unknown;
  outputs?: Record<string, unknown>;
  defaults?: { run?: RunDefaults };
  'continue-on-error'?: unknown;
  'timeout-minutes'?: unknown;
}
interface WorkflowDoc {
  on?: unknown;
  env?: Record<string, unknown>;
  permissions?: unknown;
  defaults?: { run?: RunDefaults };
  jobs?: Record<string, JobDoc>;
}
interface ActionDoc {
  inputs?: Record<string, { default?: unknown }>;
  outputs?: Record<string, { value?: unknown }>;
  runs?: { using?: string; steps?: StepDoc[] };
}

/** One step of a job, as `check --run-steps` runs it. Raw values: evaluated when the step runs. */
export interface JobStep {
  /** run: a script; action: one of ours (a stage); uses: someone else's action; composite: a local composite action. */
  kind: 'run' | 'action' | 'uses' | 'composite';
  id?: string;
  name?: unknown;
  if?: unknown;
  /** The step's own env: block (the job's is on the JobNode). */
  env: Record<string, unknown>;
  run?: string;
  shell?: unknown;
  workingDirectory?: unknown;
  uses?: string;
  with: Record<string, unknown>;
  continueOnError?: unknown;
  timeoutMinutes?: unknown;
  /** kind action: the stage it is. */
  stage?: Stage;
  /** kind composite: its declared inputs' defaults, its steps (by their own ids) and its outputs' values. */
  composite?: { path: string; defaults: Record<string, Value>; steps: JobStep[]; outputs: Record<string, unknown> };
}

/** A job as `check --run-steps` runs it: its own steps, or (kind call) the jobs of the workflow it calls. */
export interface JobNode {
  kind: 'job' | 'call';
  /** Unique across the run: workflow#job, prefixed with the calling jobs' keys. */
  key: string;
  id: string;
  name?: unknown;
  workflow: string;
  callChain: string[];
  /** Ids of the jobs of the same workflow it needs. */
  needs: string[];
  if?: unknown;
  /** Raw workflow env with the job's env over it (a called workflow does not see its caller's). */
  env: Record<string, unknown>;
  /** defaults.run of the workflow with the job's over it. */
  defaults: { shell?: unknown; workingDirectory?: unknown };
  services: Record<string, unknown>;
  matrix?: unknown;
  runsOn?: unknown;
  environment?: unknown;
  /** The job's permissions, else the workflow's. */
  permissions?: unknown;
  outputs: Record<string, unknown>;
  continueOnError?: unknown;
  timeoutMinutes?: unknown;
  /** The `inputs` context of the workflow the job is in (a called workflow's: shared with its stages, refreshed when the call runs). */
  inputs: Record<string, Value>;
  steps: JobStep[];
  /**
   * kind call: what it calls, its raw with:, the callee's outputs (workflow_call outputs' values), jobs,
   * declared input defaults, and the callee's `inputs` object (its jobs and stages share it).
   */
  call?: {
    uses: string;
    with: Record<string, unknown>;
    outputs: Record<string, unknown>;
    jobs: JobNode[];
    defaults: Record<string, Value>;
    inputs: Record<string, Value>;
  };
  /** A call that cannot run here (someone else's reusable workflow, a missing file): why. */
  unavailable?: string;
}

/** An entry workflow, its triggers and its jobs. */
export interface WorkflowNode {
  file: string;
  triggers: string[];
  jobs: JobNode[];
}

function readYaml(file: string, label: string): unknown {
  try {
    // The kit's bounded reader (js-yaml 5, YAML 1.2 core as GitHub reads it, several times faster than
    // `yaml` here; the time to the first stage counts in a pre-push hook). An alias bomb or deep nesting
    // ends in one line naming the file instead of hanging every push.
    return readBoundedYaml(readFileSync(file, 'utf8'), { file: label });
  } catch (e) {
    if (e instanceof YamlError && e.kind === 'limit') throw new UsageError(e.message);
    throw new UsageError(`${label}: not valid YAML (${(e instanceof YamlError ? e.reason : (e as Error).message).split('\n')[0]})`);
  }
}

function readWorkflow(file: string, label: string): WorkflowDoc {
  const doc = readYaml(file, label);
  if (doc === null || typeof doc !== 'object') throw new UsageError(`${label}: not a workflow (expected a mapping with jobs:)`);
  return doc as WorkflowDoc;
}

export const triggers = (on: unknown): string[] => (typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : on && typeof on === 'object' ? Object.keys(on) : []);

/** Default values of a workflow's declared inputs (workflow_call or workflow_dispatch), typed. */
function inputDefaults(wf: WorkflowDoc): Record<string, Value> {
  const on = wf.on && typeof wf.on === 'object' && !Array.isArray(wf.on) ? (wf.on as Record<string, { inputs?: Record<string, { default?: unknown }> } | null>) : {};
  const out: Record<string, Value> = {};
  for (const kind of ['workflow_dispatch', 'workflow_call']) {
    for (const [k, spec] of Object.entries(on[kind]?.inputs ?? {})) if (!(k in out)) out[k] = (spec?.default ?? null) as Value;
  }
  return out;
}

export interface Discovery {
  stages: Stage[];
  /** Workflow files of the repository that were read as entry points (relative paths). */
  workflows: string[];
  notOurs: NotOurs[];
  pins: Pin[];
  /** The same workflows as jobs and steps, for check --run-steps. */
  graph: WorkflowNode[];
}

/** Where a `with:` is evaluated: the caller's contexts. */
type WithContext = Pick<Stage, 'workflow' | 'job' | 'env' | 'conditions' | 'inputs' | 'callChain' | 'jobKey' | 'before'>;

const MAX_NESTING = 10;

/**
 * Walks .github/workflows/*.yml|yaml of `repo`. Workflows that are only `workflow_call` are skipped at the top
 * level (they run when called). `evalWith` evaluates a reusable workflow's or composite action's `with:` in
 * the caller's context.
 */
export function discover(repo: string, id: Identity & { checkedIsOurs: boolean }, evalWith: (raw: Record<string, unknown>, at: WithContext) => Record<string, Value>): Discovery {
  const dir = join(repo, '.github', 'workflows');
  if (!existsSync(dir)) throw new UsageError(`${repo}: no .github/workflows folder (run check in a repository with workflows, or pass --repo)`);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const stages: Stage[] = [];
  const notOurs = new Map<string, NotOurs>();
  const pins: Pin[] = [];
  const notMine = (uses: string, where: string, why?: string) => {
    const key = withoutRef(uses);
    if (!notOurs.has(key)) notOurs.set(key, { uses: key, where, ...(why ? { why } : {}) });
  };

  interface Scope {
    label: string;
    inOurs: boolean;
    inputs: Record<string, Value>;
    env: Record<string, unknown>;
    conditions: unknown[];
    chain: string[];
    keyPrefix: string;
  }

  type JobRef = { id: string; key: string; services: string[] };
  const common = (step: StepDoc) => ({
    id: step.id,
    name: step.name,
    if: step.if,
    env: step.env ?? {},
    with: step.with ?? {},
    continueOnError: step['continue-on-error'],
    timeoutMinutes: step['timeout-minutes'],
  });

  /** The steps of a job or composite action: ours become stages, local composites are expanded. */
  const walkSteps = (steps: StepDoc[], scope: Scope, job: JobRef): { found: number; plan: JobStep[] } => {
    let found = 0;
    const plan: JobStep[] = [];
    const before: SkippableStep[] = [];
    for (const step of steps) {
      if (!step || typeof step !== 'object') continue;
      const env = { ...scope.env, ...(step.env ?? {}) };
      const conditions = [...scope.conditions, ...(step.if !== undefined ? [step.if] : [])];
      const where = `${scope.label} › ${job.id}`;
      if (typeof step.uses !== 'string') {
        if (step.id && step.if !== undefined) before.push({ id: step.id, conditions });
        if (typeof step.run === 'string') plan.push({ ...common(step), kind: 'run', run: step.run, shell: step.shell, workingDirectory: step['working-directory'] });
        continue;
      }
      const u = classify(step.uses, id, { inOurs: scope.inOurs, checkedIsOurs: id.checkedIsOurs });
      if (u.kind === 'action') {
        if (u.ref) pins.push({ ref: u.ref, where });
        const stage: Stage = {
          name: '',
          action: u.name,
          workflow: scope.label,
          job: job.id,
          stepId: step.id,
          with: step.with ?? {},
          env,
          conditions,
          inputs: scope.inputs,
          callChain: scope.chain,
          services: job.services,
          jobKey: job.key,
          before: [...before],
        };
        stages.push(stage);
        plan.push({ ...common(step), kind: 'action', uses: step.uses, stage });
        found++;
      } else if (u.kind === 'local-action') {
        const c = scope.chain.length < MAX_NESTING ? walkComposite(u.path, step, { ...scope, env, conditions }, job, before) : undefined;
        if (!c?.found) notMine(step.uses, where, 'a local action that uses nothing of ours');
        found += c?.found ?? 0;
        plan.push(c ? { ...common(step), kind: 'composite', uses: step.uses, composite: c.composite } : { ...common(step), kind: 'uses', uses: step.uses });
      } else {
        notMine(step.uses, where, u.kind === 'not-ours' ? u.why : undefined);
        plan.push({ ...common(step), kind: 'uses', uses: step.uses });
      }
    }
    return { found, plan };
  };

  /** A composite action of the checked repository: its steps, with the caller's `with:` as its `inputs`. */
  const walkComposite = (
    path: string,
    step: StepDoc,
    scope: Scope,
    job: JobRef,
    before: SkippableStep[],
  ): { found: number; composite: NonNullable<JobStep['composite']> } | undefined => {
    const file = ['action.yml', 'action.yaml'].map((f) => join(repo, path, f)).find((f) => existsSync(f));
    if (!file) return undefined;
    const doc = readYaml(file, `${path}/action.yml`) as ActionDoc | null;
    if (doc?.runs?.using !== 'composite' || !Array.isArray(doc.runs.steps)) return undefined;
    const given = evalWith(step.with ?? {}, {
      workflow: scope.label,
      job: job.id,
      env: scope.env,
      conditions: scope.conditions,
      inputs: scope.inputs,
      callChain: scope.chain,
      jobKey: job.key,
      before,
    });
    const defaults = Object.fromEntries(Object.entries(doc.inputs ?? {}).map(([k, s]) => [k, (s?.default ?? null) as Value]));
    // Steps of a composite see its own inputs and steps (by their ids, within the composite), not the caller's.
    const inner = walkSteps(
      doc.runs.steps,
      {
        label: `${path}/action.yml`,
        inOurs: false,
        inputs: { ...defaults, ...given },
        env: scope.env,
        conditions: scope.conditions,
        chain: [...scope.chain, `${scope.label}#${job.id}`],
        keyPrefix: scope.keyPrefix,
      },
      { ...job, key: `${job.key}>${path}` },
    );
    const outputs = Object.fromEntries(Object.entries(doc.outputs ?? {}).map(([k, o]) => [k, o?.value ?? '']));
    return { found: inner.found, composite: { path, defaults, steps: inner.plan, outputs } };
  };

  const list = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : []);

  const walkJobs = (wf: WorkflowDoc, scope: Scope): { found: number; nodes: JobNode[] } => {
    let found = 0;
    const nodes: JobNode[] = [];
    for (const [jobId, job] of Object.entries(wf.jobs ?? {})) {
      if (!job || typeof job !== 'object') continue;
      const conditions = [...scope.conditions, ...(job.if !== undefined ? [job.if] : [])];
      const jobKey = `${scope.keyPrefix}${scope.label}#${jobId}`;
      const where = `${scope.label} › ${jobId}`;
      const env = { ...scope.env, ...(wf.env ?? {}) };
      const node: JobNode = {
        kind: 'job',
        key: jobKey,
        id: jobId,
        name: job.name,
        workflow: scope.label,
        callChain: scope.chain,
        needs: list(job.needs),
        if: job.if,
        env: { ...env, ...(job.env ?? {}) },
        defaults: {
          shell: job.defaults?.run?.shell ?? wf.defaults?.run?.shell,
          workingDirectory: job.defaults?.run?.['working-directory'] ?? wf.defaults?.run?.['working-directory'],
        },
        services: job.services && typeof job.services === 'object' ? job.services : {},
        matrix: job.strategy?.matrix,
        runsOn: job['runs-on'],
        environment: job.environment,
        permissions: job.permissions ?? wf.permissions,
        outputs: job.outputs ?? {},
        continueOnError: job['continue-on-error'],
        timeoutMinutes: job['timeout-minutes'],
        inputs: scope.inputs,
        steps: [],
      };
      nodes.push(node);
      if (typeof job.uses !== 'string') {
        const r = walkSteps(job.steps ?? [], { ...scope, env: node.env, conditions }, { id: jobId, key: jobKey, services: Object.keys(node.services) });
        node.steps = r.plan;
        found += r.found;
        continue;
      }
      node.kind = 'call';
      const u = classify(job.uses, id, { inOurs: scope.inOurs, checkedIsOurs: id.checkedIsOurs });
      let callee: { file: string; label: string; inOurs: boolean } | undefined;
      if (u.kind === 'workflow') {
        if (u.ref) pins.push({ ref: u.ref, where });
        callee = { file: join(workflowsDir, u.file), label: `platform-actions/.github/workflows/${u.file}`, inOurs: true };
      } else if (u.kind === 'local-workflow' && existsSync(join(repo, u.path))) {
        callee = { file: join(repo, u.path), label: u.path, inOurs: scope.inOurs };
      }
      if (!callee) {
        const why = u.kind === 'not-ours' ? u.why : u.kind === 'local-workflow' ? 'no such file' : undefined;
        notMine(job.uses, where, why);
        node.unavailable = why ?? 'a reusable workflow that is not ours';
        continue;
      }
      if (scope.chain.length >= MAX_NESTING) throw new UsageError(`${scope.label}: job ${jobId}: reusable workflows nest more than ${MAX_NESTING} levels`);
      const calleeWf = readWorkflow(callee.file, callee.label);
      // The callee's inputs: its declared defaults, overridden by what the caller passes.
      const given = evalWith(job.with ?? {}, { workflow: scope.label, job: jobId, env, conditions, inputs: scope.inputs, callChain: scope.chain, jobKey, before: [] });
      const defaults = inputDefaults(calleeWf);
      const inputs = { ...defaults, ...given };
      // A called workflow does not see the caller's env (GitHub does not pass it in).
      const r = walkJobs(calleeWf, {
        label: callee.label,
        inOurs: callee.inOurs,
        inputs,
        env: {},
        conditions,
        chain: [...scope.chain, `${scope.label}#${jobId}`],
        keyPrefix: `${jobKey}>`,
      });
      if (r.found === 0 && u.kind === 'local-workflow') notMine(job.uses, where, 'a local workflow that uses nothing of ours');
      found += r.found;
      const on =
        calleeWf.on && typeof calleeWf.on === 'object' && !Array.isArray(calleeWf.on)
          ? (calleeWf.on as Record<string, { outputs?: Record<string, { value?: unknown }> } | null>)
          : {};
      const outputs = Object.fromEntries(Object.entries(on.workflow_call?.outputs ?? {}).map(([k, o]) => [k, o?.value ?? '']));
      node.call = { uses: job.uses, with: job.with ?? {}, outputs, jobs: r.nodes, defaults, inputs };
    }
    return { found, nodes };
  };

  const used: string[] = [];
  const graph: WorkflowNode[] = [];
  for (const f of files) {
    const label = `.github/workflows/${f}`;
    const wf = readWorkflow(join(dir, f), label);
    const on = triggers(wf.on);
    if (on.length === 1 && on[0] === 'workflow_call') continue;
    used.push(label);
    const r = walkJobs(wf, { label, inOurs: id.checkedIsOurs, inputs: inputDefaults(wf), env: {}, conditions: [], chain: [], keyPrefix: '' });
    graph.push({ file: label, triggers: on, jobs: r.nodes });
  }
  return { stages: nameStages(stages), workflows: used, notOurs: [...notOurs.values()], pins, graph };
}

/** Stage names: the action's name; `<job>/<action>` when the name repeats; then `-2`, `-3`… when that repeats too. */
export function nameStages(stages: Omit<Stage, 'name'>[]): Stage[] {
  const count = new Map<string, number>();
  for (const s of stages) count.set(s.action, (count.get(s.action) ?? 0) + 1);
  const seen = new Map<string, number>();
  // Named in place: a job's steps (JobStep.stage) refer to these same objects.
  return stages.map((s) => {
    let name = count.get(s.action)! > 1 ? `${s.job}/${s.action}` : s.action;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name}-${n}`;
    return Object.assign(s, { name }) as Stage;
  });
}

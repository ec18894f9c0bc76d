// Finds the stages `platform-actions check` runs: every workflow step in the repository that uses one of
// our actions, and the steps of every reusable workflow of ours that a job calls (expanded in place, with
// the caller's `with:` as the callee's `inputs`), through local reusable workflows and composite actions
// of the repository that lead to ours. Everything else a workflow uses is listed once as not ours and
// never run. Values stay unevaluated here, with the contexts they will be evaluated in, so that the
// pipeline can report every expression it cannot evaluate before it runs anything.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml as readBoundedYaml, YamlError } from '@platform-actions/kit';
import { workflowsDir } from './assets.js';
import type { Value } from '@platform-actions/expressions';
import { classify, type Identity, withoutRef } from './ours.js';
import { emulatedStep } from './rules.js';

/** A CLI error the user can fix: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * A `run:` step with an id before a stage of the same job. The CLI never runs it, but its outputs can still
 * be known: empty when its `if:` is false locally (as GitHub leaves a skipped step's outputs), or computed
 * from its env when it is one of ours in rules.ts (security-scan's trivy targets).
 */
interface EmulatedStep {
  id: string;
  /** The EMULATED_STEPS key, for a step of ours the CLI can compute. */
  key?: string;
  /** Raw `if:` of the job(s) and the step. */
  conditions: unknown[];
  /** Raw env of the step (workflow, job, step), evaluated when the stage is resolved. */
  env: Record<string, unknown>;
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
  /** Emulated `run:` steps before this one in the same job. */
  before: EmulatedStep[];
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

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: unknown;
  name?: string;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  if?: unknown;
  env?: Record<string, unknown>;
  services?: Record<string, unknown>;
  steps?: Step[];
}
interface Workflow {
  on?: unknown;
  env?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}
interface ActionDoc {
  inputs?: Record<string, { default?: unknown }>;
  runs?: { using?: string; steps?: Step[] };
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

function readWorkflow(file: string, label: string): Workflow {
  const doc = readYaml(file, label);
  if (doc === null || typeof doc !== 'object') throw new UsageError(`${label}: not a workflow (expected a mapping with jobs:)`);
  return doc as Workflow;
}

const triggers = (on: unknown): string[] => (typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : on && typeof on === 'object' ? Object.keys(on) : []);

/** Default values of a workflow's declared inputs (workflow_call or workflow_dispatch), typed. */
function inputDefaults(wf: Workflow): Record<string, Value> {
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
  const stages: Omit<Stage, 'name'>[] = [];
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

  /** The steps of a job or composite action: ours become stages, local composites are expanded. */
  const walkSteps = (steps: Step[], scope: Scope, job: { id: string; key: string; services: string[] }): number => {
    let found = 0;
    const before: EmulatedStep[] = [];
    for (const step of steps) {
      if (!step || typeof step !== 'object') continue;
      const env = { ...scope.env, ...(step.env ?? {}) };
      const conditions = [...scope.conditions, ...(step.if !== undefined ? [step.if] : [])];
      const where = `${scope.label} › ${job.id}`;
      if (typeof step.uses !== 'string') {
        const key = scope.inOurs && step.id ? emulatedStep(scope.label, step.id) : undefined;
        if (step.id && (key || step.if !== undefined)) before.push({ id: step.id, ...(key ? { key } : {}), conditions, env });
        continue;
      }
      const u = classify(step.uses, id, { inOurs: scope.inOurs, checkedIsOurs: id.checkedIsOurs });
      if (u.kind === 'action') {
        if (u.ref) pins.push({ ref: u.ref, where });
        stages.push({
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
        });
        found++;
      } else if (u.kind === 'local-action') {
        const n = scope.chain.length < MAX_NESTING ? walkComposite(u.path, step, { ...scope, env, conditions }, job, before) : 0;
        if (n === 0) notMine(step.uses, where, 'a local action that uses nothing of ours');
        found += n;
      } else notMine(step.uses, where, u.kind === 'not-ours' ? u.why : undefined);
    }
    return found;
  };

  /** A composite action of the checked repository: its steps, with the caller's `with:` as its `inputs`. */
  const walkComposite = (path: string, step: Step, scope: Scope, job: { id: string; key: string; services: string[] }, before: EmulatedStep[]): number => {
    const file = ['action.yml', 'action.yaml'].map((f) => join(repo, path, f)).find((f) => existsSync(f));
    if (!file) return 0;
    const doc = readYaml(file, `${path}/action.yml`) as ActionDoc | null;
    if (doc?.runs?.using !== 'composite' || !Array.isArray(doc.runs.steps)) return 0;
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
    return walkSteps(
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
  };

  const walkJobs = (wf: Workflow, scope: Scope): number => {
    let found = 0;
    for (const [jobId, job] of Object.entries(wf.jobs ?? {})) {
      if (!job || typeof job !== 'object') continue;
      const conditions = [...scope.conditions, ...(job.if !== undefined ? [job.if] : [])];
      const jobKey = `${scope.keyPrefix}${scope.label}#${jobId}`;
      const where = `${scope.label} › ${jobId}`;
      const env = { ...scope.env, ...(wf.env ?? {}) };
      if (typeof job.uses !== 'string') {
        found += walkSteps(job.steps ?? [], { ...scope, env: { ...env, ...(job.env ?? {}) }, conditions }, { id: jobId, key: jobKey, services: Object.keys(job.services ?? {}) });
        continue;
      }
      const u = classify(job.uses, id, { inOurs: scope.inOurs, checkedIsOurs: id.checkedIsOurs });
      let callee: { file: string; label: string; inOurs: boolean } | undefined;
      if (u.kind === 'workflow') {
        if (u.ref) pins.push({ ref: u.ref, where });
        callee = { file: join(workflowsDir, u.file), label: `platform-actions/.github/workflows/${u.file}`, inOurs: true };
      } else if (u.kind === 'local-workflow' && existsSync(join(repo, u.path))) {
        callee = { file: join(repo, u.path), label: u.path, inOurs: scope.inOurs };
      }
      if (!callee) {
        notMine(job.uses, where, u.kind === 'not-ours' ? u.why : u.kind === 'local-workflow' ? 'no such file' : undefined);
        continue;
      }
      if (scope.chain.length >= MAX_NESTING) throw new UsageError(`${scope.label}: job ${jobId}: reusable workflows nest more than ${MAX_NESTING} levels`);
      const calleeWf = readWorkflow(callee.file, callee.label);
      // The callee's inputs: its declared defaults, overridden by what the caller passes.
      const given = evalWith(job.with ?? {}, { workflow: scope.label, job: jobId, env, conditions, inputs: scope.inputs, callChain: scope.chain, jobKey, before: [] });
      // A called workflow does not see the caller's env (GitHub does not pass it in).
      const n = walkJobs(calleeWf, {
        label: callee.label,
        inOurs: callee.inOurs,
        inputs: { ...inputDefaults(calleeWf), ...given },
        env: {},
        conditions,
        chain: [...scope.chain, `${scope.label}#${jobId}`],
        keyPrefix: `${jobKey}>`,
      });
      if (n === 0 && u.kind === 'local-workflow') notMine(job.uses, where, 'a local workflow that uses nothing of ours');
      found += n;
    }
    return found;
  };

  const used: string[] = [];
  for (const f of files) {
    const label = `.github/workflows/${f}`;
    const wf = readWorkflow(join(dir, f), label);
    const on = triggers(wf.on);
    if (on.length === 1 && on[0] === 'workflow_call') continue;
    used.push(label);
    walkJobs(wf, { label, inOurs: id.checkedIsOurs, inputs: inputDefaults(wf), env: {}, conditions: [], chain: [], keyPrefix: '' });
  }
  return { stages: nameStages(stages), workflows: used, notOurs: [...notOurs.values()], pins };
}

/** Stage names: the action's name; `<job>/<action>` when the name repeats; then `-2`, `-3`… when that repeats too. */
export function nameStages(stages: Omit<Stage, 'name'>[]): Stage[] {
  const count = new Map<string, number>();
  for (const s of stages) count.set(s.action, (count.get(s.action) ?? 0) + 1);
  const seen = new Map<string, number>();
  return stages.map((s) => {
    let name = count.get(s.action)! > 1 ? `${s.job}/${s.action}` : s.action;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name}-${n}`;
    return { ...s, name };
  });
}

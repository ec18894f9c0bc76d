// `check --run-steps`: the jobs of the workflows the event triggers, run here as GitHub runs them — in
// `needs` order, each job's `if:` decided from the jobs it needs, a matrix job once per combination, its
// services started for it (job-services.ts), then its steps in order: run: steps on this machine
// (steps.ts), steps of ours as stages (pipeline.ts), other actions mapped or not run locally (not-ours.ts),
// local composite actions with their own steps. A step's `if:` sees the job's status (success(),
// failure(), always()), its env is the workflow's, the job's, GITHUB_ENV's and its own, and what it writes
// to GITHUB_OUTPUT is `steps.<id>.outputs` for the steps after it.
//
// Nothing that changes the world outside the laptop runs: a job with an `environment:` (a deploy) or a
// write permission on contents, packages, deployments, id-token … is not run locally, nor is a step that
// needs a secret, a variable or the job's GitHub token (only GitHub has them). Only the workflows the
// event triggers run (default pull_request: what a pull request runs, not a release on a tag).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { condition, type Contexts, interpolate, type Status, toText, truthy, Unevaluable, type Value } from '@platform-actions/expressions';
import { planServices, type Starters, startServices } from './job-services.js';
import { changesTheWorld, jobOrder } from './job-plan.js';
import { localContexts, onPath } from './local.js';
import { expandMatrix, matrixName, type Combination } from './matrix.js';
import { callsDocker, dockerAnswers, type Host, mapNotOurs } from './not-ours.js';
import { type LiveStep, planStage, type RunContext, runStage } from './pipeline.js';
import { type JobResult, type ServiceResult, type StageResult, type StepResult, type StepStatus, stageWithout } from './results.js';
import { runnerEnv, stepFiles } from './runner-env.js';
import { runScript, shellFor } from './steps.js';
import type { JobNode, JobStep, Stage, WorkflowNode } from './workflows.js';
import { exec } from '@platform-actions/kit/exec';

const SERIOUSNESS: StageResult['outcome'][] = ['config-error', 'tool-error', 'policy-failure', 'clean', 'skipped'];

/** What a job's progress line shows. */
export interface StepLabel {
  name: string;
  workflow: string;
  job: string;
}

export interface JobsOptions {
  cx: RunContext;
  workflows: WorkflowNode[];
  /** Keys of the jobs that take part (selectJobs: --only / --skip). */
  selected: Set<string>;
  starters: Starters;
  /** A job starts its steps (its services are up). */
  onJobStart?: (job: { name: string; workflow: string; services: ServiceResult[] }) => void;
  onStepStart?: (label: StepLabel, index: number, total: number) => void;
  onStepLine?: (label: StepLabel, line: string) => void;
  onStepEnd?: (r: StepResult, index: number, total: number, job: string) => void;
  onJobEnd?: (r: JobResult) => void;
}

interface NeedResult {
  result: StepStatus;
  outputs: Record<string, string>;
  /** This job or one it needs (transitively) failed: failure() is true after it. */
  failedUpstream: boolean;
  /** This job and all it needs (transitively) succeeded: success() is true after it. */
  allSucceeded: boolean;
}

/** A YAML value with every `${{ }}` in it evaluated (a matrix, a with: block). */
function evaluateDeep(v: unknown, ctx: Contexts, status?: Status): Value {
  if (typeof v === 'string') return interpolate(v, ctx, status);
  if (Array.isArray(v)) return v.map((x) => evaluateDeep(x, ctx, status));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluateDeep(x, ctx, status)]));
  return (v ?? null) as Value;
}

const firstLine = (s: string) => s.trim().split('\n')[0];

/** The job's environment so far: known values, and names whose value only GitHub has (why). */
class JobEnv {
  readonly values: Record<string, string> = {};
  readonly unknown: Record<string, string> = {};
  /** The `env` context over these values (and `extra`, a step's own env). */
  context(extra: Record<string, string> = {}): (path: string[]) => Value {
    return (path) => {
      const all = { ...this.values, ...extra };
      if (path.length === 0) return all;
      const k = path[0];
      if (k in all) return all[k];
      if (k in this.unknown) throw new Unevaluable(this.unknown[k]);
      return null;
    };
  }
}

/** github and secrets as a run: step sees them: the job's token is GitHub's alone, so a step that needs it is not run here. */
function tokenless(ctx: Contexts): Contexts {
  const github = ctx.github as Record<string, Value>;
  return {
    ...ctx,
    github: (path) => {
      if (path[0]?.toLowerCase() === 'token') throw new Unevaluable('github.token');
      if (path.length === 0) return Object.fromEntries(Object.entries(github).filter(([k]) => k !== 'token'));
      // Property names are case-insensitive, as everywhere in expressions.
      const at = (v: Value, k: string): Value => {
        if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
        const key = Object.keys(v).find((x) => x.toLowerCase() === k.toLowerCase());
        return key === undefined ? null : (v as Record<string, Value>)[key];
      };
      return path.reduce<Value>(at, github);
    },
    secrets: (path) => {
      throw new Unevaluable(['secrets', ...path].join('.'));
    },
  };
}

/** What each kind of step gets from runStep: its label, the start of its live line, and how it ends. */
interface At {
  label: StepLabel;
  begin: () => void;
  finish: (r: Omit<StepResult, 'name' | 'kind' | 'conclusion'>) => StepResult;
  skipped: (notes: string[], notLocal?: string) => StepResult;
}

interface Scope {
  /** steps.<id> of this job (or composite). */
  steps: Record<string, { outputs: Record<string, string>; outcome: StepStatus; conclusion: StepStatus }>;
  inputs: Record<string, Value>;
  /** Composite steps: no defaults.run; their run: steps name their shell. */
  composite: boolean;
}

/** One job run (one matrix combination): its state as its steps run. */
interface JobRun {
  node: JobNode;
  label: string;
  combo: Combination;
  needs: Record<string, NeedResult>;
  env: JobEnv;
  /** GITHUB_PATH additions, newest first. */
  path: string[];
  masks: string[];
  failed: boolean;
  services: { context: Record<string, Value>; rewrite: (v: string) => string; ownDatabase: boolean };
  stepCount: number;
  index: number;
}

export class JobRunner {
  readonly jobs: JobResult[] = [];
  readonly stages = new Map<Stage, StageResult>();
  private readonly eventPath: string;
  private docker?: boolean;

  constructor(private readonly o: JobsOptions) {
    const dir = join(o.cx.runnerTemp, 'run-steps');
    mkdirSync(dir, { recursive: true });
    this.eventPath = join(dir, 'event.json');
    writeFileSync(this.eventPath, JSON.stringify(o.cx.payload));
  }

  async run(): Promise<void> {
    for (const wf of this.o.workflows) await this.runScope(wf.jobs, wf.file, []);
  }

  /** The contexts every expression of a job run sees (`extra` over them). */
  private contexts(node: JobNode, run: Partial<JobRun> & { inputs: Record<string, Value> }, extra: Contexts = {}): Contexts {
    const cx = this.o.cx;
    const base = localContexts({
      repo: cx.repo,
      git: cx.git,
      eventName: cx.eventName,
      payload: cx.payload,
      runnerTemp: cx.runnerTemp,
      toolCache: cx.toolCache,
      workflow: node.workflow,
      job: node.id,
      inputs: run.inputs,
      env: {},
      steps: {},
      evaluate: interpolate,
    });
    const needs = Object.fromEntries(Object.entries(run.needs ?? {}).map(([k, n]) => [k, { result: n.result, outputs: n.outputs }]));
    return {
      ...base,
      needs: needs as Value,
      matrix: (run.combo ?? {}) as Value,
      strategy: { 'fail-fast': true, 'job-index': 0, 'job-total': 1, 'max-parallel': 1 },
      job: { status: run.failed ? 'failure' : 'success', services: run.services?.context ?? {}, container: {} } as Value,
      ...(run.env ? { env: run.env.context() } : {}),
      ...extra,
    };
  }

  /** The jobs of one workflow (or of a called one) in needs order. */
  private async runScope(nodes: JobNode[], where: string, chain: string[]): Promise<Map<string, NeedResult>> {
    const results = new Map<string, NeedResult>();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const id of jobOrder(nodes, where)) {
      const node = byId.get(id)!;
      const needs: Record<string, NeedResult> = {};
      for (const d of node.needs) needs[d] = results.get(d)!;
      results.set(id, await this.runNode(node, needs, chain));
    }
    return results;
  }

  private skipNode(node: JobNode, chain: string[], why: string, notLocal?: string): NeedResult {
    const name = [...chain, String(node.name ?? node.id)].join(' / ');
    const r: JobResult = {
      name,
      workflow: node.workflow,
      job: node.id,
      result: 'skipped',
      durationMs: 0,
      notes: notLocal ? [] : [why],
      ...(notLocal ? { notLocal } : {}),
      services: [],
      outputs: {},
      steps: [],
    };
    this.jobs.push(r);
    this.o.onJobEnd?.(r);
    this.leaveStages(node, notLocal ? `not run locally: ${notLocal}` : why);
    return { result: 'skipped', outputs: {}, failedUpstream: false, allSucceeded: false };
  }

  /** Stages of a job that does not run: skipped, saying why. */
  private leaveStages(node: JobNode, why: string): void {
    const walk = (steps: JobStep[]) => {
      for (const s of steps) {
        if (s.stage && !this.stages.has(s.stage))
          this.stages.set(s.stage, stageWithout({ name: s.stage.name, action: s.stage.action, workflow: s.stage.workflow, job: s.stage.job, notes: [why] }, 'skipped'));
        if (s.composite) walk(s.composite.steps);
      }
    };
    walk(node.steps);
    for (const j of node.call?.jobs ?? []) this.leaveStages(j, why);
  }

  private async runNode(node: JobNode, needs: Record<string, NeedResult>, chain: string[]): Promise<NeedResult> {
    const ns = Object.values(needs);
    const upstreamFailed = ns.some((n) => n.failedUpstream);
    const status: Status = { success: ns.every((n) => n.allSucceeded), failure: upstreamFailed, cancelled: false };
    // A job left out by --only/--skip counts as succeeded for the jobs that need it (its outputs are empty).
    if (!this.o.selected.has(node.key)) return { ...this.skipNode(node, chain, 'not selected (--only/--skip)'), allSucceeded: true };
    const ctx = tokenless(this.contexts(node, { inputs: node.inputs, needs }));
    try {
      if (!condition(node.if, ctx, status)) {
        const why =
          node.if === undefined ? `a job it needs did not succeed (${node.needs.filter((d) => !needs[d].allSucceeded).join(', ')})` : `if: ${String(node.if).trim()} is false`;
        const r = this.skipNode(node, chain, why);
        return { ...r, failedUpstream: upstreamFailed };
      }
    } catch (e) {
      const what = e instanceof Unevaluable ? `its if: needs ${e.what}, which only GitHub has` : `its if: ${(e as Error).message}`;
      return { ...this.skipNode(node, chain, what, e instanceof Unevaluable ? what : undefined), failedUpstream: upstreamFailed };
    }
    if (node.kind === 'call') return this.runCall(node, needs, chain, ctx, upstreamFailed);
    const world = changesTheWorld(node);
    if (world) return { ...this.skipNode(node, chain, world, world), failedUpstream: upstreamFailed };
    const runsOn = (() => {
      try {
        return JSON.stringify(evaluateDeep(node.runsOn, ctx) ?? '');
      } catch {
        return '';
      }
    })();
    if (/windows|macos/i.test(runsOn))
      return { ...this.skipNode(node, chain, '', `it runs on ${runsOn.replace(/"/g, '')}; this machine is Linux`), failedUpstream: upstreamFailed };

    let combos: Combination[];
    try {
      combos = expandMatrix(evaluateDeep(node.matrix, ctx));
    } catch (e) {
      const what = e instanceof Unevaluable ? `its matrix needs ${e.what}, which only GitHub has` : `${(e as Error).message}`;
      return { ...this.skipNode(node, chain, what, what), failedUpstream: upstreamFailed };
    }
    if (combos.length === 0) return { ...this.skipNode(node, chain, 'its matrix has no combinations left'), failedUpstream: upstreamFailed };
    let failed = false;
    let outputs: Record<string, string> = {};
    for (const combo of combos) {
      const r = await this.runJob(node, combo, needs, chain);
      failed ||= r.result === 'failure';
      outputs = { ...outputs, ...r.outputs }; // with a matrix, the last writer wins (as on GitHub)
    }
    const continueOnError = (() => {
      try {
        return truthy(interpolate(node.continueOnError ?? false, ctx));
      } catch {
        return false;
      }
    })();
    if (failed && continueOnError) failed = false;
    return { result: failed ? 'failure' : 'success', outputs, failedUpstream: failed || upstreamFailed, allSucceeded: !failed && status.success };
  }

  /** A job that calls a reusable workflow: its jobs, with the caller's with: as their inputs. */
  private async runCall(node: JobNode, needs: Record<string, NeedResult>, chain: string[], ctx: Contexts, upstreamFailed: boolean): Promise<NeedResult> {
    if (!node.call) return { ...this.skipNode(node, chain, '', node.unavailable ?? 'a reusable workflow that is not ours'), failedUpstream: upstreamFailed };
    // The call's with: again, now that the jobs it needs have run (discovery had only placeholders for them),
    // with the contexts discovery used (a stage's token is empty); a value only GitHub has stays unknown, so
    // only what reads it needs it.
    const given = this.contexts(node, { inputs: node.inputs, needs });
    for (const [k, raw] of Object.entries(node.call.with)) {
      try {
        node.call.inputs[k] = evaluateDeep(raw, given);
      } catch (e) {
        if (!(e instanceof Unevaluable)) return { ...this.skipNode(node, chain, `with: ${k}: ${(e as Error).message}`), failedUpstream: true };
        node.call.inputs[k] = { unevaluable: e.what };
      }
    }
    const results = await this.runScope(node.call.jobs, node.call.uses, [...chain, String(node.name ?? node.id)]);
    const all = [...results.values()];
    const failed = all.some((r) => r.result === 'failure');
    const jobs = Object.fromEntries([...results.entries()].map(([id, r]) => [id, { result: r.result, outputs: r.outputs }]));
    const outputs: Record<string, string> = {};
    for (const [k, raw] of Object.entries(node.call.outputs)) {
      try {
        outputs[k] = toText(interpolate(raw, { ...ctx, jobs: jobs as Value }));
      } catch {
        outputs[k] = '';
      }
    }
    return {
      result: failed ? 'failure' : 'success',
      outputs,
      failedUpstream: failed || upstreamFailed,
      allSucceeded: !failed && !upstreamFailed && all.every((r) => r.allSucceeded || r.result === 'skipped'),
    };
  }

  /** One run of a job (one matrix combination). */
  private async runJob(node: JobNode, combo: Combination, needs: Record<string, NeedResult>, chain: string[]): Promise<JobResult> {
    const started = Date.now();
    const baseName = (() => {
      try {
        return node.name !== undefined ? toText(interpolate(node.name, tokenless(this.contexts(node, { inputs: node.inputs, needs, combo })))) : node.id;
      } catch {
        return node.id;
      }
    })();
    const name = [...chain, Object.keys(combo).length && node.name === undefined ? matrixName(baseName, combo) : baseName].join(' / ');
    const result: JobResult = {
      name,
      workflow: node.workflow,
      job: node.id,
      ...(Object.keys(combo).length ? { matrix: combo } : {}),
      result: 'success',
      durationMs: 0,
      notes: [],
      services: [],
      outputs: {},
      steps: [],
    };
    const run: JobRun = {
      node,
      label: name,
      combo,
      needs,
      env: new JobEnv(),
      path: [],
      masks: [],
      failed: false,
      services: { context: {}, rewrite: (v) => v, ownDatabase: false },
      stepCount: countSteps(node.steps),
      index: 0,
    };
    const ctx = () => tokenless(this.contexts(node, { ...run, inputs: node.inputs }));
    const plans = planServices(node.services, (v) => evaluateDeep(v, ctx()));
    let services: Awaited<ReturnType<typeof startServices>> | undefined;
    try {
      services = await startServices(plans, this.o.starters);
      run.services = { context: services.context, rewrite: services.rewrite, ownDatabase: plans.some((p) => p.kind === 'postgres' && !!this.o.starters.postgres) };
      result.services = services.results;
      this.o.onJobStart?.({ name, workflow: node.workflow, services: services.results });
      // The job's env: the workflow's, then the job's (each may read the ones before it).
      for (const [k, raw] of Object.entries(node.env)) {
        try {
          run.env.values[k] = run.services.rewrite(toText(interpolate(raw, ctx())));
        } catch (e) {
          if (!(e instanceof Unevaluable)) throw e;
          run.env.unknown[k] = e.what;
          result.notes.push(`env ${k} needs ${e.what}, which only GitHub has: left unset`);
        }
      }
      const scope: Scope = { steps: {}, inputs: node.inputs, composite: false };
      result.steps = await this.runSteps(node.steps, run, scope);
      for (const [k, raw] of Object.entries(node.outputs)) {
        try {
          result.outputs[k] = toText(interpolate(raw, { ...ctx(), steps: scope.steps as unknown as Value }));
        } catch {
          result.outputs[k] = '';
        }
      }
    } catch (e) {
      run.failed = true;
      result.error = (e as Error).message.split('\n')[0];
    } finally {
      await services?.stop();
    }
    result.result = run.failed ? 'failure' : 'success';
    result.durationMs = Date.now() - started;
    this.jobs.push(result);
    this.o.onJobEnd?.(result);
    return result;
  }

  private async runSteps(steps: JobStep[], run: JobRun, scope: Scope): Promise<StepResult[]> {
    const out: StepResult[] = [];
    for (const step of steps) {
      const r = await this.runStep(step, run, scope);
      out.push(r);
      if (r.conclusion === 'failure') run.failed = true;
      if (step.id) scope.steps[step.id] = { outputs: r.outputs, outcome: r.outcome, conclusion: r.conclusion };
    }
    return out;
  }

  private async runStep(step: JobStep, run: JobRun, scope: Scope): Promise<StepResult> {
    const { node } = run;
    const ctx = (stepEnv: Record<string, string> = {}) =>
      tokenless(this.contexts(node, { ...run, inputs: scope.inputs }, { env: run.env.context(stepEnv), steps: scope.steps as unknown as Value }));
    const status: Status = { success: !run.failed, failure: run.failed, cancelled: false };
    const display = (() => {
      try {
        if (step.name !== undefined) return toText(interpolate(step.name, ctx()));
      } catch {
        /* the raw name below */
      }
      if (step.name !== undefined) return String(step.name);
      return step.kind === 'run' ? `Run ${firstLine(step.run ?? '')}` : `Run ${step.uses}`;
    })();
    const label: StepLabel = { name: `${run.label} › ${display}`, workflow: node.workflow, job: node.id };
    const index = (run.index += step.kind === 'composite' ? 0 : 1) - 1;
    const base = {
      name: display,
      ...(step.id ? { id: step.id } : {}),
      kind: step.kind,
      ...(step.uses ? { uses: step.uses } : {}),
      ...(step.stage ? { stage: step.stage.name } : {}),
    };
    const finish = (r: Omit<StepResult, 'name' | 'kind' | 'conclusion'> & { conclusion?: StepStatus }): StepResult => {
      const res: StepResult = { ...base, conclusion: r.conclusion ?? r.outcome, ...r };
      if (step.kind !== 'composite') this.o.onStepEnd?.(res, index, run.stepCount, run.label);
      return res;
    };
    const skipped = (notes: string[], notLocal?: string): StepResult => {
      if (step.stage)
        this.stages.set(
          step.stage,
          stageWithout(
            { name: step.stage.name, action: step.stage.action, workflow: step.stage.workflow, job: step.stage.job, notes: notLocal ? [`not run locally: ${notLocal}`] : notes },
            'skipped',
          ),
        );
      return finish({ outcome: 'skipped', durationMs: 0, notes, ...(notLocal ? { notLocal } : {}), errors: [], outputs: {} });
    };

    // if: with the job's status (GitHub's implicit success() when it names none).
    try {
      if (!condition(step.if, ctx(), status)) return skipped([step.if === undefined ? 'an earlier step failed' : `if: ${String(step.if).trim()} is false`]);
    } catch (e) {
      if (e instanceof Unevaluable) return skipped([], `its if: needs ${e.what}, which only GitHub has`);
      return finish({ outcome: 'failure', durationMs: 0, notes: [], errors: [`if: ${(e as Error).message}`], outputs: {} });
    }
    // The step's own env, evaluated over the job's (as the runner does).
    const stepEnv: Record<string, string> = {};
    for (const [k, raw] of Object.entries(step.env)) {
      try {
        stepEnv[k] = run.services.rewrite(toText(interpolate(raw, ctx())));
      } catch (e) {
        if (e instanceof Unevaluable) {
          if (step.kind === 'action') continue; // a stage of ours runs without it, as check always did
          return skipped([], `env ${k} needs ${e.what}, which only GitHub has`);
        }
        return finish({ outcome: 'failure', durationMs: 0, notes: [], errors: [`env ${k}: ${(e as Error).message}`], outputs: {} });
      }
    }
    const PATH = [...run.path, this.o.cx.env.PATH ?? process.env.PATH ?? ''].filter(Boolean).join(':');
    const continueOnError = (() => {
      try {
        return truthy(interpolate(step.continueOnError ?? false, ctx(stepEnv)));
      } catch {
        return false;
      }
    })();
    const withCoE = (r: StepResult): StepResult =>
      r.outcome === 'failure' && continueOnError ? { ...r, conclusion: 'success', notes: [...r.notes, 'continue-on-error: the job goes on'] } : r;

    // The live progress line starts only for a step that runs something here.
    const at: At = { label, begin: () => this.o.onStepStart?.(label, index, run.stepCount), finish, skipped };
    if (step.kind === 'run') return withCoE(await this.runRun(step, run, scope, at, ctx(stepEnv), stepEnv, PATH));
    if (step.kind === 'action') return withCoE(await this.runOurs(step, run, scope, at, ctx, stepEnv, PATH));
    if (step.kind === 'composite') return withCoE(await this.runComposite(step, run, ctx(stepEnv), at));
    return withCoE(await this.runNotOurs(step, run, at, ctx(stepEnv), stepEnv, PATH));
  }

  /** The environment a process of this job gets: the user's, the job's, the step's, then the runner's own variables and PATH. */
  private processEnv(run: JobRun, stepEnv: Record<string, string>, PATH: string, files: ReturnType<typeof stepFiles>, action: string): NodeJS.ProcessEnv {
    const cx = this.o.cx;
    const runner = runnerEnv({
      workspace: cx.repo,
      eventName: cx.eventName,
      eventPath: this.eventPath,
      repository: cx.git.repository,
      ref: cx.git.branch ? `refs/heads/${cx.git.branch}` : undefined,
      sha: cx.git.sha,
      runnerTemp: cx.runnerTemp,
      toolCache: cx.toolCache,
      files,
      action,
      job: run.node.id,
      actor: cx.git.actor,
      runId: '0',
    });
    // GITHUB_* and RUNNER_* are the runner's: an env: block cannot change them (as on GitHub).
    const own = Object.fromEntries(Object.entries(runner).filter(([k]) => /^(GITHUB_|RUNNER_)/.test(k) || k === 'CI'));
    return { ...cx.env, ...run.env.values, ...stepEnv, ...own, PATH };
  }

  private async runRun(step: JobStep, run: JobRun, scope: Scope, at: At, ctx: Contexts, stepEnv: Record<string, string>, PATH: string): Promise<StepResult> {
    const { label, finish, skipped } = at;
    let script: string;
    let shellName: string | undefined;
    let wd: string | undefined;
    try {
      script = toText(interpolate(step.run ?? '', ctx));
      const sh = step.shell ?? (scope.composite ? undefined : run.node.defaults.shell);
      shellName = sh === undefined ? undefined : toText(interpolate(sh, ctx));
      const w = step.workingDirectory ?? (scope.composite ? undefined : run.node.defaults.workingDirectory);
      wd = w === undefined ? undefined : toText(interpolate(w, ctx));
    } catch (e) {
      if (e instanceof Unevaluable) return skipped([], `run: needs ${e.what}, which only GitHub has`);
      return finish({ outcome: 'failure', durationMs: 0, notes: [], errors: [(e as Error).message], outputs: {} });
    }
    const found = shellFor(shellName, (b) => onPath(b, PATH));
    if ('notLocal' in found) return skipped([], found.notLocal);
    if ('error' in found) return finish({ outcome: 'failure', durationMs: 0, notes: [], errors: [found.error], outputs: {} });
    if (callsDocker(script) && !this.dockerWorks(PATH)) return skipped([], 'it runs docker, which is not running here');
    const cwd = wd ? (isAbsolute(wd) ? wd : resolve(this.o.cx.repo, wd)) : this.o.cx.repo;
    const files = stepFiles(join(this.o.cx.runnerTemp, 'run-steps'), `${Date.now()}-${Math.random().toString(36).slice(2)}-`);
    at.begin();
    const r = await runScript({
      script,
      shell: found.shell,
      bin: found.bin,
      cwd,
      env: this.processEnv(run, stepEnv, PATH, files, step.id ?? '__run'),
      runnerTemp: this.o.cx.runnerTemp,
      files,
      timeoutMs: this.stepTimeout(step, ctx),
      masks: run.masks,
      onLine: this.o.onStepLine ? (l) => this.o.onStepLine!(label, l) : undefined,
    });
    run.masks.splice(0, run.masks.length, ...r.masks);
    const ok = r.exitCode === 0 && !r.timedOut;
    if (ok) this.absorb(run, r.env, r.path);
    const errors = [...r.errors];
    if (r.timedOut) errors.push(`The step timed out after ${Math.round(r.durationMs / 1000)}s.`);
    else if (r.exitCode !== 0) errors.push(r.exitCode === null ? 'The process was killed.' : `Process completed with exit code ${r.exitCode}.`);
    return finish({
      outcome: ok ? 'success' : 'failure',
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      notes: r.warnings.map((w) => `warning: ${w}`),
      errors,
      outputs: r.outputs,
      shell: `${found.shell.label}`,
      workingDirectory: cwd,
      ...(ok ? {} : { logTail: r.log.filter((l) => l.trim()).slice(-20) }),
    });
  }

  /** What a step wrote to GITHUB_ENV and GITHUB_PATH, for the steps after it. */
  private absorb(run: JobRun, env: Record<string, string>, path: string[]): void {
    for (const [k, v] of Object.entries(env)) {
      // As on GitHub: GITHUB_* and RUNNER_* cannot be set this way, nor NODE_OPTIONS.
      if (/^(GITHUB_|RUNNER_)/.test(k) || k === 'NODE_OPTIONS') continue;
      run.env.values[k] = v;
      delete run.env.unknown[k];
    }
    run.path.unshift(...[...path].reverse());
  }

  private stepTimeout(step: JobStep, ctx: Contexts): number {
    const cap = this.o.cx.timeoutMs ?? 600_000;
    try {
      const m = Number(interpolate(step.timeoutMinutes ?? 0, ctx));
      return m > 0 ? Math.min(cap, m * 60_000) : cap;
    } catch {
      return cap;
    }
  }

  private dockerWorks(PATH: string): boolean {
    return (this.docker ??= dockerAnswers(PATH));
  }

  /** A step of ours: the stage, planned with the job's live contexts and environment. */
  private async runOurs(
    step: JobStep,
    run: JobRun,
    scope: Scope,
    at: At,
    ctx: (stepEnv?: Record<string, string>) => Contexts,
    stepEnv: Record<string, string>,
    PATH: string,
  ): Promise<StepResult> {
    const { label, finish } = at;
    const stage = step.stage!;
    const c = ctx(stepEnv);
    // Stages see github.token as check gives it (empty: nothing calls the GitHub API), so not the tokenless github.
    const live: LiveStep = {
      // A composite's inputs are evaluated now; a job's stay the discovery's (their unknowns say what they need).
      contexts: { env: c.env, steps: c.steps, needs: c.needs, matrix: c.matrix, strategy: c.strategy, job: c.job, ...(scope.composite ? { inputs: scope.inputs as Value } : {}) },
      env: { ...run.env.values, ...stepEnv, PATH },
      ownDatabase: run.services.ownDatabase,
      rewrite: run.services.rewrite,
    };
    const plan = planStage(stage, this.o.cx, {}, live);
    const started = Date.now();
    at.begin();
    const res: StageResult = plan.problems.length
      ? stageWithout({ name: stage.name, action: stage.action, workflow: stage.workflow, job: stage.job, notes: plan.notes }, 'config-error', plan.problems)
      : await runStage(stage, plan, this.o.cx, this.o.onStepLine ? (l) => this.o.onStepLine!(label, l) : undefined);
    // A stage in a matrix job runs once per combination: the report keeps its most serious run.
    const prev = this.stages.get(stage);
    if (!prev || SERIOUSNESS.indexOf(res.outcome) <= SERIOUSNESS.indexOf(prev.outcome)) this.stages.set(stage, res);
    const outcome: StepStatus = res.outcome === 'clean' ? 'success' : res.outcome === 'skipped' ? 'skipped' : 'failure';
    return finish({
      outcome,
      durationMs: Date.now() - started,
      notes: res.outcome === 'skipped' ? res.notes : [`${res.outcome}, ${res.findingsCount} finding${res.findingsCount === 1 ? '' : 's'}`, ...res.notes],
      errors: res.errors,
      outputs: res.outputs,
    });
  }

  /** A local composite action: its steps, with its own inputs and steps context; its outputs from them. */
  private async runComposite(step: JobStep, run: JobRun, ctx: Contexts, at: At): Promise<StepResult> {
    const { finish, skipped } = at;
    const c = step.composite!;
    let given: Record<string, Value>;
    try {
      given = evaluateDeep(step.with, ctx) as Record<string, Value>;
    } catch (e) {
      if (e instanceof Unevaluable) return skipped([], `with: needs ${e.what}, which only GitHub has`);
      return finish({ outcome: 'failure', durationMs: 0, notes: [], errors: [(e as Error).message], outputs: {} });
    }
    const started = Date.now();
    const inner: Scope = { steps: {}, inputs: { ...c.defaults, ...given }, composite: true };
    const before = run.failed;
    const steps = await this.runSteps(c.steps, run, inner);
    const failed = steps.some((s) => s.conclusion === 'failure');
    run.failed = before; // the composite's own result decides, below
    const outputs: Record<string, string> = {};
    for (const [k, raw] of Object.entries(c.outputs)) {
      try {
        outputs[k] = toText(interpolate(raw, { ...ctx, steps: inner.steps as unknown as Value, inputs: inner.inputs as Value }));
      } catch {
        outputs[k] = '';
      }
    }
    return finish({ outcome: failed ? 'failure' : 'success', durationMs: Date.now() - started, notes: [], errors: [], outputs, steps });
  }

  /** Someone else's action: mapped onto this machine, or not run locally. */
  private async runNotOurs(step: JobStep, run: JobRun, at: At, ctx: Contexts, stepEnv: Record<string, string>, PATH: string): Promise<StepResult> {
    const { label, finish, skipped } = at;
    const w: Record<string, string> = {};
    for (const [k, raw] of Object.entries(step.with)) {
      try {
        w[k] = toText(interpolate(raw, ctx));
      } catch (e) {
        if (!(e instanceof Unevaluable)) return finish({ outcome: 'failure', durationMs: 0, notes: [], errors: [`with: ${k}: ${(e as Error).message}`], outputs: {} });
        // Left out: the mapping decides whether it needed it.
      }
    }
    const host: Host = { workspace: this.o.cx.repo, repository: this.o.cx.git.repository, path: PATH, runnerTemp: this.o.cx.runnerTemp, docker: () => this.dockerWorks(PATH) };
    const m = mapNotOurs(step.uses!, w, host);
    if (!m.done) return skipped([], m.notLocal);
    if ('command' in m) {
      const files = stepFiles(join(this.o.cx.runnerTemp, 'run-steps'), `${Date.now()}-${Math.random().toString(36).slice(2)}-`);
      at.begin();
      const r = await exec(onPath(m.command.bin, PATH) ?? m.command.bin, m.command.args, {
        cwd: this.o.cx.repo,
        env: this.processEnv(run, stepEnv, PATH, files, step.id ?? '__run'),
        replaceEnv: true,
        timeoutMs: this.stepTimeout(step, ctx),
        onLine: this.o.onStepLine ? (l) => this.o.onStepLine!(label, l) : undefined,
      }).catch((e: Error) => ({ exitCode: null, durationMs: 0, stdout: '', stderr: e.message, timedOut: false }));
      const ok = r.exitCode === 0;
      const iid = (() => {
        try {
          return m.command.iidfile ? readFileSync(m.command.iidfile, 'utf8').trim() : '';
        } catch {
          return '';
        }
      })();
      return finish({
        outcome: ok ? 'success' : 'failure',
        exitCode: r.exitCode,
        durationMs: r.durationMs,
        notes: [`${m.command.bin} ${m.command.args.join(' ')}`, ...m.notes],
        errors: ok ? [] : [`${m.command.bin} ${m.command.args[0]} failed (exit ${r.exitCode})`],
        outputs: iid ? { imageid: iid, digest: iid } : {},
        ...(ok ? {} : { logTail: `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-20) }),
      });
    }
    if (m.path) run.path.unshift(...m.path);
    return finish({ outcome: 'success', durationMs: 0, notes: m.notes, errors: [], outputs: m.outputs ?? {} });
  }
}

/** Steps a job shows in its progress (a composite's steps count, not the composite itself). */
function countSteps(steps: JobStep[]): number {
  return steps.reduce((n, s) => n + (s.composite ? countSteps(s.composite.steps) : 1), 0);
}

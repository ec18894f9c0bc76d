// `platform-actions check`: the stages the repository's workflows would run with our actions, resolved to
// local values first (every problem reported before anything runs), then run one by one, each with a
// verdict, findings and timing. Also the engine of `run` (one action from the command line) and of the
// pre-push hook (one check per pushed ref).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetRoot, buildInfo, canonicalRepository, ourActions, ourWorkflows } from './assets.js';
import { interpolate, Unevaluable, type Value } from '@platform-actions/expressions';
import type { JobsOptions } from './jobs.js';
import { gitCeiling, gitFacts, localContexts, unpushedRange } from './local.js';
import { sameBuild } from './ours.js';
import { type PushScope } from './prepush.js';
import { overridesFor, planStage, type RunContext, runStage, type StagePlan, type StepsContext, userEnv } from './pipeline.js';
import { type CheckResult, failedResult, type StageResult, stageWithout, verdictOf } from './results.js';
import { checkSteps } from './run-steps.js';
import { ACTION_RULES } from './rules.js';
import { readActionYaml, resolveActionDir } from './runner.js';
import { userToolCache } from './tools.js';
import { discover, type Discovery, type Stage, UsageError } from './workflows.js';

export { type CheckResult, failedResult, type StageResult } from './results.js';
export { type PushScope } from './prepush.js';

export interface CheckOptions {
  repo: string;
  only?: string[];
  skip?: string[];
  /** `--input <stage>.<name>=value`, keyed "<stage>.<name>" (stage may also be an action name). */
  inputs?: Record<string, string>;
  changed?: boolean;
  /** The pre-push hook: the range one pushed ref brings (instead of --changed's @{upstream}..HEAD). */
  push?: PushScope;
  event?: { name: string; payload: Record<string, unknown> };
  databaseUrl?: string;
  /**
   * Start a throwaway PostgreSQL (--postgres) for stages that need one, and with runSteps for the jobs'
   * postgres services (then with the service's user, password and database).
   */
  startPostgres?: (o?: { user?: string; password?: string; database?: string }) => Promise<{
    url: string;
    port: number;
    version: string;
    createDatabase(name: string): Promise<string>;
    stop: () => Promise<void>;
  }>;
  /** Start a throwaway Redis (--redis) for the jobs' redis services (runSteps). */
  startRedis?: (o?: { password?: string }) => Promise<{ url: string; port: number; version: string; stop: () => Promise<void> }>;
  /**
   * --run-steps: run the jobs of the workflows the event triggers (default pull_request), their run: steps
   * on this machine as well as ours, in order.
   */
  runSteps?: boolean;
  /** More owner/repo names that are ours (.platform-actions.yml `repository`: a fork or a mirror). */
  repositories?: string[];
  node?: string;
  timeoutMs?: number;
  toolCache?: string;
  /** Resolve and return the stages without running them (`--list`); a stage's notes say what it still needs. */
  listOnly?: boolean;
  /** Once the stages are known, before any runs: the run-wide notes (a pin that is not this build). */
  onNotes?: (notes: string[]) => void;
  onStageStart?: (stage: Stage, index: number, total: number) => void;
  onStageLine?: (stage: Stage, line: string) => void;
  onStageEnd?: (result: StageResult, index: number, total: number) => void;
  /** --run-steps: a job starts, a step starts, prints a line, ends; a job ends. */
  onJobStart?: JobsOptions['onJobStart'];
  onStepStart?: JobsOptions['onStepStart'];
  onStepLine?: JobsOptions['onStepLine'];
  onStepEnd?: JobsOptions['onStepEnd'];
  onJobEnd?: JobsOptions['onJobEnd'];
}

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** The event the stages see: --changed and pre-push are a push of the unpushed range; else --event or workflow_dispatch. */
function localEvent(o: CheckOptions, git: ReturnType<typeof gitFacts>): { name: string; payload: Record<string, unknown>; scope?: string; unpushed: boolean } {
  let push = o.push;
  if (!push && o.changed) {
    let range;
    try {
      range = unpushedRange(o.repo);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    push = {
      ref: git.branch ? `refs/heads/${git.branch}` : '',
      before: range.before,
      after: range.after,
      created: false,
      label: `${range.upstream}..HEAD (${range.count} unpushed commit${range.count === 1 ? '' : 's'})`,
    };
  }
  // --run-steps runs the pipeline a pull request gets, unless another event is asked for.
  if (!push) return { name: o.event?.name ?? (o.runSteps ? 'pull_request' : 'workflow_dispatch'), payload: o.event?.payload ?? {}, unpushed: false };
  const payload = {
    ref: push.ref,
    before: push.created ? '0'.repeat(40) : push.before,
    after: push.after,
    created: push.created,
    deleted: false,
    forced: false,
    repository: { full_name: git.repository },
  };
  return { name: 'push', payload, scope: push.label, unpushed: true };
}

/** Stages named by --only/--skip must exist; the others stay in the report as skipped. */
function select(all: Stage[], only: string[], skip: string[]): { run: Stage[]; left: Array<{ stage: Stage; why: string }> } {
  const matches = (s: Stage, sel: string) => s.name === sel || s.action === sel;
  for (const sel of [...only, ...skip]) {
    if (!all.some((s) => matches(s, sel))) throw new UsageError(`--only/--skip: no stage "${sel}" (stages: ${all.map((s) => s.name).join(', ') || 'none'})`);
  }
  const run: Stage[] = [];
  const left: Array<{ stage: Stage; why: string }> = [];
  for (const s of all) {
    if (only.length && !only.some((o) => matches(s, o))) left.push({ stage: s, why: 'not selected (--only)' });
    else if (skip.some((o) => matches(s, o))) left.push({ stage: s, why: 'left out (--skip)' });
    else run.push(s);
  }
  return { run, left };
}

function checkInputFlags(all: Stage[], inputs: Record<string, string>): void {
  for (const key of Object.keys(inputs)) {
    const at = key.lastIndexOf('.');
    const who = key.slice(0, at);
    const name = key.slice(at + 1);
    if (at < 1 || !name) throw new UsageError(`--input: expected <stage>.<name>=value, got "${key}"`);
    const stage = all.find((s) => s.name === who || s.action === who);
    if (!stage) throw new UsageError(`--input ${key}: no stage "${who}" (stages: ${all.map((s) => s.name).join(', ') || 'none'})`);
    const declared = Object.keys(readActionYaml(resolveActionDir(stage.action)).inputs ?? {});
    if (!declared.includes(name)) throw new UsageError(`--input ${key}: ${stage.action} has no input "${name}" (inputs: ${declared.join(', ')})`);
  }
}

/** One line per distinct pin of ours that is not the build that runs: the checks may differ from CI's. */
function pinNotes(d: Discovery): string[] {
  const b = buildInfo();
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of d.pins) {
    if (seen.has(p.ref) || sameBuild(p.ref, b)) continue;
    seen.add(p.ref);
    out.push(`checks run with platform-actions ${b.version} (commit ${b.commit.slice(0, 12) || 'unknown'}); your workflow pins ${p.ref} (${p.where})`);
  }
  return out;
}

/** Runs the check. Throws UsageError for a mistake the user can fix; every other problem is in the result's errors. */
export async function check(o: CheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const git = gitFacts(o.repo);
  const ev = localEvent(o, git);
  const base = { event: ev.name, ...(ev.scope ? { scope: ev.scope } : {}) };
  const repositories = [canonicalRepository(), ...(o.repositories ?? [])].map((r) => r.toLowerCase());
  const runnerTemp = mkdtempSync(join(tmpdir(), 'platform-actions-'));
  try {
    const cx: RunContext = {
      repo: o.repo,
      git,
      eventName: ev.name,
      payload: ev.payload,
      runnerTemp,
      toolCache: o.toolCache ?? userToolCache(),
      databaseUrl: o.databaseUrl,
      postgres: !!o.startPostgres,
      unpushed: ev.unpushed,
      overrides: o.inputs ?? {},
      purpose: 'check',
      env: { ...userEnv(process.env), ...gitCeiling(o.repo) },
      node: o.node,
      timeoutMs: o.timeoutMs,
    };
    const discovery = discover(
      o.repo,
      { repositories, actions: ourActions(), workflows: ourWorkflows(), checkedIsOurs: repositories.includes(git.repository.toLowerCase()) || real(o.repo) === real(assetRoot) },
      (raw, at) => {
        const ctx = localContexts({ ...cx, workflow: at.workflow, job: at.job, inputs: at.inputs, env: at.env, steps: {}, evaluate: interpolate });
        const out: Record<string, Value> = {};
        for (const [k, v] of Object.entries(raw)) {
          try {
            out[k] = interpolate(v, ctx);
          } catch (e) {
            if (!(e instanceof Unevaluable)) throw new UsageError(`${at.workflow}: job ${at.job}: with: ${k}: ${(e as Error).message}`);
            out[k] = { unevaluable: e.what } as unknown as Value;
          }
        }
        return out;
      },
    );
    const found = { ...base, workflows: discovery.workflows, notOurs: discovery.notOurs, notes: pinNotes(discovery) };
    checkInputFlags(discovery.stages, cx.overrides);
    if (o.runSteps) return await checkSteps(o, cx, discovery, found, started);
    const { run: stages, left } = select(discovery.stages, o.only ?? [], o.skip ?? []);

    // Dry pass: every problem at once, before anything runs. Earlier stages' outputs are placeholders.
    const plans = new Map<Stage, StagePlan>();
    const placeholders: Record<string, StepsContext> = {};
    for (const s of stages) {
      const steps = (placeholders[s.jobKey] ??= {});
      plans.set(s, planStage(s, cx, steps));
      if (s.stepId) steps[s.stepId] = { outputs: new Proxy({}, { get: () => '' }) as Record<string, string>, outcome: 'success' };
    }
    const leftOut = left.map(({ stage, why }) => stageWithout({ name: stage.name, action: stage.action, workflow: stage.workflow, job: stage.job, notes: [why] }, 'skipped'));
    const inOrder = (rs: StageResult[]) => discovery.stages.map((s) => rs.find((r) => r.name === s.name)!).filter(Boolean);
    if (o.listOnly) {
      const listed = stages.map((s) => {
        const p = plans.get(s)!;
        const notes = p.run ? ['listed, not run (--list)', ...p.needs.map((n) => `needs ${n}`)] : [p.skipReason!];
        return stageWithout({ name: s.name, action: s.action, workflow: s.workflow, job: s.job, notes }, 'skipped');
      });
      return {
        repo: o.repo,
        ...found,
        stages: inOrder([...listed, ...leftOut]),
        errors: [],
        outcome: 'clean',
        exitCode: 0,
        durationMs: Date.now() - started,
        startedAt: new Date(started).toISOString(),
      };
    }
    const problems = [...plans.values()].flatMap((p) => p.problems);
    if (problems.length) return failedResult(o.repo, problems, started, found);
    o.onNotes?.(found.notes);

    let pg: Awaited<ReturnType<NonNullable<CheckOptions['startPostgres']>>> | undefined;
    const results: StageResult[] = [];
    const jobSteps: Record<string, StepsContext> = {};
    try {
      for (const [i, s] of stages.entries()) {
        const steps = (jobSteps[s.jobKey] ??= {});
        o.onStageStart?.(s, i, stages.length);
        // --postgres: one server for the run, a new empty database for each stage that needs one.
        const wantsDb = 'database-url' in (ACTION_RULES[s.action]?.inputs ?? {}) && !('database-url' in overridesFor(s, cx.overrides));
        if (wantsDb && o.startPostgres && !o.databaseUrl) {
          pg ??= await o.startPostgres();
          cx.databaseUrl = await pg.createDatabase(`stage_${i + 1}`);
        }
        const plan = planStage(s, cx, steps);
        const res = await runStage(s, plan, cx, o.onStageLine ? (l) => o.onStageLine!(s, l) : undefined);
        if (s.stepId && res.exitCode !== null) steps[s.stepId] = { outputs: res.outputs, outcome: res.exitCode === 0 ? 'success' : 'failure' };
        results.push(res);
        o.onStageEnd?.(res, i, stages.length);
      }
    } finally {
      await pg?.stop();
    }
    const all = inOrder([...results, ...leftOut]);
    return {
      repo: o.repo,
      ...found,
      stages: all,
      errors: [],
      ...verdictOf(all.map((r) => r.outcome)),
      durationMs: Date.now() - started,
      startedAt: new Date(started).toISOString(),
    };
  } catch (e) {
    if (e instanceof UsageError) return failedResult(o.repo, [e.message], started, base);
    throw e;
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

/** `platform-actions run <action>`: one action from the command line, through the same pipeline as a stage. */
export async function runOne(o: Omit<CheckOptions, 'only' | 'skip' | 'changed' | 'push' | 'listOnly' | 'repositories'> & { action: string }): Promise<CheckResult> {
  const started = Date.now();
  const git = gitFacts(o.repo);
  const runnerTemp = mkdtempSync(join(tmpdir(), 'platform-actions-'));
  const stage: Stage = {
    name: o.action,
    action: o.action,
    workflow: '(command line)',
    job: 'run',
    with: {},
    env: {},
    conditions: [],
    inputs: {},
    callChain: [],
    services: [],
    jobKey: 'run',
    before: [],
  };
  const declared = readActionYaml(resolveActionDir(o.action)).inputs ?? {};
  for (const k of Object.keys(o.inputs ?? {})) {
    if (!(k in declared)) throw new UsageError(`--input ${k}: ${o.action} has no input "${k}" (inputs: ${Object.keys(declared).join(', ')})`);
  }
  const event = o.event ?? { name: 'workflow_dispatch', payload: {} };
  const cx: RunContext = {
    repo: o.repo,
    git,
    eventName: event.name,
    payload: event.payload,
    runnerTemp,
    toolCache: o.toolCache ?? userToolCache(),
    databaseUrl: o.databaseUrl,
    postgres: !!o.startPostgres,
    unpushed: false,
    overrides: Object.fromEntries(Object.entries(o.inputs ?? {}).map(([k, v]) => [`${o.action}.${k}`, v])),
    purpose: 'run',
    env: { ...userEnv(process.env), ...gitCeiling(o.repo) },
    node: o.node,
    timeoutMs: o.timeoutMs,
  };
  let pg: Awaited<ReturnType<NonNullable<CheckOptions['startPostgres']>>> | undefined;
  try {
    let plan = planStage(stage, cx, {});
    if (plan.problems.length && o.startPostgres && 'database-url' in declared) {
      pg = await o.startPostgres();
      cx.databaseUrl = pg.url;
      plan = planStage(stage, cx, {});
    }
    // run runs the action as asked: a missing database only matters when the action needs one to work.
    if (plan.problems.length) return failedResult(o.repo, plan.problems, started, { event: event.name });
    o.onStageStart?.(stage, 0, 1);
    const res = await runStage(stage, plan, cx, o.onStageLine ? (l) => o.onStageLine!(stage, l) : undefined);
    o.onStageEnd?.(res, 0, 1);
    return {
      repo: o.repo,
      event: event.name,
      workflows: [],
      stages: [res],
      notOurs: [],
      notes: [],
      errors: [],
      ...verdictOf([res.outcome]),
      durationMs: Date.now() - started,
      startedAt: new Date(started).toISOString(),
    };
  } finally {
    await pg?.stop();
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

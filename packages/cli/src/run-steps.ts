// `check --run-steps`: the whole pipeline. After check's discovery: the workflows the event triggers, the
// jobs --only/--skip take, a dry pass that finds every problem before anything runs (a stage's input only
// GitHub has, a service without its flag, a server binary missing), then the jobs run in order (jobs.ts)
// and the run's verdict follows them, as GitHub's does.
import { type Contexts, interpolate, type Value } from '@platform-actions/expressions';
import { pgBinDir, redisServerBin, ServiceError } from '@platform-actions/services';
import type { CheckOptions } from './check.js';
import type { Starters } from './job-services.js';
import { allJobs, changesTheWorld, jobProblems, selectJobs } from './job-plan.js';
import { JobRunner } from './jobs.js';
import { localContexts } from './local.js';
import { planStage, type RunContext } from './pipeline.js';
import { type CheckResult, failedResult, type JobResult, type StageResult, stageWithout, type StepResult, verdictOf } from './results.js';
import { type Discovery, type JobStep, type Stage, UsageError, type WorkflowNode } from './workflows.js';

/** A context that any path of resolves (to an empty string): what the dry pass assumes of what a job will know when it runs. */
const later = (path: string[]): Value => (path.length ? '' : {});

/** The starters for the jobs' services (--postgres, --redis), as job-services.ts wants them. */
function serviceStarters(o: CheckOptions): Starters {
  return {
    ...(o.startPostgres
      ? {
          postgres: async (opts) => {
            const pg = await o.startPostgres!(opts);
            return { port: pg.port, what: `PostgreSQL ${pg.version}`, major: pg.version.split('.')[0], stop: () => pg.stop() };
          },
        }
      : {}),
    ...(o.startRedis
      ? {
          redis: async (opts) => {
            const r = await o.startRedis!(opts);
            return { port: r.port, what: `Redis ${r.version}`, major: r.version.split('.')[0], stop: () => r.stop() };
          },
        }
      : {}),
  };
}

/**
 * The run's verdict from its jobs, as GitHub's run follows them: each step that failed its job (not one
 * with continue-on-error) counts — a step of ours as its stage's verdict, any other as failure — and a job
 * that could not run here (a service that did not start) as a tool error.
 */
function jobsVerdict(jobs: JobResult[], stages: StageResult[]): ReturnType<typeof verdictOf> {
  const stageOutcome = new Map(stages.map((s) => [s.name, s.outcome]));
  const outcomes: Parameters<typeof verdictOf>[0] = [];
  const walk = (steps: StepResult[]) => {
    for (const s of steps) {
      if (s.conclusion !== 'failure') continue;
      if (s.kind === 'composite') walk(s.steps ?? []);
      else {
        // A step of ours failed: its stage's verdict, unless the stage (run again, in a matrix) says less.
        const o = s.stage ? stageOutcome.get(s.stage) : undefined;
        outcomes.push(o && o !== 'clean' && o !== 'skipped' ? o : 'failure');
      }
    }
  };
  for (const j of jobs) {
    if (j.error) outcomes.push('tool-error');
    walk(j.steps);
  }
  return verdictOf(outcomes);
}

/** `check --run-steps`: the jobs of the workflows the event triggers, run in order (jobs.ts). */
export async function checkSteps(
  o: CheckOptions,
  cx: RunContext,
  discovery: Discovery,
  found: Pick<CheckResult, 'event' | 'scope' | 'workflows' | 'notOurs' | 'notes'>,
  started: number,
): Promise<CheckResult> {
  const triggered = discovery.graph.filter((w) => w.triggers.includes(cx.eventName));
  const others = discovery.graph.filter((w) => !triggered.includes(w));
  const notes = [...found.notes];
  if (others.length) notes.push(`not triggered by ${cx.eventName}, not run: ${others.map((w) => `${w.file} (${w.triggers.join(', ')})`).join(', ')}`);
  let selected: Set<string>;
  try {
    selected = selectJobs(triggered, o.only ?? [], o.skip ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const starters = serviceStarters(o);
  const inScope = new Set(allJobs(triggered.flatMap((w) => w.jobs)).filter((n) => selected.has(n.key)));
  const stagesIn = (steps: JobStep[]): Stage[] => steps.flatMap((s) => [...(s.stage ? [s.stage] : []), ...(s.composite ? stagesIn(s.composite.steps) : [])]);
  const running = new Set([...inScope].flatMap((n) => stagesIn(n.steps)));

  // Dry pass: every problem at once, before anything runs. What the jobs will know by then is assumed.
  const lenient: Contexts = { env: later, steps: later, needs: later, matrix: later, strategy: later, job: later };
  const problems: string[] = [];
  for (const s of discovery.stages.filter((x) => running.has(x))) {
    problems.push(...planStage(s, cx, {}, { contexts: lenient, env: {}, ownDatabase: true, rewrite: (v) => v }).problems);
  }
  const ctxOf = (n: (typeof triggered)[number]['jobs'][number]) =>
    ({ ...localContexts({ ...cx, workflow: n.workflow, job: n.id, inputs: n.inputs, env: {}, steps: {}, evaluate: interpolate }), ...lenient }) as Contexts;
  problems.push(...jobProblems(triggered, selected, starters, (n, v) => interpolate(v, ctxOf(n))));
  for (const [kind, find] of [
    ['--postgres', pgBinDir],
    ['--redis', redisServerBin],
  ] as const) {
    if ((kind === '--postgres' ? o.startPostgres : o.startRedis) === undefined) continue;
    try {
      find();
    } catch (e) {
      if (e instanceof ServiceError) problems.push(`${kind}: ${e.message}`);
    }
  }
  const leftOut = (s: Stage) =>
    stageWithout(
      {
        name: s.name,
        action: s.action,
        workflow: s.workflow,
        job: s.job,
        notes: [discovery.graph.some((w) => !triggered.includes(w) && workflowHas(w, s)) ? `its workflow is not triggered by ${cx.eventName}` : 'not selected (--only/--skip)'],
      },
      'skipped',
    );
  if (o.listOnly) {
    return {
      repo: o.repo,
      ...found,
      // What the run would still need (a service's flag) is said, not an error, when only listing.
      notes: [...notes, ...[...new Set(problems)].map((p) => `to run: ${p}`)],
      stages: discovery.stages.map((s) =>
        running.has(s) ? stageWithout({ name: s.name, action: s.action, workflow: s.workflow, job: s.job, notes: ['listed, not run (--list)'] }, 'skipped') : leftOut(s),
      ),
      jobs: [...inScope].filter((n) => n.kind === 'job').map((n) => listedJob(n)),
      errors: [],
      outcome: 'clean',
      exitCode: 0,
      durationMs: Date.now() - started,
      startedAt: new Date(started).toISOString(),
    };
  }
  if (problems.length) return failedResult(o.repo, [...new Set(problems)], started, { ...found, notes });
  o.onNotes?.(notes);

  const runner = new JobRunner({
    cx,
    workflows: triggered,
    selected: selected,
    starters,
    onJobStart: o.onJobStart,
    onStepStart: o.onStepStart,
    onStepLine: o.onStepLine,
    onStepEnd: o.onStepEnd,
    onJobEnd: o.onJobEnd,
  });
  await runner.run();
  const stages = discovery.stages.map((s) => runner.stages.get(s) ?? leftOut(s));
  const verdict = jobsVerdict(runner.jobs, stages);
  return {
    repo: o.repo,
    ...found,
    notes,
    stages,
    jobs: runner.jobs,
    errors: [],
    ...verdict,
    durationMs: Date.now() - started,
    startedAt: new Date(started).toISOString(),
  };
}

function workflowHas(w: WorkflowNode, s: Stage): boolean {
  const inSteps = (steps: JobStep[]): boolean => steps.some((x) => x.stage === s || (x.composite ? inSteps(x.composite.steps) : false));
  return allJobs(w.jobs).some((n) => inSteps(n.steps));
}

/** A job as --list shows it: its steps and what each would do here. */
function listedJob(n: WorkflowNode['jobs'][number]): JobResult {
  const step = (s: JobStep): StepResult => ({
    name: s.name !== undefined ? String(s.name) : s.kind === 'run' ? `Run ${(s.run ?? '').trim().split('\n')[0]}` : `Run ${s.uses}`,
    ...(s.id ? { id: s.id } : {}),
    kind: s.kind,
    ...(s.uses ? { uses: s.uses } : {}),
    ...(s.stage ? { stage: s.stage.name } : {}),
    outcome: 'skipped',
    conclusion: 'skipped',
    durationMs: 0,
    notes: [],
    errors: [],
    outputs: {},
    ...(s.composite ? { steps: s.composite.steps.map(step) } : {}),
  });
  return {
    name: [...n.callChain.map((c) => c.split('#').pop()!), n.id].join(' / '),
    workflow: n.workflow,
    job: n.id,
    result: 'skipped',
    durationMs: 0,
    notes: ['listed, not run (--list)', ...(n.needs.length ? [`needs ${n.needs.join(', ')}`] : [])],
    ...(changesTheWorld(n) ? { notLocal: changesTheWorld(n) } : {}),
    services: Object.keys(n.services).map((id) => ({ id, image: String((n.services[id] as { image?: unknown })?.image ?? n.services[id]) })),
    outputs: {},
    steps: n.steps.map(step),
  };
}

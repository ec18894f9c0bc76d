// Our fan-out workflows (helm-ci, security-scan) run plan → shards → verdict on GitHub's matrix. check runs
// stages, not a job graph, so the plan job is computed here instead of run — the kit calls the plan action
// makes (changed.ts), as one shard: the jobs that need it see its outputs (`needs.<job>.outputs.*`) and
// their one matrix combination (`matrix.items`: every planned item, as the shard's action takes it). A
// shard's stage so checks the whole plan in one run, and a plan with nothing to do skips the shards, as
// their `if:` does on GitHub. The verdict merges CI's shards and is not a check here (rules.ts).
import { type ChangeSet, ITEM_KINDS, type ItemKind, inputs, planOutputs, splitIntoShards, UserError } from '@platform-actions/kit';
import { interpolate, toText, Unevaluable, type Value } from '@platform-actions/expressions';
import { type LocalChange, localPlan, planSummary } from './changed.js';
import { evaluateDeep } from './jobs.js';
import { localContexts } from './local.js';
import { expandMatrix } from './matrix.js';
import { planStage, type RunContext } from './pipeline.js';
import type { JobNode, Stage, WorkflowNode } from './workflows.js';

/** What a job's stages see of a plan job computed here. */
export interface JobContexts {
  needs: Record<string, Value>;
  /** Its one combination, when its matrix comes from the plan. */
  matrix?: Record<string, Value>;
}

export interface FanOut {
  /** Job key → what its stages see. */
  jobs: Map<string, JobContexts>;
  /** Each plan stage computed here → what it planned, one line. */
  planned: Map<Stage, string>;
  /** One line each: a plan the plan action would reject (a `paths` glob that matches nothing). */
  problems: string[];
}

const everything: ChangeSet = { files: null, label: 'everything', reason: 'changed-only is false, so everything' };

/** The plan jobs of every workflow, computed; and what the jobs that need them see. */
export function computeFanOut(graph: readonly WorkflowNode[], cx: RunContext, change: LocalChange): FanOut {
  const out: FanOut = { jobs: new Map(), planned: new Map(), problems: [] };
  const visit = (jobs: readonly JobNode[]) => {
    for (const job of jobs) {
      if (job.call) visit(job.call.jobs);
      const stage = job.steps.find((s) => s.kind === 'action' && s.stage?.action === 'plan')?.stage;
      const computed = stage && planJob(job, stage, cx, change, out.problems);
      if (!computed) continue;
      out.planned.set(stage, computed.line);
      for (const user of jobs.filter((j) => j.needs.includes(job.id))) {
        const needs = { ...out.jobs.get(user.key)?.needs, [job.id]: computed.result };
        out.jobs.set(user.key, { needs, ...oneCombination(user, needs, cx) });
      }
    }
  };
  for (const wf of graph) visit(wf.jobs);
  return out;
}

const contextsOf = (job: JobNode, cx: RunContext, more: { steps?: Record<string, { outputs: Record<string, string>; outcome: string }>; needs?: Record<string, Value> }) =>
  localContexts({
    repo: cx.repo,
    git: cx.git,
    eventName: cx.eventName,
    payload: cx.payload,
    runnerTemp: cx.runnerTemp,
    toolCache: cx.toolCache,
    workflow: job.workflow,
    job: job.id,
    inputs: job.inputs,
    env: job.env,
    steps: more.steps ?? {},
    evaluate: interpolate,
    ...(more.needs ? { needs: more.needs } : {}),
  });

/**
 * The plan job's result (`needs.<id>`): the plan action's outputs for this change in one shard, mapped to
 * the job's outputs as GitHub maps them. Undefined when it cannot be computed here (an input only GitHub
 * has, or its `if:` is false): its users then stay as they are.
 */
function planJob(job: JobNode, stage: Stage, cx: RunContext, change: LocalChange, problems: string[]): { result: Value; line: string } | undefined {
  const p = planStage(stage, { ...cx, purpose: 'run' }, {});
  const kind = p.inputs.kind as ItemKind;
  if (!p.run || p.problems.length || !ITEM_KINDS.includes(kind)) return undefined;
  const req = {
    kind,
    paths: inputs.splitList(p.inputs.paths ?? ''),
    images: inputs.splitList(p.inputs.images ?? '', 'newline'),
    globalFiles: inputs.splitList(p.inputs['global-files'] ?? ''),
  };
  let plan;
  try {
    plan = localPlan(p.inputs['changed-only'] === 'false' ? { ...change, changes: everything } : change, req);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    problems.push(`stage ${stage.name}: ${e.message}`);
    return undefined;
  }
  const step = { ...planOutputs(plan, splitIntoShards(plan.items, 1)), outcome: 'clean', 'findings-count': '0' };
  const ctx = contextsOf(job, cx, { steps: stage.stepId ? { [stage.stepId]: { outputs: step, outcome: 'success' } } : {} });
  const outputs: Record<string, string> = {};
  for (const [k, raw] of Object.entries(job.outputs)) {
    try {
      outputs[k] = toText(interpolate(raw, ctx));
    } catch (e) {
      if (!(e instanceof Unevaluable)) throw e;
    }
  }
  return { result: { result: 'success', outputs }, line: planSummary(plan) };
}

/** A job's matrix evaluated with the plan's outputs: its combination when there is exactly one. */
function oneCombination(job: JobNode, needs: Record<string, Value>, cx: RunContext): { matrix?: Record<string, Value> } {
  if (job.matrix === undefined) return {};
  try {
    const combos = expandMatrix(evaluateDeep(job.matrix, contextsOf(job, cx, { needs })));
    return combos.length === 1 ? { matrix: combos[0] } : {};
  } catch {
    // A matrix that needs more than the plan (or is not one): its stages say what they still need.
    return {};
  }
}

// The stage pipeline shared by `check` and `run`: discover (workflows.ts, or one action from the command
// line) → resolve each stage's inputs to local values (the rules in rules.ts; every problem is found before
// anything runs) → run each through the runner → turn what it left behind into a result (results.ts).
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { condition, type Contexts, ExpressionSyntaxError, interpolate, toText, Unevaluable } from '@platform-actions/expressions';
import { inputs as kitInputs } from '@platform-actions/kit';
import { type LocalChange, localPlan, planSummary } from './changed.js';
import type { FanOut } from './fan-out.js';
import { type GitFacts, localContexts } from './local.js';
import { ACTION_RULES, type ActionRules, COMMON_INPUTS, type RuleContext } from './rules.js';
import { type StageResult, stageResult, stageWithout } from './results.js';
import { readActionYaml, resolveActionDir, runBundledAction } from './runner.js';
import { offlineLine, planTool, reachable } from './tools.js';
import type { Stage } from './workflows.js';

/** What every stage of one run shares. */
export interface RunContext {
  /** The checked folder (GITHUB_WORKSPACE). */
  repo: string;
  git: GitFacts;
  eventName: string;
  payload: Record<string, unknown>;
  runnerTemp: string;
  toolCache: string;
  databaseUrl?: string;
  /** --postgres: a server is started when the first stage needs one. */
  postgres: boolean;
  /** Only unpushed commits are in scope (--changed, pre-push). */
  unpushed: boolean;
  /** --input values keyed "<stage or action>.<name>". */
  overrides: Record<string, string>;
  /** check runs only what is a check; run runs the one action it is given, whatever it does. */
  purpose: 'check' | 'run';
  /** The user's environment for the bundles (minus what the runner sets). */
  env: Record<string, string>;
  node?: string;
  timeoutMs?: number;
  /** What the run covers (changed.ts): with --changed, what the working tree adds to the upstream. */
  change?: LocalChange;
  /** check: the plan jobs of our fan-out workflows, computed here, and what the jobs that need them see. */
  fanOut?: FanOut;
}

export type StepsContext = Record<string, { outputs: Record<string, string>; outcome: string }>;

/**
 * --run-steps: what a stage sees of its job as it runs (the job runner has already decided its `if:`).
 * Instead of what check assumes: the real contexts (env with GITHUB_ENV, steps, needs, matrix, job), the
 * step's environment (the job's, GITHUB_ENV's, its own, PATH with GITHUB_PATH), and the job's services.
 */
export interface LiveStep {
  contexts: Contexts;
  env: Record<string, string>;
  /** The job's PostgreSQL service runs on a server this run started: the workflow's URL to it may be used. */
  ownDatabase: boolean;
  /** Points a value naming a service's published port at the local server (job-services.ts). */
  rewrite: (v: string) => string;
}

export interface StagePlan {
  run: boolean;
  skipReason?: string;
  inputs: Record<string, string>;
  env: Record<string, string>;
  notes: string[];
  /** One line each; any of them stops the run before anything runs. */
  problems: string[];
  /** What still has to be given before the stage can run (for --list): `--input <stage>.<name>=…`, `--postgres`. */
  needs: string[];
  /** The tool this stage downloads first, when not on PATH and not cached. */
  download?: { bin: string; version: string; host: string; line: string };
  /** Report files the user asked for: input → absolute path (kept after the run). */
  reports: Record<string, string>;
  /** --changed: what the change plan gives this stage, one line (also among its notes; --list shows it). */
  scope?: string;
}

const REPORT_INPUTS = ['sarif-file', 'report-file', 'report-dir'];

/** `--input` values for a stage: by action name (every stage of it), then by stage name, which wins. */
export function overridesFor(stage: Pick<Stage, 'name' | 'action'>, overrides: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const who of [stage.action, stage.name]) {
    for (const [k, v] of Object.entries(overrides)) {
      const at = k.lastIndexOf('.');
      if (k.slice(0, at) === who) out[k.slice(at + 1)] = v;
    }
  }
  return out;
}

/**
 * The `run:` steps before this stage whose `if:` is false locally (workflows.ts SkippableStep): skipped,
 * with no outputs, as on GitHub.
 */
function withSkippedSteps(stage: Stage, steps: StepsContext, ctxFor: (steps: StepsContext) => Contexts): StepsContext {
  if (!stage.before.length) return steps;
  const all = { ...steps };
  for (const b of stage.before) {
    const ctx = ctxFor(all);
    try {
      if (!b.conditions.every((c) => condition(c, ctx))) all[b.id] = { outputs: {}, outcome: 'skipped' };
    } catch (e) {
      if (!(e instanceof Unevaluable)) throw e;
      // Left out: an input that reads it then needs --input, as for any run: step.
    }
  }
  return all;
}

/**
 * Local values of a stage's inputs and env. `steps` holds earlier stages of the job; in the dry pass
 * (before anything runs) their outputs are placeholders, so only what GitHub alone knows is a problem.
 */
export function planStage(stage: Stage, cx: RunContext, jobSteps: StepsContext, live?: LiveStep): StagePlan {
  const plan: StagePlan = { run: true, inputs: {}, env: {}, notes: [], problems: [], needs: [], reports: {} };
  const ctxFor = (steps: StepsContext) =>
    localContexts({
      repo: cx.repo,
      git: cx.git,
      eventName: cx.eventName,
      payload: cx.payload,
      runnerTemp: cx.runnerTemp,
      toolCache: cx.toolCache,
      workflow: stage.workflow,
      job: stage.job,
      inputs: stage.inputs,
      env: stage.env,
      steps,
      evaluate: interpolate,
      ...cx.fanOut?.jobs.get(stage.jobKey),
    });
  const ctx = live ? { ...ctxFor(jobSteps), ...live.contexts } : ctxFor(withSkippedSteps(stage, jobSteps, ctxFor));
  const where = `${stage.workflow} (job ${stage.job}${stage.callChain.length ? `, called from ${stage.callChain.join(' → ')}` : ''})`;
  const overrides = overridesFor(stage, cx.overrides);
  const skip = (reason: string): StagePlan => ({ ...plan, run: false, skipReason: reason });

  const rules = ACTION_RULES[stage.action] ?? {};
  // What is not a check is said first and alone (not after notes on its if:, which then does not matter).
  if (cx.purpose === 'check') {
    if (rules.notACheck) return skip(rules.notACheck);
    const afterRunSteps = live ? undefined : rules.afterRunSteps?.(stage, cx.repo);
    if (afterRunSteps) return skip(afterRunSteps);
    const planned = cx.fanOut?.planned.get(stage);
    if (planned) return skip(`computed here, not run (the jobs that need it take every planned item in one run): ${planned}`);
    if (rules.checkOnly) {
      const { input, values } = rules.checkOnly;
      let value: string;
      try {
        value = overrides[input] ?? (stage.with[input] === undefined ? rules.checkOnly.default : toText(interpolate(stage.with[input], ctx)));
      } catch {
        return skip(`its ${input} cannot be evaluated locally, and only ${input} ${values.join(', ')} is a check`);
      }
      if (!values.includes(value))
        return skip(
          `${input} ${value} is not a check (it reads or changes something live); check runs only ${input} ${values.join(', ')} (platform-actions run ${stage.action} --input ${input}=${value} runs it on purpose)`,
        );
    }
  }

  for (const c of live ? [] : stage.conditions) {
    try {
      if (!condition(c, ctx)) return skip(`if: ${String(c).trim()} is false locally`);
    } catch (e) {
      if (e instanceof Unevaluable) plan.notes.push(`if: ${String(c).trim()} needs ${e.what}, which only GitHub has; the stage runs`);
      else plan.problems.push(`stage ${stage.name}: if: ${String(c).trim()} in ${where}: ${(e as Error).message}`);
    }
  }

  const declared = readActionYaml(resolveActionDir(stage.action)).inputs ?? {};
  const rc: RuleContext = {
    stage: stage.name,
    runnerTemp: cx.runnerTemp,
    unpushed: cx.unpushed,
    gitRoot: cx.git.isRepo,
    databaseUrl: cx.databaseUrl,
    postgres: cx.postgres,
    services: stage.services,
    jobDatabase: !!live?.ownDatabase,
    changedBase: cx.change?.since?.mergeBase,
  };
  // Inputs with a local rule are never evaluated, so they never need --input.
  const local: Record<string, string | { problem: string }> = {};
  for (const [k, rule] of Object.entries({ ...COMMON_INPUTS, ...(rules.inputs ?? {}) })) {
    if (!(k in declared) || k in overrides) continue;
    const v = rule(rc);
    if (v !== undefined) local[k] = v;
  }
  const tool = rules.tool && rules.tool.input in declared && !(rules.tool.input in overrides) ? rules.tool : undefined;

  for (const [k, raw] of Object.entries(stage.with)) {
    if (!(k in declared)) {
      plan.problems.push(`stage ${stage.name}: ${where} passes with: ${k}, but ${stage.action} has no such input (inputs: ${Object.keys(declared).join(', ')})`);
      continue;
    }
    if (k in overrides || k in local) continue;
    try {
      plan.inputs[k] = toText(interpolate(raw, ctx));
      if (live) plan.inputs[k] = live.rewrite(plan.inputs[k]);
    } catch (e) {
      if (e instanceof Unevaluable) {
        plan.problems.push(
          `stage ${stage.name}: input ${k} is ${JSON.stringify(String(raw).trim())}, and ${e.what} can only be evaluated by GitHub; set it with --input ${stage.name}.${k}=…`,
        );
        plan.needs.push(`--input ${stage.name}.${k}=… (${e.what} is only known on GitHub)`);
      } else if (e instanceof ExpressionSyntaxError) plan.problems.push(`stage ${stage.name}: input ${k} in ${where}: ${e.message}`);
      else throw e;
    }
  }
  // Defaults with expressions (`${{ github.token }}`) get their local value, as GitHub evaluates them.
  for (const [k, spec] of Object.entries(declared)) {
    if (k in plan.inputs || k in overrides || k in local || typeof spec.default !== 'string' || !spec.default.includes('${{')) continue;
    try {
      plan.inputs[k] = toText(interpolate(spec.default, ctx));
    } catch {
      plan.inputs[k] = '';
    }
  }
  for (const [k, v] of Object.entries(local)) {
    if (typeof v === 'string') plan.inputs[k] = v;
    else {
      plan.problems.push(v.problem);
      plan.needs.push(`--database-url postgres://… or --postgres (${k})`);
    }
  }
  if (tool) {
    const pinned = tool.release ?? String(declared[tool.input]?.default ?? '');
    const given = { ...plan.inputs, ...overrides };
    const t = planTool(tool, pinned, plan.inputs[tool.input], cx.toolCache, given.mirror || given['helm-mirror'] || undefined);
    plan.inputs[tool.input] = t.value;
    if (t.download) {
      plan.download = { ...t.download, line: offlineLine(tool, t.download.version, t.download.host, cx.toolCache) };
      plan.notes.push(`${tool.bin} is not on PATH: ${tool.bin} ${t.download.version} is downloaded (checksum-verified) into ${cx.toolCache}`);
    }
  }
  for (const [k, v] of Object.entries(overrides)) {
    plan.inputs[k] = v;
    if (REPORT_INPUTS.includes(k) && v) plan.reports[k] = resolve(cx.repo, v);
  }

  const scope = rules.changed && cx.change?.since ? changedScope(rules.changed, plan.inputs, cx.change) : undefined;
  if (scope) {
    plan.scope = scope;
    plan.notes.push(scope);
  }

  if (live) Object.assign(plan.env, live.env);
  for (const [k, raw] of Object.entries(live ? {} : stage.env)) {
    try {
      plan.env[k] = toText(interpolate(raw, ctx));
    } catch (e) {
      if (e instanceof Unevaluable) plan.notes.push(`env ${k} needs ${e.what}, which only GitHub has; left unset`);
      else throw e;
    }
  }
  Object.assign(plan.env, rules.env?.(rc) ?? {});
  return plan;
}

/**
 * --changed, for an action that checks only what changed since its `base-ref`: the items it will check, from
 * the same plan (undefined when its inputs name items the plan cannot find: the action reports that itself).
 */
function changedScope(rule: NonNullable<ActionRules['changed']>, inputs: Record<string, string>, change: LocalChange): string | undefined {
  try {
    const plan = localPlan(change, { kind: rule.kind, paths: kitInputs.splitList(inputs[rule.input] ?? '') });
    const all = inputs['changed-only'] === 'false' ? `; changed-only is false, so every ${rule.kind === 'charts' ? 'chart' : 'item'} is checked` : '';
    return `--changed: ${planSummary(plan)}${all}`;
  } catch {
    return undefined;
  }
}

/** Runs one planned stage through the runner; a stage that cannot start is a tool error with one line. */
export async function runStage(stage: Stage, plan: StagePlan, cx: RunContext, onLine?: (line: string) => void): Promise<StageResult> {
  const base = { name: stage.name, action: stage.action, workflow: stage.workflow, job: stage.job, notes: plan.notes };
  if (!plan.run) return stageWithout({ ...base, notes: [plan.skipReason!, ...plan.notes] }, 'skipped');
  const t0 = Date.now();
  if (plan.download) {
    onLine?.(`${plan.download.bin} ${plan.download.version}: downloading from ${plan.download.host}`);
    const note = plan.notes.findIndex((n) => n.startsWith(`${plan.download!.bin} is not on PATH`));
    const notes = plan.notes.filter((_, i) => i !== note);
    if (!(await reachable(plan.download.host))) return stageWithout({ ...base, notes }, 'tool-error', [plan.download.line], Date.now() - t0);
  }
  try {
    const r = await runBundledAction({
      action: stage.action,
      inputs: plan.inputs,
      event: { name: cx.eventName, payload: cx.payload },
      workspace: cx.repo,
      env: { ...cx.env, ...plan.env },
      node: cx.node,
      runnerTemp: cx.runnerTemp,
      toolCache: cx.toolCache,
      repository: cx.git.repository,
      ref: cx.git.branch ? `refs/heads/${cx.git.branch}` : undefined,
      sha: cx.git.sha,
      timeoutMs: cx.timeoutMs,
      onLine,
    });
    const res = stageResult(base, r, Date.now() - t0, cx.timeoutMs);
    // The runner's own files (event, outputs, state); the stage's reports are in runnerTemp or where the user asked.
    rmSync(r.dirs.temp, { recursive: true, force: true });
    const kept = Object.fromEntries(Object.entries(plan.reports).filter(([, p]) => existsSync(p)));
    return { ...res, inputs: plan.inputs, ...(Object.keys(kept).length ? { reports: kept } : {}) };
  } catch (e) {
    // The runner could not start the step (no bundle, bad action.yml).
    return stageWithout(base, 'tool-error', [(e as Error).message.split('\n')[0]], Date.now() - t0);
  }
}

/** The user's environment, minus what GitHub's runner owns (the runner sets those for the stage). */
export function userEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || /^(GITHUB_|INPUT_|RUNNER_|ACTIONS_|STATE_|PRE_COMMIT_)/.test(k) || k === 'CI') continue;
    out[k] = v;
  }
  return out;
}

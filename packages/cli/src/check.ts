// `platform-actions check`: the stages the repository's workflows would run with our actions, resolved
// to local values first (every problem reported before anything runs), then run one by one through the
// runner, each with a verdict, findings and timing.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Contexts, condition, ExpressionSyntaxError, interpolate, toText, Unevaluable, type Value } from './expressions.js';
import { gitFacts, type GitFacts, localContexts, onPath, TOOL_INPUTS, unpushedRange, userToolCache } from './local.js';
import { readActionYaml, resolveActionDir, runAction, type RunActionResult } from './runner.js';
import { discover, type Stage, UsageError } from './workflows.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Verdict = 'clean' | 'policy-failure' | 'tool-error' | 'config-error';

export interface ReportFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Repository-relative path. */
  file?: string;
  line?: number;
}

export interface StageResult {
  name: string;
  action: string;
  workflow: string;
  job: string;
  outcome: Verdict | 'skipped';
  /** Why a stage was skipped, or the one-line errors of a failed one. */
  notes: string[];
  errors: string[];
  durationMs: number;
  findingsCount: number;
  counts: Record<Severity, number>;
  findings: ReportFinding[];
  outputs: Record<string, string>;
  exitCode: number | null;
  /** The inputs the stage ran with (not in the JSON report: they may hold a database URL). */
  inputs?: Record<string, string>;
}

export interface CheckOptions {
  repo: string;
  only?: string[];
  skip?: string[];
  /** `--input <stage>.<name>=value`, keyed "<stage>.<name>" (stage may also be an action name). */
  inputs?: Record<string, string>;
  changed?: boolean;
  event?: { name: string; payload: Record<string, unknown> };
  databaseUrl?: string;
  /** Start a throwaway PostgreSQL for stages that need one (returns its URL and a stop function). */
  startPostgres?: () => Promise<{ url: string; createDatabase(name: string): Promise<string>; stop: () => Promise<void> }>;
  node?: string;
  timeoutMs?: number;
  toolCache?: string;
  /** Progress callbacks for the terminal. */
  onStageStart?: (stage: Stage, index: number, total: number) => void;
  onStageLine?: (stage: Stage, line: string) => void;
  onStageEnd?: (result: StageResult, index: number, total: number) => void;
  /** Resolve and return the stages without running them (`--list`). */
  listOnly?: boolean;
}

export interface CheckResult {
  repo: string;
  event: string;
  scope?: string;
  workflows: string[];
  stages: StageResult[];
  outcome: Verdict;
  exitCode: 0 | 1 | 2;
  durationMs: number;
  startedAt: string;
}

/** One or more problems that stop the check before it runs anything (exit code 2). */
export class ConfigProblems extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const zeroCounts = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

export function verdictOf(outcomes: Array<StageResult['outcome']>): { outcome: Verdict; exitCode: 0 | 1 | 2 } {
  if (outcomes.includes('config-error')) return { outcome: 'config-error', exitCode: 2 };
  if (outcomes.includes('tool-error')) return { outcome: 'tool-error', exitCode: 2 };
  if (outcomes.includes('policy-failure')) return { outcome: 'policy-failure', exitCode: 1 };
  return { outcome: 'clean', exitCode: 0 };
}

function selectStages(all: Stage[], only: string[], skip: string[]): Stage[] {
  const names = all.map((s) => s.name);
  const matches = (s: Stage, sel: string) => s.name === sel || s.action === sel;
  for (const sel of [...only, ...skip]) {
    if (!all.some((s) => matches(s, sel))) throw new UsageError(`--only/--skip: no stage "${sel}" (stages: ${names.join(', ') || 'none'})`);
  }
  return all.filter((s) => (only.length === 0 || only.some((o) => matches(s, o))) && !skip.some((o) => matches(s, o)));
}

/** `--input` values for a stage: by stage name, or by action name (which applies to every stage of it). */
function overridesFor(stage: Stage, inputs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const at = k.lastIndexOf('.');
    const who = k.slice(0, at);
    if (who === stage.action) out[k.slice(at + 1)] = v;
  }
  for (const [k, v] of Object.entries(inputs)) {
    const at = k.lastIndexOf('.');
    if (k.slice(0, at) === stage.name) out[k.slice(at + 1)] = v;
  }
  return out;
}

function checkInputFlags(all: Stage[], inputs: Record<string, string>): void {
  for (const key of Object.keys(inputs)) {
    const at = key.lastIndexOf('.');
    const who = key.slice(0, at);
    const name = key.slice(at + 1);
    const stage = all.find((s) => s.name === who || s.action === who);
    if (at < 1 || !name) throw new UsageError(`--input: expected <stage>.<name>=value, got "${key}"`);
    if (!stage) throw new UsageError(`--input ${key}: no stage "${who}" (stages: ${all.map((s) => s.name).join(', ') || 'none'})`);
    const declared = Object.keys(readActionYaml(resolveActionDir(stage.action)).inputs ?? {});
    if (!declared.includes(name)) throw new UsageError(`--input ${key}: ${stage.action} has no input "${name}" (inputs: ${declared.join(', ')})`);
  }
}

interface Resolved {
  run: boolean;
  skipReason?: string;
  inputs: Record<string, string>;
  env: Record<string, string>;
  notes: string[];
  problems: string[];
}

interface Shared {
  repo: string;
  git: GitFacts;
  eventName: string;
  payload: Record<string, unknown>;
  runnerTemp: string;
  toolCache: string;
  databaseUrl?: string;
  changed: boolean;
  /** --postgres: a server is started when the first stage needs it. */
  postgres: boolean;
  inputs: Record<string, string>;
}

const evalRaw = (raw: unknown, ctx: Contexts): Value => interpolate(raw, ctx);

/**
 * Local values of a stage's inputs and env. `steps` holds earlier stages of the job; in the dry pass
 * (before anything runs) their outputs are placeholders, so only what GitHub alone knows is a problem.
 */
function resolveStage(stage: Stage, sh: Shared, steps: Record<string, { outputs: Record<string, string>; outcome: string }>): Resolved {
  const problems: string[] = [];
  const notes: string[] = [];
  const ctx = localContexts({
    repo: sh.repo,
    git: sh.git,
    eventName: sh.eventName,
    payload: sh.payload,
    runnerTemp: sh.runnerTemp,
    toolCache: sh.toolCache,
    workflow: stage.workflow,
    job: stage.job,
    inputs: stage.inputs,
    env: stage.env,
    steps,
    evaluate: evalRaw,
  });
  const where = `${stage.workflow} (job ${stage.job}${stage.callChain.length ? `, called from ${stage.callChain.join(' → ')}` : ''})`;
  const overrides = overridesFor(stage, sh.inputs);
  const set = new Set(Object.keys(overrides));

  for (const c of stage.conditions) {
    try {
      if (!condition(c, ctx)) return { run: false, skipReason: `if: ${String(c).trim()} is false locally`, inputs: {}, env: {}, notes, problems };
    } catch (e) {
      if (e instanceof Unevaluable) notes.push(`if: ${String(c).trim()} needs ${e.what}, which only GitHub has; the stage runs`);
      else problems.push(`stage ${stage.name}: if: ${String(c).trim()} in ${where}: ${(e as Error).message}`);
    }
  }

  const notACheck = notACheckReason(stage, ctx, overrides);
  if (notACheck) return { run: false, skipReason: notACheck, inputs: {}, env: {}, notes, problems };

  const def = readActionYaml(resolveActionDir(stage.action));
  const declared = def.inputs ?? {};
  const inputs: Record<string, string> = {};
  // Inputs the CLI gives a local value anyway (below) are not evaluated, so they never need --input.
  const tool = TOOL_INPUTS[stage.action];
  const localKeys = new Set(['comment', 'sarif-file', 'report-file', 'report-dir']);
  if (tool && onPath(tool.bin)) localKeys.add(tool.input);
  // migration-test migrates up and down in the database it is given, so locally it only ever gets one the
  // user named (--database-url, --input) or a throwaway one (--postgres), never the workflow's localhost
  // URL, which on a laptop may be a database with real data in it.
  if (stage.action === 'migration-test') localKeys.add('database-url');
  if (stage.action === 'gitleaks-scan' && sh.changed) localKeys.add('mode');
  for (const [k, raw] of Object.entries(stage.with)) {
    if (!(k in declared)) {
      problems.push(`stage ${stage.name}: ${where} passes with: ${k}, but ${stage.action} has no such input (inputs: ${Object.keys(declared).join(', ')})`);
      continue;
    }
    if (set.has(k) || localKeys.has(k)) continue;
    try {
      inputs[k] = toText(evalRaw(raw, ctx));
    } catch (e) {
      if (e instanceof Unevaluable)
        problems.push(
          `stage ${stage.name}: input ${k} is ${JSON.stringify(String(raw).trim())}, and ${e.what} can only be evaluated by GitHub; set it with --input ${stage.name}.${k}=…`,
        );
      else if (e instanceof ExpressionSyntaxError) problems.push(`stage ${stage.name}: input ${k} in ${where}: ${e.message}`);
      else throw e;
    }
  }
  // Defaults with expressions (`${{ github.token }}`) get their local value, as GitHub evaluates them.
  for (const [k, spec] of Object.entries(declared)) {
    if (k in inputs || set.has(k) || typeof spec.default !== 'string' || !spec.default.includes('${{')) continue;
    try {
      inputs[k] = toText(evalRaw(spec.default, ctx));
    } catch {
      inputs[k] = '';
    }
  }

  // Local adjustments, each overridable with --input (documented in the README).
  const local = (k: string, v: string, why?: string) => {
    if (set.has(k) || !(k in declared)) return;
    if (why && inputs[k] !== undefined && inputs[k] !== v) notes.push(`${k}: ${why}`);
    inputs[k] = v;
  };
  local('comment', 'false');
  if ('sarif-file' in declared) local('sarif-file', join(sh.runnerTemp, `${slug(stage.name)}.sarif`));
  if ('report-file' in declared) local('report-file', join(sh.runnerTemp, `${slug(stage.name)}-report.json`));
  if ('report-dir' in declared) local('report-dir', join(sh.runnerTemp, `${slug(stage.name)}-reports`));
  if (tool && !set.has(tool.input)) {
    const wanted = inputs[tool.input] ?? String(declared[tool.input]?.default ?? '');
    if (onPath(tool.bin)) local(tool.input, 'system');
    else if (wanted === 'system' || wanted === '') {
      local(tool.input, tool.pinned);
      notes.push(`${tool.bin} is not on PATH: installing ${tool.bin} ${tool.pinned} (checksum-verified) into ${sh.toolCache}`);
    }
  }
  if (stage.action === 'migration-test' && !set.has('database-url')) {
    if (sh.databaseUrl) local('database-url', sh.databaseUrl);
    else if (sh.postgres) local('database-url', 'postgres://started-with--postgres');
    else
      problems.push(
        `stage ${stage.name}: needs an empty PostgreSQL database${stage.services.length ? ` (in CI, the job's service container${stage.services.length > 1 ? 's' : ''}: ${stage.services.join(', ')})` : ''}; pass --database-url postgres://… or --postgres`,
      );
  }
  if (stage.action === 'gitleaks-scan' && sh.changed) local('mode', 'range');
  for (const [k, v] of Object.entries(overrides)) inputs[k] = v;

  const env: Record<string, string> = {};
  for (const [k, raw] of Object.entries(stage.env)) {
    try {
      env[k] = toText(evalRaw(raw, ctx));
    } catch (e) {
      if (e instanceof Unevaluable) notes.push(`env ${k} needs ${e.what}, which only GitHub has; left unset`);
      else throw e;
    }
  }
  return { run: true, inputs, env, notes, problems };
}

/**
 * Steps that change something outside the laptop are not checks: a pre-push hook must never deploy or
 * release a lock. Deploys and tf-lock-check's live commands (status, wait, recover) are listed as skipped;
 * `platform-actions run` runs them on purpose.
 */
export function notACheckReason(stage: Stage, ctx: Contexts, overrides: Record<string, string>): string | undefined {
  if (stage.action === 'k8s-deploy-rollback') return 'deploys are not checks; check never runs them (platform-actions run k8s-deploy-rollback runs one on purpose)';
  if (stage.action === 'tf-lock-check') {
    let command: string;
    try {
      command = overrides.command ?? (stage.with.command === undefined ? 'lint' : toText(evalRaw(stage.with.command, ctx)));
    } catch {
      return 'its command cannot be evaluated locally, and only lint is a check';
    }
    if (command !== 'lint')
      return `command ${command} reads or changes the live lock; check runs only lint (platform-actions run tf-lock-check --input command=${command} runs it on purpose)`;
  }
  return undefined;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-');

// The user's environment, minus what GitHub's runner owns (the runner sets those for the stage).
function userEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(GITHUB_|INPUT_|RUNNER_|ACTIONS_|STATE_)/.test(k) || k === 'CI') continue;
    out[k] = v;
  }
  return out;
}

interface SarifResult {
  ruleId?: string;
  level?: string;
  message?: { text?: string };
  suppressions?: unknown[];
  properties?: { severity?: Severity };
  locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }>;
}

/** Findings from the stage's SARIF file (our actions all write one), else from its file annotations. */
export function stageFindings(r: RunActionResult, repo: string): ReportFinding[] {
  const sarifFile = r.outputs['sarif-file'];
  if (sarifFile && existsSync(sarifFile)) {
    try {
      const log = JSON.parse(readFileSync(sarifFile, 'utf8')) as { runs?: Array<{ results?: SarifResult[] }> };
      const out: ReportFinding[] = [];
      for (const run of log.runs ?? []) {
        for (const res of run.results ?? []) {
          if (res.suppressions?.length) continue;
          const loc = res.locations?.[0]?.physicalLocation;
          const uri: string | undefined = loc?.artifactLocation?.uri;
          out.push({
            ruleId: String(res.ruleId ?? 'unknown'),
            severity:
              res.properties?.severity && SEVERITIES.includes(res.properties.severity)
                ? res.properties.severity
                : res.level === 'error'
                  ? 'high'
                  : res.level === 'warning'
                    ? 'medium'
                    : 'low',
            message: String(res.message?.text ?? ''),
            ...(uri ? { file: decodeURIComponent(uri) } : {}),
            ...(loc?.region?.startLine ? { line: Number(loc.region.startLine) } : {}),
          });
        }
      }
      return out;
    } catch {
      /* an unreadable SARIF file: fall back to annotations */
    }
  }
  void repo;
  return r.main.annotations
    .filter((a) => a.file)
    .map((a) => ({
      ruleId: a.title ?? 'annotation',
      severity: a.level === 'error' ? 'high' : a.level === 'warning' ? 'medium' : 'low',
      message: a.message,
      file: a.file,
      ...(a.line ? { line: a.line } : {}),
    }));
}

/** The one-line errors a stage printed (annotations without a file), as CI shows them. */
export function stageErrors(r: RunActionResult, timeoutMs?: number): string[] {
  const lines = r.main.annotations.filter((a) => a.level === 'error' && !a.file).map((a) => a.message.split('\n')[0]);
  // Stopped at --timeout: say so first, with the real time it took (the stop itself takes a few seconds).
  if (r.main.timedOut)
    lines.unshift(`stopped after ${Math.round(r.main.durationMs / 1000)}s: it ran past --timeout ${Math.round((timeoutMs ?? 0) / 1000)}s; every process it started was ended`);
  if (lines.length === 0 && r.main.exitCode !== 0) {
    const last = r.main.stderr.trim().split('\n').at(-1);
    if (last) lines.push(last);
  }
  return lines;
}

/** Plans and runs the check. Throws UsageError / ConfigProblems before running anything. */
export async function check(o: CheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const git = gitFacts(o.repo);
  const runnerTemp = mkdtempSync(join(tmpdir(), 'platform-actions-'));
  try {
    let eventName = o.event?.name ?? 'workflow_dispatch';
    let payload: Record<string, unknown> = o.event?.payload ?? {};
    let scope: string | undefined;
    if (o.changed) {
      let range;
      try {
        range = unpushedRange(o.repo);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      eventName = 'push';
      payload = {
        ref: git.branch ? `refs/heads/${git.branch}` : '',
        before: range.before,
        after: range.after,
        created: false,
        deleted: false,
        forced: false,
        repository: { full_name: git.repository },
      };
      scope = `${range.upstream}..HEAD (${range.count} unpushed commit${range.count === 1 ? '' : 's'})`;
    }
    const sh: Shared = {
      repo: o.repo,
      git,
      eventName,
      payload,
      runnerTemp,
      toolCache: o.toolCache ?? userToolCache(),
      databaseUrl: o.databaseUrl,
      changed: !!o.changed,
      postgres: !!o.startPostgres,
      inputs: o.inputs ?? {},
    };

    const discovery = discover(o.repo, (raw, at) => {
      const ctx = localContexts({ ...sh, workflow: at.workflow, job: at.job, inputs: at.inputs, env: at.env, steps: {}, evaluate: evalRaw });
      const out: Record<string, Value> = {};
      for (const [k, v] of Object.entries(raw)) {
        try {
          out[k] = evalRaw(v, ctx);
        } catch (e) {
          if (!(e instanceof Unevaluable)) throw new UsageError(`${at.workflow}: job ${at.job}: with: ${k}: ${(e as Error).message}`);
          out[k] = { unevaluable: e.what } as unknown as Value;
        }
      }
      return out;
    });
    checkInputFlags(discovery.stages, sh.inputs);
    const stages = selectStages(discovery.stages, o.only ?? [], o.skip ?? []);

    // Dry pass: every problem at once, before anything runs. Earlier stages' outputs are placeholders.
    const problems: string[] = [];
    const placeholders: Record<string, Record<string, { outputs: Record<string, string>; outcome: string }>> = {};
    for (const s of stages) {
      const steps = (placeholders[s.jobKey] ??= {});
      const r = resolveStage(s, sh, steps);
      problems.push(...r.problems);
      if (s.stepId) steps[s.stepId] = { outputs: new Proxy({}, { get: () => '' }) as Record<string, string>, outcome: 'success' };
    }
    if (problems.length) throw new ConfigProblems(problems);
    if (o.listOnly) {
      const listed = stages.map((s): StageResult => ({
        name: s.name,
        action: s.action,
        workflow: s.workflow,
        job: s.job,
        outcome: 'skipped',
        notes: ['listed, not run (--list)'],
        errors: [],
        durationMs: 0,
        findingsCount: 0,
        counts: zeroCounts(),
        findings: [],
        outputs: {},
        exitCode: null,
      }));
      return { repo: o.repo, event: eventName, scope, workflows: discovery.workflows, stages: listed, outcome: 'clean', exitCode: 0, durationMs: Date.now() - started, startedAt };
    }

    let pg: Awaited<ReturnType<NonNullable<CheckOptions['startPostgres']>>> | undefined;
    const results: StageResult[] = [];
    const jobSteps: Record<string, Record<string, { outputs: Record<string, string>; outcome: string }>> = {};
    try {
      for (const [i, s] of stages.entries()) {
        const steps = (jobSteps[s.jobKey] ??= {});
        o.onStageStart?.(s, i, stages.length);
        const t0 = Date.now();
        // --postgres: one server for the run, a new empty database for each migration-test stage.
        if (s.action === 'migration-test' && !o.databaseUrl && o.startPostgres && !(`${s.name}.database-url` in sh.inputs)) {
          pg ??= await o.startPostgres();
          sh.databaseUrl = await pg.createDatabase(`stage_${i + 1}`);
        }
        const plan = resolveStage(s, sh, steps);
        const base = { name: s.name, action: s.action, workflow: s.workflow, job: s.job, findingsCount: 0, counts: zeroCounts(), findings: [], outputs: {}, exitCode: null };
        let res: StageResult;
        if (!plan.run) {
          res = { ...base, outcome: 'skipped', notes: [plan.skipReason!, ...plan.notes], errors: [], durationMs: 0 };
        } else {
          try {
            const r = await runAction({
              action: s.action,
              inputs: plan.inputs,
              event: { name: eventName, payload },
              workspace: o.repo,
              env: { ...userEnv(), ...plan.env },
              node: o.node,
              runnerTemp,
              toolCache: sh.toolCache,
              repository: git.repository,
              ref: git.branch ? `refs/heads/${git.branch}` : undefined,
              sha: git.sha,
              timeoutMs: o.timeoutMs,
              onLine: o.onStageLine ? (l) => o.onStageLine!(s, l) : undefined,
            });
            const outcome = r.main.timedOut
              ? 'tool-error'
              : ((['clean', 'policy-failure', 'tool-error', 'config-error'] as const).find((x) => x === r.outputs.outcome) ?? (r.main.exitCode === 0 ? 'clean' : 'tool-error'));
            const counts = zeroCounts();
            for (const sev of SEVERITIES) counts[sev] = Number(r.outputs[`${sev}-count`] ?? 0) || 0;
            const findings = stageFindings(r, o.repo);
            res = {
              ...base,
              outcome,
              notes: plan.notes,
              errors: outcome === 'clean' || outcome === 'policy-failure' ? [] : stageErrors(r, o.timeoutMs),
              durationMs: Date.now() - t0,
              findingsCount: r.outputs['findings-count'] !== undefined ? Number(r.outputs['findings-count']) : findings.length,
              counts,
              findings,
              outputs: r.outputs,
              exitCode: r.main.exitCode,
              inputs: plan.inputs,
            };
            if (s.stepId) steps[s.stepId] = { outputs: r.outputs, outcome: r.main.exitCode === 0 ? 'success' : 'failure' };
            rmSync(r.dirs.temp, { recursive: true, force: true });
          } catch (e) {
            res = { ...base, outcome: 'tool-error', notes: plan.notes, errors: [(e as Error).message.split('\n')[0]], durationMs: Date.now() - t0 };
          }
        }
        results.push(res);
        o.onStageEnd?.(res, i, stages.length);
      }
    } finally {
      await pg?.stop();
    }
    const v = verdictOf(results.map((r) => r.outcome));
    return { repo: o.repo, event: eventName, scope, workflows: discovery.workflows, stages: results, ...v, durationMs: Date.now() - started, startedAt };
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

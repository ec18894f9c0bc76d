// What a stage and a whole run come to: the outcomes (listed once, here), a stage's verdict, findings and
// one-line errors read from what the bundle left behind, and the run's overall verdict and exit code. With
// --run-steps also each job and step, in GitHub's words (success, failure, skipped).
import { existsSync, readFileSync } from 'node:fs';
import type { ServiceResult } from './job-services.js';
import type { RunBundledActionResult } from './runner.js';

export type { ServiceResult } from './job-services.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The action contract's outcomes, most serious first: the first one any stage has is the run's verdict. */
export const VERDICTS = ['config-error', 'tool-error', 'policy-failure', 'clean'] as const;
export type Verdict = (typeof VERDICTS)[number];
type StageOutcome = Verdict | 'skipped';
/**
 * A run's outcome, most serious first: a verdict of the action contract, or `failure` — with --run-steps, a
 * step that is not one of ours failed its job (a lint, a test, a build).
 */
export const RUN_OUTCOMES = ['config-error', 'tool-error', 'failure', 'policy-failure', 'clean'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
const EXIT_CODES: Record<RunOutcome, 0 | 1 | 2> = { 'config-error': 2, 'tool-error': 2, failure: 1, 'policy-failure': 1, clean: 0 };

interface ReportFinding {
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
  outcome: StageOutcome;
  /** Why a stage was skipped, and what was adjusted locally. */
  notes: string[];
  /** One-line errors of a stage that failed for a tool or configuration reason. */
  errors: string[];
  durationMs: number;
  findingsCount: number;
  counts: Record<Severity, number>;
  findings: ReportFinding[];
  outputs: Record<string, string>;
  /** Report files the user asked for (`--input …sarif-file=…`), kept after the run: input → path. */
  reports?: Record<string, string>;
  exitCode: number | null;
  /** The inputs the stage ran with (not in the JSON report: they may hold a database URL). */
  inputs?: Record<string, string>;
}

export interface CheckResult {
  repo: string;
  event: string;
  scope?: string;
  workflows: string[];
  stages: StageResult[];
  /** Things the workflows use that are not ours: listed, never run. */
  notOurs: Array<{ uses: string; where: string; why?: string }>;
  /** Run-wide notes (e.g. a pinned commit that is not the build that ran). */
  notes: string[];
  /** Problems that stopped the run before any stage (exit 2). */
  errors: string[];
  /** --run-steps: every job that ran or was left out, in run order, with its steps. */
  jobs?: JobResult[];
  outcome: RunOutcome;
  exitCode: 0 | 1 | 2;
  durationMs: number;
  startedAt: string;
}

const zeroCounts = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

/** The run's verdict: the most serious outcome (skipped stages count as nothing). */
export function verdictOf(outcomes: Array<StageOutcome | 'failure'>): { outcome: RunOutcome; exitCode: 0 | 1 | 2 } {
  const outcome = RUN_OUTCOMES.find((v) => outcomes.includes(v)) ?? 'clean';
  return { outcome, exitCode: EXIT_CODES[outcome] };
}

/** GitHub's result of a step (`steps.<id>.outcome` / `.conclusion`) or a job (`needs.<id>.result`). */
export type StepStatus = 'success' | 'failure' | 'skipped';

export interface StepResult {
  /** As GitHub shows it: its name, `Run <first line>`, or the action it uses. */
  name: string;
  id?: string;
  kind: 'run' | 'action' | 'uses' | 'composite';
  uses?: string;
  /** kind action: the stage (its verdict and findings are in the run's stages). */
  stage?: string;
  /** Before continue-on-error (steps.<id>.outcome). */
  outcome: StepStatus;
  /** After continue-on-error (steps.<id>.conclusion): what the job's status follows. */
  conclusion: StepStatus;
  /** A run: step's exit code. */
  exitCode?: number | null;
  durationMs: number;
  /** What was adjusted locally, why a step was skipped. */
  notes: string[];
  /** Set when GitHub would run the step but this machine cannot: why (the step counts as skipped). */
  notLocal?: string;
  /** One-line errors, as GitHub shows them (Process completed with exit code 1.). */
  errors: string[];
  outputs: Record<string, string>;
  /** A failed run: step's last lines of output (masked). */
  logTail?: string[];
  /** A run: step's shell command and working directory. */
  shell?: string;
  workingDirectory?: string;
  /** kind composite: its own steps. */
  steps?: StepResult[];
}

export interface JobResult {
  /** As GitHub shows it: the job's name (with the matrix values), else its id. */
  name: string;
  workflow: string;
  job: string;
  matrix?: Record<string, unknown>;
  result: StepStatus;
  durationMs: number;
  notes: string[];
  /** The job would run on GitHub but not here (a deploy, another OS): why. */
  notLocal?: string;
  services: ServiceResult[];
  outputs: Record<string, string>;
  steps: StepResult[];
  /** The job could not start or finish here (a service that did not start): one line. */
  error?: string;
}

/** The stage's outcome output, else what its exit code says (a bundle that died before setting it failed as a tool). */
function outcomeOf(r: RunBundledActionResult): Verdict {
  if (r.main.timedOut) return 'tool-error';
  return VERDICTS.find((v) => v === r.outputs.outcome) ?? (r.main.exitCode === 0 ? 'clean' : 'tool-error');
}

interface SarifResult {
  ruleId?: string;
  level?: string;
  message?: { text?: string };
  suppressions?: unknown[];
  properties?: { severity?: Severity };
  locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }>;
}

const levelSeverity = (level: string | undefined): Severity => (level === 'error' ? 'high' : level === 'warning' ? 'medium' : 'low');

/** Findings from the stage's SARIF file (our actions all write one), else from its file annotations. */
function stageFindings(r: RunBundledActionResult): ReportFinding[] {
  const sarifFile = r.outputs['sarif-file'];
  if (sarifFile && existsSync(sarifFile)) {
    try {
      const log = JSON.parse(readFileSync(sarifFile, 'utf8')) as { runs?: Array<{ results?: SarifResult[] }> };
      return (log.runs ?? []).flatMap((run) =>
        (run.results ?? [])
          .filter((res) => !res.suppressions?.length)
          .map((res) => {
            const loc = res.locations?.[0]?.physicalLocation;
            const uri = loc?.artifactLocation?.uri;
            const sev = res.properties?.severity;
            return {
              ruleId: String(res.ruleId ?? 'unknown'),
              severity: sev && SEVERITIES.includes(sev) ? sev : levelSeverity(res.level),
              message: String(res.message?.text ?? ''),
              ...(uri ? { file: decodeURIComponent(uri) } : {}),
              ...(loc?.region?.startLine ? { line: Number(loc.region.startLine) } : {}),
            };
          }),
      );
    } catch {
      /* an unreadable SARIF file: fall back to annotations */
    }
  }
  return r.main.annotations
    .filter((a) => a.file)
    .map((a) => ({ ruleId: a.title ?? 'annotation', severity: levelSeverity(a.level), message: a.message, file: a.file, ...(a.line ? { line: a.line } : {}) }));
}

/**
 * The one-line errors a stage printed (annotations without a file), as CI shows them, without the
 * `<action>: ` prefix the kit puts on them: the CLI already says which stage each line is from.
 */
function stageErrors(r: RunBundledActionResult, action: string, timeoutMs?: number): string[] {
  const lines = r.main.annotations.filter((a) => a.level === 'error' && !a.file).map((a) => a.message.split('\n')[0]);
  // Stopped at --timeout: say so first, with the real time it took (the stop itself takes a few seconds).
  if (r.main.timedOut)
    lines.unshift(`stopped after ${Math.round(r.main.durationMs / 1000)}s: it ran past --timeout ${Math.round((timeoutMs ?? 0) / 1000)}s; every process it started was ended`);
  if (lines.length === 0 && r.main.exitCode !== 0) {
    const last = r.main.stderr.trim().split('\n').at(-1);
    if (last) lines.push(last);
  }
  return lines.map((l) => (l.startsWith(`${action}: `) ? l.slice(action.length + 2) : l));
}

/** A stage's result from what its bundle left behind. */
export function stageResult(
  base: Pick<StageResult, 'name' | 'action' | 'workflow' | 'job' | 'notes'>,
  r: RunBundledActionResult,
  durationMs: number,
  timeoutMs?: number,
): StageResult {
  const outcome = outcomeOf(r);
  const findings = stageFindings(r);
  const counts = zeroCounts();
  for (const sev of SEVERITIES) counts[sev] = Number(r.outputs[`${sev}-count`] ?? 0) || 0;
  return {
    ...base,
    outcome,
    errors: outcome === 'clean' || outcome === 'policy-failure' ? [] : stageErrors(r, base.action, timeoutMs),
    durationMs,
    findingsCount: r.outputs['findings-count'] !== undefined ? Number(r.outputs['findings-count']) : findings.length,
    counts,
    findings,
    outputs: r.outputs,
    exitCode: r.main.exitCode,
  };
}

/** A stage that did not run: skipped (with why), or failed before its bundle started (a tool or config error). */
export function stageWithout(base: Pick<StageResult, 'name' | 'action' | 'workflow' | 'job' | 'notes'>, outcome: StageOutcome, errors: string[] = [], durationMs = 0): StageResult {
  return { ...base, outcome, errors, durationMs, findingsCount: 0, counts: zeroCounts(), findings: [], outputs: {}, exitCode: null };
}

/** A result that stops before any stage: the errors, each one line, exit code 2. */
export function failedResult(repo: string, errors: string[], started = Date.now(), partial: Partial<CheckResult> = {}): CheckResult {
  return {
    repo,
    event: 'workflow_dispatch',
    workflows: [],
    stages: [],
    notOurs: [],
    notes: [],
    ...partial,
    errors,
    outcome: 'config-error',
    exitCode: 2,
    durationMs: Date.now() - started,
    startedAt: new Date(started).toISOString(),
  };
}

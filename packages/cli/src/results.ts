// What a stage and a whole run come to: the outcomes (listed once, here), a stage's verdict, findings and
// one-line errors read from what the bundle left behind, and the run's overall verdict and exit code.
import { existsSync, readFileSync } from 'node:fs';
import type { RunActionResult } from './runner.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The action contract's outcomes, most serious first: the first one any stage has is the run's verdict. */
export const VERDICTS = ['config-error', 'tool-error', 'policy-failure', 'clean'] as const;
export type Verdict = (typeof VERDICTS)[number];
type StageOutcome = Verdict | 'skipped';
const EXIT_CODES: Record<Verdict, 0 | 1 | 2> = { 'config-error': 2, 'tool-error': 2, 'policy-failure': 1, clean: 0 };

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
  outcome: Verdict;
  exitCode: 0 | 1 | 2;
  durationMs: number;
  startedAt: string;
}

const zeroCounts = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

/** The run's verdict: the most serious stage outcome (skipped stages count as nothing). */
export function verdictOf(outcomes: StageOutcome[]): { outcome: Verdict; exitCode: 0 | 1 | 2 } {
  const outcome = VERDICTS.find((v) => outcomes.includes(v)) ?? 'clean';
  return { outcome, exitCode: EXIT_CODES[outcome] };
}

/** The stage's outcome output, else what its exit code says (a bundle that died before setting it failed as a tool). */
function outcomeOf(r: RunActionResult): Verdict {
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
function stageFindings(r: RunActionResult): ReportFinding[] {
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
function stageErrors(r: RunActionResult, action: string, timeoutMs?: number): string[] {
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
export function stageResult(base: Pick<StageResult, 'name' | 'action' | 'workflow' | 'job' | 'notes'>, r: RunActionResult, durationMs: number, timeoutMs?: number): StageResult {
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

// The run report: one small JSON file per action run, for a verdict that merges many runs (the shards
// of a matrix) into one. Written when PLATFORM_ACTIONS_REPORT_DIR is set, by every action through the
// kit, on every exit path: publish() writes what the run found, and runAction() completes it with the
// final outcome, the one failure line when the run ended by an error, and how long it took. A shard that
// never wrote one crashed, timed out or was cancelled, and the verdict says so.
//
//   <dir>/<action>-<step>.json   {"schema": "platform-actions/run-report@1", action, outcome, counts, findings, …}
//   <dir>/<action>-<step>.sarif  a copy of the SARIF file the run wrote, when it wrote one
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '../core.js';
import { countBySeverity, type Finding, SEVERITIES, type SeverityCounts } from '../findings.js';
import { type GateResult, type Outcome, OUTCOMES } from '../gate.js';
import { hasSecrets, scrub } from '../secrets.js';

const RUN_REPORT_SCHEMA = 'platform-actions/run-report@1';
/** Where reports go; unset: no report is written. */
const REPORT_DIR_ENV = 'PLATFORM_ACTIONS_REPORT_DIR';
/** Which shard of a plan this run is (set by the workflow from the matrix), recorded in the report. */
const SHARD_ENV = 'PLATFORM_ACTIONS_SHARD';
/** Findings kept in one report; the counts always cover all of them. */
const REPORT_MAX_FINDINGS = 5000;
const MAX_DETAILS = 64 * 1024;

export interface RunReport {
  schema: typeof RUN_REPORT_SCHEMA;
  action: string;
  title: string;
  /** The plan's shard id, when the run was one. */
  shard?: string;
  outcome: Outcome;
  startedAt: string;
  durationMs: number;
  counts: SeverityCounts;
  /** Active findings at or above the threshold. */
  failing: number;
  suppressed: number;
  toolErrors: string[];
  policyErrors: string[];
  /** The one failure line, when the run ended by an error instead of a verdict on findings. */
  failure?: string;
  /** The active findings, most severe first, at most REPORT_MAX_FINDINGS. */
  findings: Finding[];
  findingsOmitted: number;
  /** The SARIF copy next to this report (file name), when the run wrote SARIF. */
  sarif?: string;
  /** The action's own Markdown details (scope, per-target tables), cut to 64 KiB. */
  details?: string;
}

let startedAt = new Date();
let current: RunReport | undefined;

const reportDir = (): string | undefined => process.env[REPORT_DIR_ENV] || undefined;
/** `<action>-<step id>`: unique per step of a job, stable across attempts. */
const baseName = (action: string): string => `${action}-${(process.env.GITHUB_ACTION || 'run').replace(/[^A-Za-z0-9._-]/g, '_')}`;

function blank(action: string, title: string, outcome: Outcome): RunReport {
  return {
    schema: RUN_REPORT_SCHEMA,
    action,
    title,
    ...(process.env[SHARD_ENV] ? { shard: process.env[SHARD_ENV] } : {}),
    outcome,
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    counts: countBySeverity([]),
    failing: 0,
    suppressed: 0,
    toolErrors: [],
    policyErrors: [],
    findings: [],
    findingsOmitted: 0,
  };
}

function write(r: RunReport): void {
  const dir = reportDir();
  if (!dir) return;
  r.durationMs = Date.now() - startedAt.getTime();
  try {
    mkdirSync(dir, { recursive: true });
    // Every string scrubbed as it is serialised, as for SARIF: no field can carry a secret.
    const text = hasSecrets() ? JSON.stringify(r, (_k, v: unknown) => (typeof v === 'string' ? scrub(v) : v)) : JSON.stringify(r);
    writeFileSync(join(dir, `${baseName(r.action)}.json`), text + '\n');
  } catch (e) {
    // The report is for the verdict; without it the verdict names this run as missing. Never a second failure.
    core.warning(`Run report not written to ${dir}: ${(e as Error).message}`);
  }
}

/** publish(): what the run found. The SARIF file, when there is one, is copied next to the report. */
export function recordRun(input: { action: string; title: string; gate: GateResult; details?: string; sarifPath?: string }): void {
  if (!reportDir()) return;
  const { gate } = input;
  const r = blank(input.action, input.title, gate.outcome);
  r.counts = countBySeverity(gate.active);
  r.failing = gate.failing.length;
  r.suppressed = gate.suppressed.length;
  r.toolErrors = [...gate.toolErrors];
  r.policyErrors = [...gate.policyErrors];
  r.findings = gate.active.slice(0, REPORT_MAX_FINDINGS);
  r.findingsOmitted = Math.max(0, gate.active.length - REPORT_MAX_FINDINGS);
  if (input.details) r.details = input.details.length > MAX_DETAILS ? `${input.details.slice(0, MAX_DETAILS)}\n\n…(details cut)` : input.details;
  if (input.sarifPath && existsSync(input.sarifPath)) {
    try {
      const name = `${baseName(input.action)}.sarif`;
      mkdirSync(reportDir()!, { recursive: true });
      copyFileSync(input.sarifPath, join(reportDir()!, name));
      r.sarif = name;
    } catch (e) {
      core.warning(`SARIF not copied to the run report: ${(e as Error).message}`);
    }
  }
  current = r;
  write(r);
}

/** runAction(): the final outcome (and the failure line when the run ended by an error), on every exit path. */
export function finishRun(action: string, outcome: Outcome, failure?: string): void {
  if (!reportDir()) return;
  const r = current ?? blank(action, action, outcome);
  r.outcome = outcome;
  if (failure) r.failure = failure;
  current = r;
  write(r);
}

/** For tests, which run many actions in one process: forget the run recorded so far and start its clock again. */
export function resetRunReport(): void {
  current = undefined;
  startedAt = new Date();
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Pure: a run report read back, or why it is not one. Reports come from our own runs in the same
 * workflow, but a verdict treats them as data: shapes are checked, and text is escaped where it is shown.
 */
export function parseRunReport(text: string): { report: RunReport } | { problem: string } {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { problem: 'is not JSON' };
  }
  if (!d || typeof d !== 'object' || d.schema !== RUN_REPORT_SCHEMA) return { problem: `is not a ${RUN_REPORT_SCHEMA} file` };
  if (typeof d.action !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(d.action)) return { problem: 'has no valid action name' };
  if (!OUTCOMES.includes(d.outcome as Outcome)) return { problem: `has an unknown outcome ${JSON.stringify(d.outcome)}` };
  const counts = d.counts as Record<string, unknown> | undefined;
  if (!counts || ![...SEVERITIES, 'total'].every((s) => Number.isInteger(counts[s]) && (counts[s] as number) >= 0)) return { problem: 'has no valid counts' };
  if (!Array.isArray(d.findings) || !isStringArray(d.toolErrors) || !isStringArray(d.policyErrors)) return { problem: 'has no valid findings or errors' };
  const findings = (d.findings as unknown[]).filter(
    (f): f is Finding =>
      Boolean(f) &&
      typeof (f as Finding).ruleId === 'string' &&
      typeof (f as Finding).message === 'string' &&
      typeof (f as Finding).fingerprint === 'string' &&
      (SEVERITIES as readonly string[]).includes((f as Finding).severity),
  );
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  return {
    report: {
      schema: RUN_REPORT_SCHEMA,
      action: d.action,
      title: typeof d.title === 'string' ? d.title : d.action,
      ...(typeof d.shard === 'string' ? { shard: d.shard } : {}),
      outcome: d.outcome as Outcome,
      startedAt: typeof d.startedAt === 'string' ? d.startedAt : '',
      durationMs: num(d.durationMs),
      counts: counts as SeverityCounts,
      failing: num(d.failing),
      suppressed: num(d.suppressed),
      toolErrors: d.toolErrors as string[],
      policyErrors: d.policyErrors as string[],
      ...(typeof d.failure === 'string' ? { failure: d.failure } : {}),
      findings,
      findingsOmitted: num(d.findingsOmitted) + ((d.findings as unknown[]).length - findings.length),
      ...(typeof d.sarif === 'string' && /^[A-Za-z0-9._-]+\.sarif$/.test(d.sarif) ? { sarif: d.sarif } : {}),
      ...(typeof d.details === 'string' ? { details: d.details } : {}),
    },
  };
}

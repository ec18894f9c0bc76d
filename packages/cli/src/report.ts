// The `--json <file>` report: what ran, how long it took, what it found and the verdict, in the shape
// described by schema/report.schema.json (the tests validate every report they write against it).
import { scrub } from '@platform-actions/kit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckResult, StageResult } from './check.js';

export const REPORT_VERSION = 1;
const TEMP_OUTPUTS = new Set(['sarif-file', 'report-file', 'report-dir']);

export interface JsonReport {
  version: typeof REPORT_VERSION;
  tool: 'platform-actions';
  command: 'check' | 'run';
  repository: string;
  event: string;
  scope?: string;
  startedAt: string;
  durationMs: number;
  outcome: CheckResult['outcome'];
  exitCode: CheckResult['exitCode'];
  workflows: string[];
  stages: Array<Omit<StageResult, 'exitCode' | 'inputs'>>;
  totals: { stages: number; findings: number; byOutcome: Record<StageResult['outcome'], number> };
}

export function toJsonReport(res: CheckResult, command: 'check' | 'run' = 'check'): JsonReport {
  const byOutcome: Record<StageResult['outcome'], number> = { clean: 0, 'policy-failure': 0, 'tool-error': 0, 'config-error': 0, skipped: 0 };
  for (const s of res.stages) byOutcome[s.outcome]++;
  return {
    version: REPORT_VERSION,
    tool: 'platform-actions',
    command,
    repository: res.repo,
    event: res.event,
    ...(res.scope ? { scope: res.scope } : {}),
    startedAt: res.startedAt,
    durationMs: res.durationMs,
    outcome: res.outcome,
    exitCode: res.exitCode,
    workflows: res.workflows,
    // sarif-file, report-file and report-dir point into the run's temp folder, which is gone once check returns.
    stages: res.stages.map(({ exitCode: _e, inputs: _i, outputs, ...s }) => ({ ...s, outputs: Object.fromEntries(Object.entries(outputs).filter(([k]) => !TEMP_OUTPUTS.has(k))) })),
    totals: { stages: res.stages.length, findings: res.stages.reduce((n, s) => n + s.findingsCount, 0), byOutcome },
  };
}

export function writeJsonReport(file: string, res: CheckResult, command: 'check' | 'run' = 'check'): void {
  mkdirSync(dirname(file), { recursive: true });
  // Every string scrubbed of the credentials the command line carried (main.ts registers them).
  writeFileSync(file, JSON.stringify(toJsonReport(res, command), (_k, v: unknown) => (typeof v === 'string' ? scrub(v) : v), 2) + '\n');
}

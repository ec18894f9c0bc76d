// The `--json <file>` report: what ran, how long it took, what it found and the verdict, in the shape
// described by schema/report.schema.json (the tests validate every report they write against it). With
// --run-steps also every job and step, and the list of what could not run here.
import { scrub } from '@platform-actions/kit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type CheckResult, type JobResult, type StageResult, type StepResult, VERDICTS } from './results.js';

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
  notOurs: CheckResult['notOurs'];
  notes: string[];
  errors: string[];
  stages: Array<Omit<StageResult, 'exitCode' | 'inputs'>>;
  totals: { stages: number; findings: number; byOutcome: Record<StageResult['outcome'], number> };
  /** --run-steps: the jobs in the order they ran (or were left out), each with its steps. */
  jobs?: JobResult[];
  /** --run-steps: what GitHub would run that this machine did not, and why. */
  notRunLocally?: Array<{ job: string; step?: string; uses?: string; why: string }>;
}

/** Every job, step and service that would run on GitHub but did not here. */
function notRunLocally(jobs: JobResult[]): NonNullable<JsonReport['notRunLocally']> {
  const out: NonNullable<JsonReport['notRunLocally']> = [];
  const walk = (job: string, steps: StepResult[]) => {
    for (const s of steps) {
      if (s.notLocal) out.push({ job, step: s.name, ...(s.uses ? { uses: s.uses } : {}), why: s.notLocal });
      if (s.steps) walk(job, s.steps);
    }
  };
  for (const j of jobs) {
    if (j.notLocal) out.push({ job: j.name, why: j.notLocal });
    for (const sv of j.services) if (sv.notLocal) out.push({ job: j.name, why: `service ${sv.id} (${sv.image}) ${sv.notLocal}` });
    walk(j.name, j.steps);
  }
  return out;
}

export function toJsonReport(res: CheckResult, command: 'check' | 'run' = 'check'): JsonReport {
  const byOutcome = Object.fromEntries([...VERDICTS, 'skipped'].map((o) => [o, 0])) as Record<StageResult['outcome'], number>;
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
    notOurs: res.notOurs,
    notes: res.notes,
    errors: res.errors,
    // sarif-file, report-file and report-dir point into the run's temp folder, which is gone once check
    // returns, unless the user asked for the file (then it is kept, and so is the output).
    stages: res.stages.map(({ exitCode: _e, inputs: _i, outputs, ...s }) => ({
      ...s,
      outputs: Object.fromEntries(Object.entries(outputs).filter(([k, v]) => !TEMP_OUTPUTS.has(k) || Object.values(s.reports ?? {}).includes(v))),
    })),
    totals: { stages: res.stages.length, findings: res.stages.reduce((n, s) => n + s.findingsCount, 0), byOutcome },
    ...(res.jobs ? { jobs: res.jobs, notRunLocally: notRunLocally(res.jobs) } : {}),
  };
}

export function writeJsonReport(file: string, res: CheckResult, command: 'check' | 'run' = 'check'): void {
  mkdirSync(dirname(file), { recursive: true });
  // Every string scrubbed of the credentials the command line carried (main.ts registers them).
  writeFileSync(file, JSON.stringify(toJsonReport(res, command), (_k, v: unknown) => (typeof v === 'string' ? scrub(v) : v), 2) + '\n');
}

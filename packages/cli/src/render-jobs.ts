// Terminal output of `check --run-steps`: a heading per job (with the servers its services run on), a
// line per step as it ends — what ran, what was mapped, what is not run locally — with a failed step's
// errors and last lines of output under it; then the findings of our stages, the failed steps, what could
// not run here, a table of jobs and the result.
import { clickable, findingsAndErrors, outcomeWord, painter, seconds } from './render.js';
import type { CheckResult, JobResult, ServiceResult, StepResult } from './results.js';

type Paint = ReturnType<typeof painter>;

const LOOK = {
  success: { mark: '✔', colour: 'green' },
  failure: { mark: '✖', colour: 'red' },
  skipped: { mark: '-', colour: 'dim' },
  local: { mark: '○', colour: 'dim' },
} as const;

const look = (r: Pick<StepResult, 'outcome' | 'notLocal'>) => (r.notLocal ? LOOK.local : LOOK[r.outcome]);

/** A job's heading, with what runs here for each of its services. */
export function jobHeader(j: { name: string; workflow: string; services: ServiceResult[] }, p: Paint): string {
  const lines = [``, `${p.bold(j.name)}  ${p.dim(j.workflow)}`];
  for (const s of j.services) lines.push(`  ${p.dim(`service ${s.id} (${s.image}): ${s.local ?? s.notLocal}`)}`);
  return lines.join('\n') + '\n';
}

const status = (r: StepResult): string => {
  if (r.notLocal) return 'not run locally';
  if (r.outcome === 'failure' && r.conclusion === 'success') return 'failure (continue-on-error)';
  if (r.outcome === 'failure' && r.exitCode !== undefined && r.exitCode !== null) return `failure (exit ${r.exitCode})`;
  return r.outcome;
};

/** A step's line when it ends: `✖ [3/6] lint › flake8  failure (exit 1)  0.4s`, and why, for one not run. */
export function stepLine(r: StepResult, index: number, total: number, p: Paint, job: string): string {
  const l = look(r);
  const why = r.notLocal ?? (r.outcome === 'skipped' || r.kind === 'uses' || r.kind === 'action' ? r.notes[0] : undefined);
  const parts = [
    `${p[l.colour](l.mark)} [${index + 1}/${total}] ${job} › ${r.name}`,
    p[l.colour](status(r)),
    r.outcome === 'skipped' ? '' : seconds(r.durationMs),
    why ? p.dim(why) : '',
  ];
  return parts.filter(Boolean).join('  ');
}

/** Under a step's line: a failed step's errors and last lines of output; a stage's notes. */
export function stepDetails(r: StepResult, p: Paint): string[] {
  const out: string[] = [];
  if (r.outcome === 'failure') {
    for (const e of r.errors) out.push(p.red(e));
    for (const l of r.logTail ?? []) out.push(p.dim(`│ ${l}`));
  }
  if (r.kind === 'action' && r.outcome !== 'skipped') for (const n of r.notes.slice(1)) out.push(p.dim(`note: ${n}`));
  for (const n of r.notes.filter((x) => x.startsWith('warning:') || x.startsWith('continue-on-error'))) out.push(p.yellow(n));
  return out;
}

/** A job that did not run its steps: one line saying why. */
export function jobEndLines(r: JobResult, p: Paint): string[] {
  if (r.error) return [p.red(`✖ ${r.name}: ${r.error}`)];
  if (r.result !== 'skipped') return [];
  const why = r.notLocal ? `not run locally: ${r.notLocal}` : `skipped: ${r.notes[0] ?? ''}`;
  return ['', `${p.dim(LOOK.skipped.mark)} ${p.bold(r.name)}  ${p.dim(why)}  ${p.dim(r.workflow)}`];
}

const flat = (steps: StepResult[]): StepResult[] => steps.flatMap((s) => (s.steps ? flat(s.steps) : [s]));

/** After the run: findings, failed steps, what did not run here, the jobs table and the result. */
export function renderJobsReport(res: CheckResult, colour: boolean): string {
  const p = painter(colour);
  const jobs = res.jobs ?? [];
  const lines: string[] = [];
  if (jobs.length === 0) return `Nothing to run: no job of ${res.workflows.length} workflow${res.workflows.length === 1 ? '' : 's'} is triggered by ${res.event}.\n`;
  lines.push(...findingsAndErrors(res, p));
  const failed = jobs.flatMap((j) =>
    flat(j.steps)
      .filter((s) => s.outcome === 'failure' && !s.stage)
      .map((s) => ({ j, s })),
  );
  if (failed.length) {
    lines.push('', p.bold('Failed steps'));
    for (const { j, s } of failed) {
      lines.push(`  ${j.name} › ${s.name}: ${s.errors.at(-1) ?? 'failed'}${s.conclusion === 'success' ? ' (continue-on-error)' : ''}`);
      if (s.workingDirectory) lines.push(`    ${p.dim(`${s.shell ?? ''} in ${clickable(res.repo, s.workingDirectory)}`)}`);
    }
  }
  const notLocal = [
    ...jobs.filter((j) => j.notLocal).map((j) => `${j.name}: ${j.notLocal}`),
    ...jobs.flatMap((j) =>
      flat(j.steps)
        .filter((s) => s.notLocal)
        .map((s) => `${j.name} › ${s.name}${s.uses ? ` (${s.uses.replace(/@\S+$/, '')})` : ''}: ${s.notLocal}`),
    ),
    ...jobs.flatMap((j) => j.services.filter((s) => s.notLocal).map((s) => `${j.name}: service ${s.id} (${s.image}) ${s.notLocal}`)),
  ];
  if (notLocal.length) {
    lines.push('', p.bold('Not run locally'));
    for (const n of notLocal) lines.push(`  ${p.dim(n)}`);
  }
  lines.push('', p.bold('Summary'));
  const counts = (j: JobResult) => {
    const s = flat(j.steps);
    const n = (f: (x: StepResult) => boolean) => s.filter(f).length;
    return [
      `${n((x) => x.outcome === 'success')} ✔`,
      `${n((x) => x.outcome === 'failure')} ✖`,
      `${n((x) => x.outcome === 'skipped' && !x.notLocal)} -`,
      `${n((x) => !!x.notLocal)} ○`,
    ].join(' ');
  };
  const rows = jobs.map((j) => [j.name, j.notLocal ? 'not run locally' : j.result, j.steps.length ? counts(j) : '', seconds(j.durationMs), j.workflow]);
  const head = ['Job', 'Result', 'Steps ✔ ✖ - ○', 'Time', 'Workflow'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(`  ${p.dim(fmt(head))}`);
  for (const [i, r] of rows.entries()) {
    const j = jobs[i];
    const line = fmt(r);
    lines.push(`  ${j.result === 'failure' ? p.red(line) : j.result === 'skipped' ? p.dim(line) : line}`);
  }
  const steps = jobs.flatMap((j) => flat(j.steps));
  const findings = res.stages.reduce((n, s) => n + s.findingsCount, 0);
  const nFailedJobs = jobs.filter((j) => j.result === 'failure').length;
  const nFailedSteps = steps.filter((s) => s.conclusion === 'failure').length;
  lines.push(
    '',
    `${p.bold('Result:')} ${outcomeWord(res.outcome, p)} — ${jobs.length} job${jobs.length === 1 ? '' : 's'}${nFailedJobs ? ` (${nFailedJobs} failed)` : ''}, ${steps.length} step${steps.length === 1 ? '' : 's'}${nFailedSteps ? ` (${nFailedSteps} failed)` : ''}, ${findings} finding${findings === 1 ? '' : 's'}, ${seconds(res.durationMs)}${res.scope ? `, scope ${res.scope}` : ''} (exit ${res.exitCode})`,
  );
  return lines.join('\n') + '\n';
}

/** `--list --run-steps`: each job, what it needs, and its steps with what each is. */
export function renderJobsList(res: CheckResult): string {
  const lines: string[] = [];
  const kind = (s: StepResult) => (s.stage ? `stage ${s.stage}` : s.kind === 'run' ? 'run' : s.kind === 'composite' ? `composite ${s.uses}` : `uses ${s.uses}`);
  const walk = (steps: StepResult[], indent: string) => {
    for (const s of steps) {
      lines.push(`${indent}${s.name}\t${kind(s)}`);
      if (s.steps) walk(s.steps, `${indent}  `);
    }
  };
  for (const j of res.jobs ?? []) {
    const extra = [
      j.notes[1],
      j.services.length ? `services: ${j.services.map((s) => `${s.id} (${s.image})`).join(', ')}` : '',
      j.notLocal ? `not run locally: ${j.notLocal}` : '',
    ];
    lines.push([j.name, j.workflow, ...extra.filter(Boolean)].join('\t'));
    walk(j.steps, '  ');
  }
  for (const n of res.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

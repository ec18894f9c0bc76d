// Terminal output: a live progress line per stage, a verdict line when it ends, then the findings grouped
// by file (with `file:line` that editors and terminals turn into links), the one-line errors and a summary
// table. Colour only on a TTY and only when NO_COLOR is unset (https://no-color.org).
import { isAbsolute, join, relative } from 'node:path';
import type { CheckResult, RunOutcome, StageResult } from './results.js';

/** What a progress line names: a stage, or (--run-steps) a job's step. */
export interface Label {
  name: string;
  workflow: string;
  job: string;
}

export interface Out {
  write(s: string): void;
  isTTY: boolean;
}

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && env.NO_COLOR === undefined;
}

export function painter(colour: boolean) {
  const c = (code: string) => (s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: c('31'), green: c('32'), yellow: c('33'), blue: c('34'), dim: c('2'), bold: c('1'), magenta: c('35') };
}

/** How each outcome looks: its words, its mark and its colour (one table for every place that shows one). */
const LOOK: Record<StageResult['outcome'] | RunOutcome, { text: string; mark: string; colour: 'green' | 'dim' | 'red' | 'magenta' }> = {
  clean: { text: 'clean', mark: '✔', colour: 'green' },
  failure: { text: 'failure', mark: '✖', colour: 'red' },
  'policy-failure': { text: 'policy failure', mark: '✖', colour: 'red' },
  'tool-error': { text: 'tool error', mark: '!', colour: 'magenta' },
  'config-error': { text: 'config error', mark: '!', colour: 'magenta' },
  skipped: { text: 'skipped', mark: '-', colour: 'dim' },
};
const paint = (outcome: keyof typeof LOOK, s: string, p: ReturnType<typeof painter>): string => p[LOOK[outcome].colour](s);

/** The run's outcome in its words and colour (the Result line). */
export const outcomeWord = (outcome: RunOutcome, p: ReturnType<typeof painter>): string => paint(outcome, LOOK[outcome].text, p);

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** A file path as the user can click it: relative to the current directory when below it. */
export function clickable(repo: string, file: string, line?: number): string {
  const abs = isAbsolute(file) ? file : join(repo, file);
  const rel = relative(process.cwd(), abs);
  const shown = rel && !rel.startsWith('..') ? rel : abs;
  return line ? `${shown}:${line}` : shown;
}

// Only the parts of the action's log that say what it is doing now (groups and plain lines).
function progressText(line: string): string | undefined {
  const g = /^::group::(.*)$/.exec(line);
  if (g) return g[1];
  if (line.startsWith('::') || line.trim() === '') return undefined;
  return line;
}

export class Progress {
  private timer?: NodeJS.Timeout;
  private current?: { stage: Label; index: number; total: number; started: number; last: string };
  private readonly p: ReturnType<typeof painter>;
  private frame = 0;

  constructor(
    private readonly out: Out,
    readonly colour: boolean,
  ) {
    this.p = painter(colour);
  }

  write(s: string): void {
    this.out.write(s);
  }

  start(stage: Label, index: number, total: number): void {
    this.current = { stage, index, total, started: Date.now(), last: '' };
    const head = `[${index + 1}/${total}] ${stage.name}`;
    if (this.out.isTTY) {
      this.draw();
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    } else this.out.write(`${head} … (${stage.workflow}, job ${stage.job})\n`);
  }

  line(_stage: Label, line: string): void {
    const t = progressText(line);
    if (!t || !this.current || t === this.current.last) return;
    this.current.last = t;
    // Shown at once (a download or a step may take less than the next tick).
    if (this.out.isTTY) this.draw();
  }

  private draw(): void {
    const c = this.current;
    if (!c) return;
    const spin = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[this.frame++ % 10];
    const cols = (this.out as { columns?: number }).columns ?? 100;
    const head = `${spin} [${c.index + 1}/${c.total}] ${c.stage.name} ${seconds(Date.now() - c.started)}`;
    const tail = c.last ? `  ${c.last}` : '';
    this.out.write(`\r\x1b[K${this.p.blue(head)}${this.p.dim(tail.slice(0, Math.max(0, cols - head.length - 1)))}`);
  }

  end(r: StageResult, index: number, total: number): void {
    this.finish(
      stageLine(r, index, total, this.p),
      r.notes.map((n) => this.p.dim(`note: ${n}`)),
    );
  }

  /** Ends the live line (if any) with `line`, and `more` lines under it. */
  finish(line: string, more: string[] = []): void {
    if (this.timer) clearInterval(this.timer);
    const live = !!this.current;
    this.timer = undefined;
    this.current = undefined;
    if (this.out.isTTY && live) this.out.write('\r\x1b[K');
    this.out.write(`${line}\n`);
    for (const m of more) this.out.write(`      ${m}\n`);
  }
}

const countsText = (r: StageResult): string => {
  if (r.outcome === 'skipped') return '';
  const parts = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `${r.findingsCount} finding${r.findingsCount === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
};

export function stageLine(r: StageResult, index: number, total: number, p: ReturnType<typeof painter>): string {
  return `${paint(r.outcome, LOOK[r.outcome].mark, p)} [${index + 1}/${total}] ${r.name}  ${paint(r.outcome, LOOK[r.outcome].text, p)}  ${seconds(r.durationMs)}  ${countsText(r)}`.trimEnd();
}

const SEV_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

/** "Not ours, not run: …" — everything the workflows use that is not ours, once. */
const notOursLine = (res: CheckResult): string | undefined => (res.notOurs.length ? `Not ours, not run: ${res.notOurs.map((n) => n.uses).join(', ')}` : undefined);

/** The run-wide notes, printed before the first stage. */
export const renderNotes = (notes: string[], colour: boolean): string => notes.map((n) => `${painter(colour).yellow(`note: ${n}`)}\n`).join('');

/** The findings of every stage grouped by file, then the stages' one-line errors. */
export function findingsAndErrors(res: CheckResult, p: ReturnType<typeof painter>): string[] {
  const lines: string[] = [];
  const all = res.stages.flatMap((s) => s.findings.map((f) => ({ ...f, stage: s.name })));
  if (all.length) {
    lines.push('', p.bold('Findings'));
    const byFile = new Map<string, typeof all>();
    for (const f of all) {
      const k = f.file ?? '(no file)';
      byFile.set(k, [...(byFile.get(k) ?? []), f]);
    }
    for (const [file, fs] of [...byFile.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      lines.push('', p.bold(file === '(no file)' ? file : clickable(res.repo, file)));
      fs.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || SEV_ORDER.indexOf(a.severity) - SEV_ORDER.indexOf(b.severity));
      for (const f of fs) {
        const sev = f.severity.toUpperCase().padEnd(8);
        const sevC = f.severity === 'critical' || f.severity === 'high' ? p.red(sev) : f.severity === 'medium' ? p.yellow(sev) : p.dim(sev);
        const at = f.file ? clickable(res.repo, f.file, f.line) : '';
        lines.push(`  ${at}  ${sevC} ${f.ruleId}  ${f.message.split('\n')[0]}  ${p.dim(`(${f.stage})`)}`);
      }
    }
  }
  const errs = res.stages.filter((s) => s.errors.length);
  if (errs.length) {
    lines.push('', p.bold('Errors'));
    for (const s of errs) for (const e of s.errors) lines.push(`  ${s.name}: ${e}`);
  }
  return lines;
}

/** Findings by file, errors, and the summary table; or one line when nothing of ours is there. */
export function renderReport(res: CheckResult, colour: boolean): string {
  const p = painter(colour);
  const lines: string[] = [];
  if (res.stages.length === 0) {
    const n = res.workflows.length;
    lines.push(
      `Nothing of ours to run: no step in ${n} workflow${n === 1 ? '' : 's'} uses platform-actions${res.notOurs.length ? ` (not ours, not run: ${res.notOurs.map((x) => x.uses).join(', ')})` : ''}.`,
    );
    return lines.join('\n') + '\n';
  }
  lines.push(...findingsAndErrors(res, p));

  const kept = res.stages.filter((s) => s.reports);
  if (kept.length) {
    lines.push('', p.bold('Reports'));
    for (const s of kept) for (const [k, path] of Object.entries(s.reports!)) lines.push(`  ${s.name} ${k}: ${clickable(res.repo, path)}`);
  }
  lines.push('', p.bold('Summary'));
  const rows = res.stages.map((s) => [
    s.name,
    s.action,
    LOOK[s.outcome].text,
    s.outcome === 'skipped' ? '-' : String(s.findingsCount),
    seconds(s.durationMs),
    `${s.workflow} › ${s.job}`,
  ]);
  const head = ['Stage', 'Action', 'Verdict', 'Findings', 'Time', 'Workflow › job'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === 3 || i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(`  ${p.dim(fmt(head))}`);
  for (const [i, r] of rows.entries()) {
    const s = res.stages[i];
    const line = fmt(r);
    lines.push(`  ${s.outcome === 'clean' ? line : paint(s.outcome, line, p)}`);
  }
  const other = notOursLine(res);
  if (other) lines.push('', p.dim(other));
  const total = res.stages.reduce((n, s) => n + s.findingsCount, 0);
  const word = outcomeWord(res.outcome, p);
  lines.push(
    '',
    `${p.bold('Result:')} ${word} — ${res.stages.length} stage${res.stages.length === 1 ? '' : 's'}, ${total} finding${total === 1 ? '' : 's'}, ${seconds(res.durationMs)}${res.scope ? `, scope ${res.scope}` : ''} (exit ${res.exitCode})`,
  );
  return lines.join('\n') + '\n';
}

// The report file: this run's totals and per-file coverage as JSON. Saved with actions/cache on the base
// branch, it is the `base-report` a pull request compares against. It holds counts only (no line data and
// no failure text), so it stays small, is the same on every runner, and carries nothing a test printed.
import { scrub, ToolError } from '@platform-actions/kit';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CoverageSummary, FileCounts } from './coverage/model.js';
import { round2 } from './gates.js';
import type { Totals } from './results.js';

const SCHEMA = 'platform-actions/test-report/v1';

export interface ReportFile {
  schema: typeof SCHEMA;
  /** The `name` input: which suite of tests this is, when a repository reports several. */
  name?: string;
  commit?: string;
  ref?: string;
  createdAt: string;
  tests?: Totals & { passRate?: number };
  coverage?: {
    lines: [number, number];
    branches: [number, number];
    /** Repository path → [covered lines, lines, covered branches, branches]. */
    files: Record<string, [number, number, number, number]>;
  };
}

export function buildReportFile(o: { name?: string; commit?: string; ref?: string; tests?: Totals; passRate?: number; coverage?: CoverageSummary; now?: Date }): ReportFile {
  const r: ReportFile = {
    schema: SCHEMA,
    ...(o.name ? { name: o.name } : {}),
    ...(o.commit ? { commit: o.commit } : {}),
    ...(o.ref ? { ref: o.ref } : {}),
    createdAt: (o.now ?? new Date()).toISOString(),
  };
  if (o.tests) r.tests = { ...o.tests, time: Math.round(o.tests.time * 1000) / 1000, ...(o.passRate !== undefined ? { passRate: round2(o.passRate) } : {}) };
  if (o.coverage) {
    const files: Record<string, [number, number, number, number]> = {};
    for (const [p, c] of [...o.coverage.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) files[p] = [c.lines.covered, c.lines.total, c.branches.covered, c.branches.total];
    const t = o.coverage.total;
    r.coverage = { lines: [t.lines.covered, t.lines.total], branches: [t.branches.covered, t.branches.total], files };
  }
  return r;
}

const pair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length >= 2 && v.every((x) => typeof x === 'number' && x >= 0);

/** The coverage a report file holds, or a reason it holds none usable. */
export function coverageOfReportFile(text: string): { summary: CoverageSummary; commit?: string; ref?: string; name?: string } | { problem: string } {
  let doc: Partial<ReportFile>;
  try {
    doc = JSON.parse(text);
  } catch {
    return { problem: 'it is not complete JSON' };
  }
  if (doc?.schema !== SCHEMA) return { problem: `its schema is ${JSON.stringify(doc?.schema)}, not ${SCHEMA}` };
  const c = doc.coverage;
  if (!c) return { problem: 'it holds no coverage (the run that wrote it had no coverage input)' };
  if (!pair(c.lines) || !pair(c.branches) || typeof c.files !== 'object' || !c.files) return { problem: 'its coverage block is malformed' };
  const files = new Map<string, FileCounts>();
  for (const [p, v] of Object.entries(c.files)) {
    if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === 'number')) continue;
    files.set(p, { lines: { covered: v[0], total: v[1] }, branches: { covered: v[2], total: v[3] } });
  }
  return {
    summary: { total: { lines: { covered: c.lines[0], total: c.lines[1] }, branches: { covered: c.branches[0], total: c.branches[1] } }, files },
    commit: typeof doc.commit === 'string' ? doc.commit : undefined,
    ref: typeof doc.ref === 'string' ? doc.ref : undefined,
    name: typeof doc.name === 'string' ? doc.name : undefined,
  };
}

export const readReportFileCoverage = (path: string) => coverageOfReportFile(readFileSync(path, 'utf8'));

export function writeReportFile(path: string, report: ReportFile): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Scrubbed string by string, so a registered secret cannot reach a cache entry and the JSON stays valid.
    writeFileSync(path, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'string' ? scrub(v) : v), 1)}\n`);
  } catch (e) {
    // The path was checked when the input was read; a failure now is the disk or the runner.
    throw new ToolError(`could not write the report file ${path}: ${(e as Error).message}`);
  }
}

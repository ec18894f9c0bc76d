// One coverage model for every format: per file, the hits of each executable line and the covered and
// total branches of each line that has them. Reports are merged line by line (a line is covered when any
// report covered it), so split test jobs and several languages add up to one number, and nothing is
// counted twice when two reports measure the same file.

export interface FileCoverage {
  /** Line number → hits (0 = executable, not run). */
  lines: Map<number, number>;
  /** Line number → [covered, total] branches leaving it. */
  branches: Map<number, [number, number]>;
}

/** One file's coverage as a report writes it, before its path is matched to the repository. */
export interface WrittenFile {
  /** The path as the report writes it. */
  written: string;
  /** Folders a relative `written` may be relative to (Cobertura's <source> entries). */
  bases: string[];
  coverage: FileCoverage;
}

/** Repository path (or the path as written, when it is not in the checkout) → coverage. */
export type Coverage = Map<string, FileCoverage>;

export const newFile = (): FileCoverage => ({ lines: new Map(), branches: new Map() });

export function addLine(f: FileCoverage, line: number, hits: number): void {
  if (!(line > 0)) return;
  const h = Number.isFinite(hits) && hits > 0 ? hits : 0;
  f.lines.set(line, (f.lines.get(line) ?? 0) + h);
}

/** Branches of one line; merged by taking the larger counts (branch identities differ between tools). */
export function addBranches(f: FileCoverage, line: number, covered: number, total: number): void {
  if (!(line > 0) || !(total > 0)) return;
  const prev = f.branches.get(line);
  f.branches.set(line, prev ? [Math.max(prev[0], covered), Math.max(prev[1], total)] : [Math.min(covered, total), total]);
}

/** Merges `from` into `into`, file by file and line by line. */
export function mergeInto(into: Coverage, from: Coverage): void {
  for (const [path, f] of from) {
    const t = into.get(path);
    if (!t) {
      into.set(path, f);
      continue;
    }
    for (const [line, hits] of f.lines) addLine(t, line, hits);
    for (const [line, [c, n]] of f.branches) addBranches(t, line, c, n);
  }
}

interface Counts {
  covered: number;
  total: number;
}

export interface FileCounts {
  lines: Counts;
  branches: Counts;
}

export function fileCounts(f: FileCoverage): FileCounts {
  let lc = 0;
  for (const h of f.lines.values()) if (h > 0) lc++;
  let bc = 0;
  let bt = 0;
  for (const [c, n] of f.branches.values()) {
    bc += c;
    bt += n;
  }
  return { lines: { covered: lc, total: f.lines.size }, branches: { covered: bc, total: bt } };
}

export const COVERAGE_METRICS = ['lines', 'branches', 'combined'] as const;
export type CoverageMetric = (typeof COVERAGE_METRICS)[number];

/** The percentage a metric reads from counts; undefined when there is nothing to measure. */
export function percent(c: FileCounts, metric: CoverageMetric): number | undefined {
  const covered = metric === 'lines' ? c.lines.covered : metric === 'branches' ? c.branches.covered : c.lines.covered + c.branches.covered;
  const total = metric === 'lines' ? c.lines.total : metric === 'branches' ? c.branches.total : c.lines.total + c.branches.total;
  return total ? (covered / total) * 100 : undefined;
}

export interface CoverageSummary {
  total: FileCounts;
  files: Map<string, FileCounts>;
}

export function summarize(cov: Coverage): CoverageSummary {
  const total: FileCounts = { lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } };
  const files = new Map<string, FileCounts>();
  for (const [path, f] of cov) {
    const c = fileCounts(f);
    files.set(path, c);
    total.lines.covered += c.lines.covered;
    total.lines.total += c.lines.total;
    total.branches.covered += c.branches.covered;
    total.branches.total += c.branches.total;
  }
  return { total, files };
}

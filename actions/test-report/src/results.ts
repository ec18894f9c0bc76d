// From test cases to test results: retries folded into one result per test, totals, the pass rate and
// the slowest tests. Pure functions over plain data.
//
// A retried test is recorded in one of two ways, and both are read:
// - the same test more than once in one report (gotestsum --rerun-fails, pytest-rerunfailures): a test
//   id is unique within one run, so a repeat is another attempt, and the last attempt is the verdict;
// - Surefire's elements inside one case (flakyFailure/flakyError in a passed case, rerunFailure/rerunError
//   in a failed one).
// A test whose last attempt passed after an earlier one failed is flaky: it counts as passed and is
// listed. The same test in two reports (a matrix of Python versions) is two tests, never a retry.
import type { Status, TestCase } from './junit.js';

export interface TestResult {
  /** What a person calls the test: `classname › name` (or the name alone when it already says it all). */
  title: string;
  report: string;
  suite: string[];
  classname: string;
  name: string;
  file?: string;
  line?: number;
  status: Status;
  /** Seconds over every attempt (what the run paid for the test). */
  time: number;
  attempts: number;
  /** Passed in the end after a failed attempt. */
  flaky: boolean;
  /** The case that decides what is shown: the last failed attempt of a failed test, the first failed attempt of a flaky one. */
  shown: TestCase;
}

export interface Totals {
  /** Distinct tests (retries folded). */
  tests: number;
  passed: number;
  /** Failed by assertion (`failure`). */
  failed: number;
  /** Broke before or around the assertion (`error`: setup, teardown, an unexpected exception). */
  errors: number;
  skipped: number;
  flaky: number;
  /** Seconds, summed over every attempt. */
  time: number;
}

export const isFailure = (s: Status): boolean => s === 'failed' || s === 'error';

function titleOf(c: Pick<TestCase, 'classname' | 'name'>): string {
  if (!c.classname || c.classname === c.name || c.name.startsWith(`${c.classname} `)) return c.name || c.classname;
  return `${c.classname} › ${c.name}`;
}

/** Folds attempts of the same test (in one report) into one result each, in first-seen order. */
export function foldAttempts(cases: readonly TestCase[]): TestResult[] {
  // Cases of one report and suite share one suite array, so it identifies both; within it, a test is its
  // classname, name and file. Most tests run once: the map holds the case itself, a list only for a repeat.
  const bySuite = new Map<readonly string[], Map<string, number>>();
  const groups: Array<TestCase | TestCase[]> = [];
  for (const c of cases) {
    let tests = bySuite.get(c.suite);
    if (!tests) bySuite.set(c.suite, (tests = new Map()));
    const key = `${c.classname}\u0000${c.name}\u0000${c.file ?? ''}`;
    const at = tests.get(key);
    if (at === undefined) {
      tests.set(key, groups.length);
      groups.push(c);
    } else {
      const seen = groups[at];
      if (Array.isArray(seen)) seen.push(c);
      else groups[at] = [seen, c];
    }
  }
  const out: TestResult[] = [];
  for (const entry of groups) {
    if (!Array.isArray(entry)) {
      out.push(single(entry));
      continue;
    }
    const attempts = entry;
    // Two passing cases with one id from a tool that does not re-run silently (two jest tests with the
    // same title in one describe): two tests, not attempts.
    if (attempts.length > 1 && attempts[0].producer !== 'pytest' && attempts.every((a) => a.status === 'passed' || a.status === 'skipped')) {
      for (const a of attempts) out.push(single(a));
      continue;
    }
    const last = attempts[attempts.length - 1];
    const failedBefore = attempts.slice(0, -1).some((a) => isFailure(a.status)) || last.flakyAttempts > 0;
    // pytest-rerunfailures writes the failed attempts of a re-run test as plain cases without a failure
    // element; it only re-runs a test that failed, so a repeat whose attempts all "passed" was re-run too.
    const rerunUnrecorded = attempts.length > 1 && attempts.every((a) => a.status === 'passed');
    const flaky = last.status === 'passed' && (failedBefore || rerunUnrecorded);
    const firstFailed = attempts.find((a) => isFailure(a.status));
    const lastFailed = [...attempts].reverse().find((a) => isFailure(a.status));
    const shown = isFailure(last.status) ? last : flaky ? (firstFailed ?? last) : last;
    out.push({
      title: titleOf(last),
      report: last.report,
      suite: last.suite,
      classname: last.classname,
      name: last.name,
      file: last.file ?? lastFailed?.file,
      line: last.line ?? lastFailed?.line,
      status: last.status,
      time: attempts.reduce((s, a) => s + a.time, 0),
      attempts: attempts.length + last.flakyAttempts + last.reruns,
      flaky,
      shown,
    });
  }
  return out;
}

function single(c: TestCase): TestResult {
  return {
    title: titleOf(c),
    report: c.report,
    suite: c.suite,
    classname: c.classname,
    name: c.name,
    file: c.file,
    line: c.line,
    status: c.status,
    time: c.time,
    attempts: 1 + c.flakyAttempts + c.reruns,
    flaky: c.status === 'passed' && c.flakyAttempts > 0,
    shown: c,
  };
}

export function totals(results: readonly TestResult[]): Totals {
  const t: Totals = { tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0, time: 0 };
  for (const r of results) {
    t.tests++;
    t.time += r.time;
    if (r.status === 'passed') t.passed++;
    else if (r.status === 'failed') t.failed++;
    else if (r.status === 'error') t.errors++;
    else t.skipped++;
    if (r.flaky) t.flaky++;
  }
  return t;
}

/** Passed over passed + failed + errors, in percent; skipped tests do not count. Undefined when nothing ran. */
export function passRate(t: Totals): number | undefined {
  const ran = t.passed + t.failed + t.errors;
  return ran ? (t.passed / ran) * 100 : undefined;
}

/** The `n` slowest tests, slowest first (ties by title, so the list is stable). */
export function slowest(results: readonly TestResult[], n: number): TestResult[] {
  if (n <= 0) return [];
  // One pass keeping the top n: sorting 20,000 results to read ten is wasted work.
  const top: TestResult[] = [];
  const before = (a: TestResult, b: TestResult) => a.time > b.time || (a.time === b.time && a.title < b.title);
  for (const r of results) {
    if (r.status === 'skipped' || r.time <= 0) continue;
    if (top.length === n && !before(r, top[n - 1])) continue;
    let i = top.length < n ? top.length : n - 1;
    if (top.length < n) top.push(r);
    else top[i] = r;
    while (i > 0 && before(top[i], top[i - 1])) {
      [top[i - 1], top[i]] = [top[i], top[i - 1]];
      i--;
    }
  }
  return top;
}

// JUnit XML as the common test tools write it, read into one flat list of test cases:
// - pytest (--junitxml; families xunit1 with file/line attributes, and xunit2, the default, without),
// - jest-junit (classname and name from the describe/test titles; the failure body is the stack),
// - go test through gotestsum or go-junit-report (classname is the package; t.Error lines in the body),
// - Maven Surefire's retry elements (flakyFailure, rerunFailure, …), which other tools copy.
// Test suites may nest (a suite of suites); the case keeps the path of suite names. Failure texts are
// kept only for tests that did not pass, and each is capped, so a 20,000-test report or a failure
// message of many megabytes stays small in memory.
import { parseXmlFile, parseXmlText, XmlError, type XmlHandlers } from './xml.js';

export type Status = 'passed' | 'failed' | 'error' | 'skipped';

/** The tool that wrote a report, when its report says so (pytest and jest-junit name themselves). */
type Producer = 'pytest' | 'jest' | 'go';

export interface TestCase {
  /** The report file it came from (repository-relative when inside the workspace). */
  report: string;
  producer?: Producer;
  /** Names of the enclosing test suites, outermost first. */
  suite: string[];
  classname: string;
  name: string;
  /** The `file` attribute, as written (pytest xunit1, jest-junit with addFileAttribute, others). */
  file?: string;
  /** The `line` attribute, 1-based (pytest writes it 0-based; converted here). */
  line?: number;
  /** Seconds. */
  time: number;
  status: Status;
  /** The failure's (or error's, or skip's) message attribute. */
  message?: string;
  /** The failure's type attribute, e.g. AssertionError. */
  type?: string;
  /** The failure's text: a traceback or stack, capped at MAX_TEXT. */
  detail?: string;
  /** Attempts that failed before this one passed, as Surefire records them (flakyFailure, flakyError). */
  flakyAttempts: number;
  /** Failed re-runs recorded inside a failed case (rerunFailure, rerunError). */
  reruns: number;
  /** The case's own system-out/system-err, kept for failed cases only (capped): some tools put the stack there. */
  output?: string;
  /** The enclosing suite's system-out/system-err (capped), for failures whose stack only the suite holds (go-junit-report puts a panic there). */
  suiteOutput?: string;
}

/** Characters of failure text kept per test; the rest is cut with a note. */
export const MAX_TEXT = 64 * 1024;

const RESULT = new Set(['failure', 'error', 'skipped']);
const FLAKY = new Set(['flakyFailure', 'flakyError']);
const RERUN = new Set(['rerunFailure', 'rerunError']);
const OUTPUT = new Set(['system-out', 'system-err']);

class Capped {
  text = '';
  cut = false;
  add(s: string): void {
    if (this.cut) return;
    const room = MAX_TEXT - this.text.length;
    if (s.length <= room) this.text += s;
    else {
      this.text += s.slice(0, room);
      this.cut = true;
    }
  }
  value(): string {
    return this.cut ? `${this.text}\n…(cut at ${MAX_TEXT / 1024} KiB)` : this.text;
  }
}

const seconds = (v: string | undefined): number => {
  const n = Number.parseFloat((v ?? '').replace(/,/g, ''));
  return Number.isFinite(n) && n > 0 ? n : 0;
};

/** The handlers that turn one report's XML events into test cases. */
function junitHandlers(report: string, out: TestCase[]): XmlHandlers {
  return new JUnitReader(report, out);
}

class JUnitReader implements XmlHandlers {
  // Each open suite with its path of names (shared by its cases: 20,000 cases need not copy it).
  private readonly suites: Array<{ path: string[]; cases: TestCase[]; output: Capped }> = [];
  private root: string | undefined;
  // pytest writes `line` 0-based (the index of the `def` line); every other tool we know writes it 1-based.
  private producer: Producer | undefined;
  private tc: TestCase | undefined;
  private tcOutput: Capped | undefined;
  private result: { kind: string; text: Capped } | undefined;
  private inOutput: Capped | undefined;
  private depth = 0;
  private caseDepth = -1;
  // The suite path of cases outside any suite: one per report (results.ts tells reports apart by it).
  private readonly noSuite: string[] = [];

  constructor(
    private readonly report: string,
    private readonly out: TestCase[],
  ) {}

  open(name: string, a: Record<string, string>): void {
    this.depth++;
    if (this.root === undefined) this.openRoot(name, a);
    if (name === 'testcase') return this.openCase(a);
    if (name === 'testsuite') return this.openSuite(a);
    if (name === 'property' && a.name === 'go.version') this.producer ??= 'go';
    if (!this.tc) {
      if (OUTPUT.has(name) && this.suites.length) this.inOutput = this.suites[this.suites.length - 1].output;
      return;
    }
    if (this.depth === this.caseDepth + 1) this.openInCase(this.tc, name, a);
  }

  private openRoot(name: string, a: Record<string, string>): void {
    this.root = name;
    if (name !== 'testsuites' && name !== 'testsuite') throw new XmlError(`is a <${name}> document, not JUnit XML (whose root is <testsuites> or <testsuite>)`);
    if (/^pytest\b/.test(a.name ?? '')) this.producer = 'pytest';
    else if (a.name === 'jest tests') this.producer = 'jest';
  }

  private openCase(a: Record<string, string>): void {
    const line = a.line !== undefined && /^\d+$/.test(a.line) ? Number(a.line) + (this.producer === 'pytest' ? 1 : 0) : 0;
    // One object shape for every case (no optional spreads): cheaper to build and to read 20,000 times.
    this.tc = {
      report: this.report,
      producer: this.producer,
      suite: this.suites.length ? this.suites[this.suites.length - 1].path : this.noSuite,
      classname: a.classname ?? '',
      name: a.name ?? '',
      file: a.file || undefined,
      line: line > 0 ? line : undefined,
      time: seconds(a.time),
      status: 'passed',
      flakyAttempts: 0,
      reruns: 0,
    };
    this.tcOutput = undefined;
    this.caseDepth = this.depth;
  }

  private openSuite(a: Record<string, string>): void {
    if (a.name === 'pytest') this.producer = 'pytest';
    const parent = this.suites.length ? this.suites[this.suites.length - 1].path : this.noSuite;
    this.suites.push({ path: a.name ? [...parent, a.name] : parent, cases: [], output: new Capped() });
  }

  /** A direct child of a test case: its result, a flaky or rerun attempt, its output. */
  private openInCase(tc: TestCase, name: string, a: Record<string, string>): void {
    if (RESULT.has(name)) this.openResult(tc, name, a);
    else if (FLAKY.has(name)) tc.flakyAttempts++;
    else if (RERUN.has(name)) tc.reruns++;
    else if (OUTPUT.has(name)) this.inOutput = this.tcOutput ??= new Capped();
  }

  /** The first result decides; pytest adds an <error> after a <failure> when teardown fails too. */
  private openResult(tc: TestCase, name: string, a: Record<string, string>): void {
    if (tc.status === 'passed') {
      tc.status = name === 'failure' ? 'failed' : name === 'error' ? 'error' : 'skipped';
      if (a.message) tc.message = a.message;
      if (a.type) tc.type = a.type;
      this.result = { kind: name, text: new Capped() };
    } else if (name === 'error' && tc.status === 'failed') {
      this.result = { kind: 'extra', text: new Capped() };
      this.result.text.add(`\n\n(also an error${a.message ? `: ${a.message}` : ''})\n`);
    }
  }

  text(t: string): void {
    if (this.result) this.result.text.add(t);
    else if (this.inOutput) this.inOutput.add(t);
  }

  close(name: string): void {
    this.depth--;
    const { tc, result } = this;
    if (tc && result && this.depth === this.caseDepth && RESULT.has(name)) {
      const text = result.text.value();
      if (result.kind === 'extra') tc.detail = (tc.detail ?? '') + text;
      else if (text.trim()) tc.detail = text;
      this.result = undefined;
    } else if (OUTPUT.has(name)) this.inOutput = undefined;
    else if (name === 'testcase' && tc) this.closeCase(tc);
    else if (name === 'testsuite') this.closeSuite();
  }

  private closeCase(tc: TestCase): void {
    if (tc.status === 'failed' || tc.status === 'error') {
      const o = this.tcOutput?.value().trim();
      if (o) tc.output = o;
    }
    this.out.push(tc);
    this.suites[this.suites.length - 1]?.cases.push(tc);
    this.tc = undefined;
    this.tcOutput = undefined;
    this.caseDepth = -1;
  }

  private closeSuite(): void {
    const s = this.suites.pop();
    const o = s?.output.value().trim();
    if (s && o) for (const c of s.cases) if (c.status === 'failed' || c.status === 'error') c.suiteOutput = o;
  }
}

/** Reads one JUnit XML file. Rejects with XmlError (not well-formed, or not JUnit). */
export async function readJUnitFile(path: string, label: string): Promise<TestCase[]> {
  const out: TestCase[] = [];
  const h = junitHandlers(label, out);
  await parseXmlFile(path, h);
  return out;
}

/** The same over text in memory. */
export function parseJUnit(text: string, label = 'report.xml'): TestCase[] {
  const out: TestCase[] = [];
  parseXmlText(text, junitHandlers(label, out));
  return out;
}

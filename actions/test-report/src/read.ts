// Reading the report files the inputs name. A file of the wrong kind is the caller's configuration (one
// line, config-error); a file that cannot be parsed is what the test tool left behind (a tool error for
// that file, the others are still read and reported); a pattern that matches nothing means the test step
// wrote nothing there, which leaves nothing known to be clean (a tool error that names both causes).
import { core, InputError, ToolError, workspace } from '@platform-actions/kit';
import { statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { readCobertura } from './coverage/cobertura.js';
import { CoveragePyError, readCoveragePy } from './coverage/coveragepy.js';
import { LcovError, readLcov } from './coverage/lcov.js';
import { type Coverage, mergeInto, type WrittenFile } from './coverage/model.js';
import { adviceFor, type Kind, kindOfFile } from './detect.js';
import { matchReports } from './files.js';
import { readJUnitFile, type TestCase } from './junit.js';
import type { RepoPaths } from './paths.js';
import { XmlError } from './xml.js';

/** How a report path is shown: repository-relative inside the workspace, else as it is. */
export function label(abs: string): string {
  const rel = relative(resolve(workspace()), abs);
  return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : abs;
}

/** The repository folder a report sits in ('' for the root, undefined outside the workspace). */
export function reportDir(abs: string): string | undefined {
  const rel = relative(resolve(workspace()), dirname(abs));
  return rel.startsWith('..') ? undefined : rel.split(sep).join('/');
}

const KIND_TEXT: Record<string, string> = {
  junit: 'a JUnit report',
  cobertura: 'Cobertura coverage XML (give it to the coverage input)',
  lcov: 'LCOV coverage (give it to the coverage input)',
  coveragepy: 'coverage.py JSON coverage (give it to the coverage input)',
  'test-report': 'a test-report report-file (give it to base-report)',
  empty: 'empty',
};
const describe = (k: Kind): string => (typeof k === 'string' ? KIND_TEXT[k] : k.unsupported);

export interface ReportFiles {
  files: string[];
  /** Files named by a literal path; the others came from a glob. */
  named: Set<string>;
}

/** The files matched by an input; patterns that matched nothing become tool errors, refused links warnings. */
export function reportFiles(input: 'junit' | 'coverage', patterns: readonly string[], toolErrors: string[]): ReportFiles {
  const m = matchReports(input, patterns);
  for (const r of m.refused) core.warning(`${input}: ${r} is a symlink that leads outside the workspace; it was not read.`);
  const what = input === 'junit' ? 'JUnit report' : 'coverage report';
  for (const p of m.unmatched) {
    toolErrors.push(`no ${what} matched "${p}" (input ${input}): the test step did not write one there (did it stop before the end?), or the path does not match where it writes`);
  }
  return { files: m.files, named: m.named };
}

/**
 * A file of the wrong kind: named outright, it is a configuration error; matched by a glob next to the
 * right files (reports/*.xml over junit.xml and coverage.xml), it is passed over with a notice.
 */
function wrongKind(input: 'junit' | 'coverage', m: ReportFiles, file: string, expected: string): void {
  if (m.named.has(file)) throw new InputError(input, expected);
  core.notice(`${input}: ${label(file)} matched the pattern but ${expected.replace(/^must name [^;]+; /, '')}; it was passed over.`);
}

function emptyOrKind(path: string): Kind {
  return statSync(path).size === 0 ? 'empty' : kindOfFile(path);
}

/**
 * Reads every JUnit file; per-file failures go to `toolErrors`, a file that is not JUnit throws InputError
 * (or is passed over, when only a glob matched it). `cases` is undefined when no file could be read: the
 * tests are then unknown, not zero.
 */
export async function readJUnit(m: ReportFiles, toolErrors: string[]): Promise<{ cases?: TestCase[]; read: string[] }> {
  const cases: TestCase[] = [];
  const read: string[] = [];
  for (const f of m.files) {
    const kind = emptyOrKind(f);
    if (kind === 'empty') {
      toolErrors.push(`JUnit report ${label(f)} is empty: the test tool did not write it (did it stop before the end?)`);
      continue;
    }
    if (kind !== 'junit') {
      wrongKind('junit', m, f, `must name JUnit XML reports; ${label(f)} is ${describe(kind)}`);
      continue;
    }
    try {
      cases.push(...(await readJUnitFile(f, label(f))));
      read.push(label(f));
    } catch (e) {
      if (!(e instanceof XmlError)) throw e;
      toolErrors.push(`JUnit report ${label(f)} ${e.message}`);
    }
  }
  return { cases: read.length ? cases : undefined, read };
}

/** The coverage files' formats, checked before any is parsed. */
export function coverageKinds(m: ReportFiles, toolErrors: string[]): Array<{ path: string; kind: 'cobertura' | 'lcov' | 'coveragepy' }> {
  const out: Array<{ path: string; kind: 'cobertura' | 'lcov' | 'coveragepy' }> = [];
  for (const f of m.files) {
    const kind = emptyOrKind(f);
    if (kind === 'empty') toolErrors.push(`coverage report ${label(f)} is empty: the coverage tool did not write it (did the test step stop before the end?)`);
    else if (kind === 'cobertura' || kind === 'lcov' || kind === 'coveragepy') out.push({ path: f, kind });
    else if (kind === 'junit') wrongKind('coverage', m, f, `must name coverage reports; ${label(f)} is a JUnit report (give it to the junit input)`);
    else if (kind === 'test-report') wrongKind('coverage', m, f, `must name coverage reports; ${label(f)} is a test-report report-file (give it to base-report)`);
    else wrongKind('coverage', m, f, `must name Cobertura XML, LCOV or coverage.py JSON reports; ${label(f)} is ${describe(kind)}: ${adviceFor(describe(kind))}`);
  }
  return out;
}

/** Parses one coverage file of a known kind. Throws ToolError when it cannot be read. */
export async function parseCoverageFile(path: string, kind: 'cobertura' | 'lcov' | 'coveragepy'): Promise<WrittenFile[]> {
  try {
    if (kind === 'cobertura') return await readCobertura(path);
    if (kind === 'lcov') return await readLcov(path);
    return readCoveragePy(path);
  } catch (e) {
    if (e instanceof XmlError || e instanceof LcovError || e instanceof CoveragePyError) throw new ToolError(`coverage report ${label(path)} ${e.message}`);
    throw e;
  }
}

/** Keys the written files by repository path (the path as written when no single checkout file fits). */
export function toRepoPaths(written: readonly WrittenFile[], paths: RepoPaths, reportFolder: string | undefined): Coverage {
  const out: Coverage = new Map();
  for (const w of written) {
    const bases = [...w.bases, ...(reportFolder !== undefined ? [reportFolder] : [])];
    const key = paths.resolve(w.written, { bases }) ?? w.written.replace(/\\/g, '/');
    mergeInto(out, new Map([[key, w.coverage]]));
  }
  return out;
}

/**
 * Reads and merges every coverage file; per-file failures go to `toolErrors`. Undefined when no file could
 * be read: coverage is then unknown, not zero.
 */
export async function readCoverage(kinds: ReturnType<typeof coverageKinds>, paths: RepoPaths, toolErrors: string[]): Promise<Coverage | undefined> {
  const all: Coverage = new Map();
  let read = 0;
  for (const { path, kind } of kinds) {
    try {
      mergeInto(all, toRepoPaths(await parseCoverageFile(path, kind), paths, reportDir(path)));
      read++;
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      toolErrors.push(e.message);
    }
  }
  return read ? all : undefined;
}

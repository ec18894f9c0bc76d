// Where a failing test failed, as a repository file and line, for the annotation. JUnit rarely says:
// pytest's default family (xunit2), jest-junit and the Go converters write no file or line, so the
// place is read from the failure's own text, the way a person reads it:
// - pytest tracebacks: `tests/test_calc.py:13: AssertionError` (and `File "x.py", line 13` in native ones),
//   outermost call first;
// - JavaScript stacks: `at fn (/abs/src/calc.test.js:10:23)`, innermost call first;
// - Go: `    calc_test.go:17: message` from t.Error (relative to the package folder), and panic frames
//   `\t/abs/calc.go:5 +0x1a`, innermost first.
// The frame chosen is the innermost one in the test's own file (where the test stopped), else the
// innermost one in the repository's own code (not node_modules or site-packages), else the file and line
// the report gives for the test, else the test's file alone.
import type { Location } from '@platform-actions/kit';
import { isForeign, type RepoPaths } from './paths.js';
import type { TestResult } from './results.js';

export interface Frame {
  path: string;
  line: number;
  column?: number;
}

const PY_TB = /^(\S(?:[^\n:]*?)\.py):(\d+):/gm;
const PY_NATIVE = /File "([^"\n]+)", line (\d+)/g;
const JS_AT = /^\s*at (?:.*?\()?((?:[A-Za-z]:)?[^\s():]+):(\d+):(\d+)\)?\s*$/gm;
const GO_LOG = /^\s+([\w.-]+\.go):(\d+): /gm;
const GO_PANIC = /^\t(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$/gm;

/** Frames in `text`, innermost first, whatever the language. */
export function frames(text: string): Frame[] {
  const out: Frame[] = [];
  const collect = (re: RegExp, innermostLast: boolean, col = false) => {
    const found: Frame[] = [];
    for (const m of text.matchAll(re)) found.push({ path: m[1], line: Number(m[2]), ...(col && m[3] ? { column: Number(m[3]) } : {}) });
    if (innermostLast) found.reverse();
    out.push(...found);
  };
  collect(GO_LOG, false);
  collect(JS_AT, false, true);
  collect(GO_PANIC, false);
  collect(PY_TB, true);
  collect(PY_NATIVE, true);
  return out.filter((f) => f.line > 0);
}

/** The folder a test's own code lives in, from what its report says (a Go package, a Python module). */
function hintFor(r: Pick<TestResult, 'classname' | 'file' | 'shown'>): string | undefined {
  if (r.file) return r.file.replace(/\\/g, '/').split('/').slice(0, -1).join('/') || undefined;
  if (r.shown.producer === 'go' || /^[\w.-]+\.[a-z]{2,}\/[\w./-]+$/.test(r.classname)) return r.classname; // an import path
  if (r.shown.producer === 'pytest' && r.classname) return r.classname.split('.').slice(0, -1).join('/') || undefined;
  return undefined;
}

/** The test's own file as the report implies it: the file attribute, or pytest's dotted module. */
function ownFile(r: Pick<TestResult, 'classname' | 'file' | 'shown'>, paths: RepoPaths, bases: readonly string[]): string | undefined {
  if (r.file) return paths.resolve(r.file, { bases });
  if (r.shown.producer === 'pytest' && r.classname) {
    // tests.test_calc (module) or tests.test_calc.TestCalc (a class in it): try the longest module path first.
    const parts = r.classname.split('.');
    for (let n = parts.length; n > 0; n--) {
      const hit = paths.resolve(`${parts.slice(0, n).join('/')}.py`, { bases });
      if (hit) return hit;
    }
  }
  return undefined;
}

const looksLikeTest = (p: string): boolean => /(?:^|\/)(?:test_[^/]*\.py|[^/]*_test\.(?:py|go)|[^/]*\.(?:test|spec)\.[cm]?[jt]sx?|__tests__\/[^/]+)$/.test(p);

/**
 * The repository location of a failing (or flaky) test. `bases` are repository folders relative paths
 * may start from (the report's folder); stack text is searched in the failure, the case's output, then
 * the suite's output.
 */
export function locate(r: TestResult, paths: RepoPaths, bases: readonly string[] = []): Location | undefined {
  const own = ownFile(r, paths, bases);
  const hint = hintFor(r);
  const texts = [r.shown.detail, r.shown.message, r.shown.output, r.shown.suiteOutput].filter((t): t is string => Boolean(t));
  for (const text of texts) {
    const resolved: Location[] = [];
    for (const f of frames(text)) {
      if (isForeign(f.path)) continue;
      const p = paths.resolve(f.path, { bases, hint });
      if (p && !isForeign(p)) resolved.push({ path: p, startLine: f.line, ...(f.column ? { startColumn: f.column } : {}) });
    }
    const inOwn = own ? resolved.find((l) => l.path === own) : undefined;
    const inTests = resolved.find((l) => looksLikeTest(l.path));
    const pick = inOwn ?? inTests ?? resolved[0];
    if (pick) return pick;
  }
  if (own) return r.line ? { path: own, startLine: r.line } : { path: own };
  return undefined;
}

// Where a failure is: stack frames in each language's spelling, and paths written by other machines and
// other folders matched to the one file of this checkout they mean (or to none, when two fit equally).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseJUnit } from '../src/junit.js';
import { frames, locate } from '../src/locate.js';
import { RepoPaths } from '../src/paths.js';
import { foldAttempts } from '../src/results.js';

let root: string;
let paths: RepoPaths;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tr-locate-'));
  for (const f of [
    'backend/tests/test_calc.py',
    'backend/src/calc/__init__.py',
    'worker/tests/test_jobs.py',
    'frontend/src/calc.js',
    'frontend/src/calc.test.js',
    'frontend/node_modules/jest-circus/build/x.js',
    'calc/calc_test.go',
    'calc/sub/calc_test.go',
    'panics/p_test.go',
    'a/util.py',
    'b/util.py',
  ]) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), '\n');
  }
  symlinkSync('/etc/hostname', join(root, 'backend/tests/linked.py'));
  paths = new RepoPaths(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('frames, innermost first', () => {
  test('pytest long traceback (outermost first in the text)', () => {
    const tb =
      'def test_div_zero():\n>       assert div(1, 0) == 0\n\ntests/test_calc.py:17: \n_ _ _ _\n\n    def div(a, b):\n>       return a / b\nE       ZeroDivisionError\n\nsrc/calc/__init__.py:6: ZeroDivisionError';
    expect(frames(tb)).toEqual([
      { path: 'src/calc/__init__.py', line: 6 },
      { path: 'tests/test_calc.py', line: 17 },
    ]);
  });
  test('Python native traceback', () => {
    const tb = 'Traceback (most recent call last):\n  File "/app/tests/test_x.py", line 9, in test_x\n    f()\n  File "/app/src/x.py", line 3, in f\n    raise ValueError';
    expect(frames(tb).map((f) => `${f.path}:${f.line}`)).toEqual(['/app/src/x.py:3', '/app/tests/test_x.py:9']);
  });
  test('JavaScript stack, with columns; <anonymous> and node: frames are not files', () => {
    const st =
      'Error: boom\n    at div (/ci/frontend/src/calc.js:5:22)\n    at Object.div (/ci/frontend/src/calc.test.js:13:12)\n    at new Promise (<anonymous>)\n    at node:internal/process/task_queues:95:5\n    at /ci/x.js:1:2';
    expect(frames(st)).toEqual([
      { path: '/ci/frontend/src/calc.js', line: 5, column: 22 },
      { path: '/ci/frontend/src/calc.test.js', line: 13, column: 12 },
      { path: '/ci/x.js', line: 1, column: 2 },
    ]);
  });
  test('Go t.Error lines and panic frames', () => {
    expect(frames('=== RUN   TestAdd\n    calc_test.go:17: Add(1, 2) = 3, want 4\n--- FAIL: TestAdd (0.00s)\n')).toEqual([{ path: 'calc_test.go', line: 17 }]);
    const panic =
      'panic: runtime error\n\ngoroutine 6 [running]:\nexample.com/calc/panics.div(...)\n\t/tmp/x/panics/p_test.go:5\nexample.com/calc/panics.TestDivZero(0x1?)\n\t/tmp/x/panics/p_test.go:8 +0xa\ntesting.tRunner(0x1, 0x2)\n\t/usr/local/go/src/testing/testing.go:2036 +0xea';
    expect(frames(panic).map((f) => `${f.path}:${f.line}`)).toEqual(['/tmp/x/panics/p_test.go:5', '/tmp/x/panics/p_test.go:8', '/usr/local/go/src/testing/testing.go:2036']);
  });
});

describe('repository paths', () => {
  test('relative to the report folder (pytest run in backend/)', () => {
    expect(paths.resolve('tests/test_calc.py', { bases: ['backend'] })).toBe('backend/tests/test_calc.py');
  });
  test('absolute on another machine: matched by its trailing folders', () => {
    expect(paths.resolve('/home/runner/work/app/app/frontend/src/calc.js')).toBe('frontend/src/calc.js');
    expect(paths.resolve(`${root}/frontend/src/calc.js`)).toBe('frontend/src/calc.js');
  });
  test('two files fit equally: no guess', () => {
    expect(paths.resolve('util.py')).toBeUndefined();
    expect(paths.resolve('/elsewhere/b/util.py')).toBe('b/util.py');
  });
  test('a Go file relative to its package folder, chosen by the package import path', () => {
    expect(paths.resolve('calc_test.go', { hint: 'example.com/calc/calc' })).toBe('calc/calc_test.go');
    expect(paths.resolve('calc_test.go', { hint: 'example.com/calc/calc/sub' })).toBe('calc/sub/calc_test.go');
    expect(paths.resolve('calc_test.go')).toBeUndefined();
  });
  test('a file that is not in the checkout, ../ escapes and a symlink out of the workspace are never named', () => {
    expect(paths.resolve('tests/test_missing.py', { bases: ['backend'] })).toBeUndefined();
    expect(paths.resolve('../../etc/passwd')).toBeUndefined();
    expect(paths.resolve('/etc/passwd')).toBeUndefined();
    expect(paths.resolve('tests/linked.py', { bases: ['backend'] })).toBeUndefined();
  });
});

describe('locate', () => {
  const one = (xml: string, report = 'backend/junit.xml') => foldAttempts(parseJUnit(xml, report))[0];
  test('pytest xunit2 (no file attribute): the innermost frame in the test module the classname names', () => {
    const r = one(
      `<testsuites name="pytest tests"><testsuite name="pytest"><testcase classname="tests.test_calc" name="test_div_zero"><failure message="ZeroDivisionError">tests/test_calc.py:17: \n\nsrc/calc/__init__.py:6: ZeroDivisionError</failure></testcase></testsuite></testsuites>`,
    );
    expect(locate(r, paths, ['backend'])).toEqual({ path: 'backend/tests/test_calc.py', startLine: 17 });
  });
  test('pytest xunit1 with a failure that has no traceback: the def line from the (0-based) line attribute', () => {
    const r = one(
      `<testsuites name="pytest tests"><testsuite name="pytest"><testcase classname="tests.test_calc" name="test_a" file="tests/test_calc.py" line="11"><error message="collection failed"/></testcase></testsuite></testsuites>`,
    );
    expect(locate(r, paths, ['backend'])).toEqual({ path: 'backend/tests/test_calc.py', startLine: 12 });
  });
  test('jest: the frame in the test file, not the innermost in node_modules or the code under test', () => {
    const r = one(
      `<testsuites name="jest tests"><testsuite name="calc"><testcase classname="calc divides" name="calc divides"><failure>Error: division by zero
    at div (/ci/frontend/src/calc.js:5:22)
    at Object.div (/ci/frontend/src/calc.test.js:13:12)
    at callAsyncCircusFn (/ci/frontend/node_modules/jest-circus/build/x.js:1774:10)</failure></testcase></testsuite></testsuites>`,
      'frontend/junit.xml',
    );
    expect(locate(r, paths, ['frontend'])).toEqual({ path: 'frontend/src/calc.test.js', startLine: 13, startColumn: 12 });
  });
  test('go (gotestsum): t.Error line relative to the package folder', () => {
    const r = one(
      `<testsuites><testsuite name="example.com/calc/calc/sub"><properties><property name="go.version" value="go1.26"/></properties><testcase classname="example.com/calc/calc/sub" name="TestAdd"><failure message="Failed">=== RUN   TestAdd
    calc_test.go:9: got 3, want 4
--- FAIL: TestAdd (0.00s)</failure></testcase></testsuite></testsuites>`,
      'junit.xml',
    );
    expect(locate(r, paths, [''])).toEqual({ path: 'calc/sub/calc_test.go', startLine: 9 });
  });
  test("go-junit-report: a panic's frames are in the suite's output, not the case", () => {
    const r = one(
      `<testsuites><testsuite name="example.com/calc/panics"><testcase classname="example.com/calc/panics" name="TestDivZero"><failure message="Failed"></failure></testcase><system-out><![CDATA[panic: boom
example.com/calc/panics.TestDivZero(0x1?)
	/home/runner/work/calc/calc/panics/p_test.go:8 +0xa
testing.tRunner(0x1, 0x2)
	/usr/local/go/src/testing/testing.go:2036 +0xea]]></system-out></testsuite></testsuites>`,
      'junit.xml',
    );
    expect(locate(r, paths, [''])).toEqual({ path: 'panics/p_test.go', startLine: 8 });
  });
  test('nothing in the repository: no location (never a guess)', () => {
    const r = one(`<testsuites><testsuite name="s"><testcase classname="x" name="y"><failure>at f (/opt/lib/thing.js:1:1)</failure></testcase></testsuite></testsuites>`);
    expect(locate(r, paths, [])).toBeUndefined();
  });
});

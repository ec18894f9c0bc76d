// Reports written by the real tools, never by hand: a small Python service (pytest with pytest-cov and
// pytest-rerunfailures), a JavaScript front end (jest with jest-junit and istanbul's cobertura and lcov
// reporters) and a Go module (gotestsum --rerun-fails, and go test piped into go-junit-report), written
// into one repository and run where a CI job would run them: each from its own folder. Every test whose
// failure the action must locate carries a marker comment, so expectations name the line the tool
// reported without hard-coding numbers.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toolBin, toolDir } from '../../../test/harness/tools.js';

export const SECRET_URL = 'postgresql://app:S3cr3tPassw0rd-xyz@db/app';

const FILES: Record<string, string> = {
  // ---- Python: run from backend/, as `cd backend && pytest` ----
  'backend/src/calc/__init__.py': `def add(a, b):
    return a + b


def div(a, b):
    return a / b  # MARK:py-div


def unused(x):
    if x > 0:
        return 1
    return 2
`,
  'backend/tests/test_calc.py': `import os
import pytest
from calc import add, div

COUNTER = os.environ["FLAKY_COUNTER"]


def test_add():
    assert add(1, 2) == 3


def test_add_wrong():
    assert add(1, 2) == 4  # MARK:py-add-wrong


def test_div_zero():
    assert div(1, 0) == 0  # MARK:py-div-zero


@pytest.fixture
def broken():
    raise RuntimeError("fixture exploded")  # MARK:py-fixture


def test_uses_broken(broken):
    assert True


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert False


@pytest.mark.flaky(reruns=2)
def test_flaky():
    n = int(open(COUNTER).read()) if os.path.exists(COUNTER) else 0
    open(COUNTER, "w").write(str(n + 1))
    assert n >= 1


def test_secret():
    url = os.environ["DATABASE_URL"]
    assert url == "x"  # MARK:py-secret
`,
  // ---- JavaScript: run from frontend/, as `cd frontend && npx jest` ----
  'frontend/package.json': JSON.stringify({ name: 'frontend', private: true, jest: { coverageReporters: ['cobertura', 'lcov', 'json-summary'] } }, null, 2),
  'frontend/src/calc.js': `function add(a, b) {
  return a + b;
}
function div(a, b) {
  if (b === 0) throw new Error('division by zero'); // MARK:js-throw
  return a / b;
}
function unused(x) {
  return x > 0 ? 1 : 2;
}
module.exports = { add, div, unused };
`,
  'frontend/src/calc.test.js': `const fs = require('fs');
const { add, div } = require('./calc');
jest.retryTimes(2);

describe('calc', () => {
  test('adds', () => {
    expect(add(1, 2)).toBe(3);
  });
  test('adds wrong', () => {
    expect(add(1, 2)).toBe(4); // MARK:js-add-wrong
  });
  test('divides by zero', () => {
    expect(div(1, 0)).toBe(0); // MARK:js-div-zero
  });
  test.skip('skipped', () => {});
  test.todo('later');
  test('flaky', () => {
    const f = process.env.FLAKY_COUNTER;
    const n = fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 0;
    fs.writeFileSync(f, String(n + 1));
    expect(n).toBeGreaterThanOrEqual(1);
  });
});
`,
  // ---- Go: run from gosvc/, as `cd gosvc && gotestsum ...` ----
  'gosvc/go.mod': 'module example.com/gosvc\n\ngo 1.22\n',
  'gosvc/calc/calc.go': 'package calc\n\nfunc Add(a, b int) int { return a + b }\n',
  'gosvc/calc/calc_test.go': `package calc

import (
	"os"
	"strconv"
	"testing"
)

func TestAdd(t *testing.T) {
	if Add(1, 2) != 3 {
		t.Fatal("bad")
	}
}

func TestAddWrong(t *testing.T) {
	if got := Add(1, 2); got != 4 {
		t.Errorf("Add(1, 2) = %d, want 4", got) // MARK:go-add-wrong
	}
}

func TestSkip(t *testing.T) {
	t.Skip("not today")
}

func TestFlaky(t *testing.T) {
	f := os.Getenv("FLAKY_COUNTER")
	b, _ := os.ReadFile(f)
	n, _ := strconv.Atoi(string(b))
	os.WriteFile(f, []byte(strconv.Itoa(n+1)), 0o644)
	if n < 1 {
		t.Fatalf("attempt %d failed", n) // MARK:go-flaky
	}
}

func TestSub(t *testing.T) {
	t.Run("ok", func(t *testing.T) {})
	t.Run("bad", func(t *testing.T) { t.Error("sub failed") }) // MARK:go-sub
}
`,
  'gosvc/panics/p_test.go': `package panics

import "testing"

func div(a, b int) int { return a / b } // MARK:go-panic

func TestDivZero(t *testing.T) {
	_ = div(1, 0)
}
`,
};

/** The 1-based line of `MARK:<name>` in a fixture file, as a repository path:line. */
export function marked(name: string): { path: string; startLine: number } {
  for (const [path, text] of Object.entries(FILES)) {
    const i = text.split('\n').findIndex((l) => l.includes(`MARK:${name}`));
    if (i >= 0) return { path, startLine: i + 1 };
  }
  throw new Error(`fixtures: no MARK:${name}`);
}

export interface Fixtures {
  root: string;
  /** pytest's own words: the JSON totals coverage.py computed, and the junit suite attributes. */
  coveragePy: { covered_lines: number; num_statements: number; covered_branches: number; num_branches: number; percent_covered: number };
  jestSummary: { lines: { covered: number; total: number }; branches: { covered: number; total: number } };
  jestResults: { numTotalTests: number; numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>, input?: string): { stdout: string; status: number | null } {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    input,
    timeout: 240_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, status: r.status };
}

/** Writes the project files under `prefix` (backend/, frontend/, gosvc/) into `root`. */
export function writeProject(root: string, prefix: 'backend/' | 'frontend/' | 'gosvc/'): void {
  for (const [p, text] of Object.entries(FILES)) {
    if (!p.startsWith(prefix)) continue;
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

const counter = (root: string, n: string) => {
  const f = join(root, `.flaky-${n}`);
  rmSync(f, { force: true });
  return f;
};

/**
 * pytest in backend/ (written first by writeProject). `args` come after the common ones; e.g. the
 * coverage reports, `-o junit_family=xunit1`, or `-k` to run fewer tests.
 */
export function runPytest(root: string, args: string[], env: Record<string, string> = {}): void {
  const n = Math.random().toString(36).slice(2);
  run(toolBin('testreport-py', 'python'), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args, 'tests'], join(root, 'backend'), {
    PYTHONPATH: 'src',
    FLAKY_COUNTER: counter(root, n),
    DATABASE_URL: SECRET_URL,
    PYTHONDONTWRITEBYTECODE: '1',
    ...env,
  });
}

export const PYTEST_COVERAGE = [
  '--cov=calc',
  '--cov-branch',
  '--cov-report=xml:reports/coverage.xml',
  '--cov-report=json:reports/coverage.json',
  '--cov-report=lcov:reports/coverage.lcov',
];

/** Writes the three projects into `root` and runs every tool; the reports land in each project's reports/. */
export function buildFixtures(root: string): Fixtures {
  for (const prefix of ['backend/', 'frontend/', 'gosvc/'] as const) writeProject(root, prefix);

  // pytest: the default family (xunit2) with coverage in three formats, then xunit1.
  const be = join(root, 'backend');
  runPytest(root, ['--junitxml=reports/junit.xml', ...PYTEST_COVERAGE]);
  runPytest(root, ['-o', 'junit_family=xunit1', '--junitxml=reports/junit-xunit1.xml']);
  const coveragePy = JSON.parse(readFileSync(join(be, 'reports/coverage.json'), 'utf8')).totals;

  // jest with jest-junit, from the provisioned folder (never the repository's own jest).
  const js = toolDir('testreport-js');
  const fe = join(root, 'frontend');
  run(
    process.execPath,
    [
      join(js, 'node_modules/jest/bin/jest.js'),
      '--ci',
      '--coverage',
      '--json',
      '--outputFile=reports/jest-results.json',
      '--reporters=default',
      `--reporters=${join(js, 'node_modules/jest-junit')}`,
    ],
    fe,
    { FLAKY_COUNTER: counter(root, 'js'), JEST_JUNIT_OUTPUT_DIR: 'reports', JEST_JUNIT_OUTPUT_NAME: 'junit.xml' },
  );
  const jestSummary = JSON.parse(readFileSync(join(fe, 'coverage/coverage-summary.json'), 'utf8')).total;
  const jestResults = JSON.parse(readFileSync(join(fe, 'reports/jest-results.json'), 'utf8'));

  // go: gotestsum re-running failures (the flaky test passes on its second run), and go-junit-report over
  // `go test -v` of every package, the panicking one included.
  const go = join(root, 'gosvc');
  const goEnv = {
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=mod',
    GOCACHE: process.env.GOCACHE ?? join(process.env.HOME ?? '/tmp', '.cache', 'go-build'),
    GOPATH: process.env.GOPATH ?? join(process.env.HOME ?? '/tmp', 'go'),
  };
  mkdirSync(join(go, 'reports'), { recursive: true });
  run(toolBin('gotestsum'), ['--junitfile', 'reports/gotestsum.xml', '--rerun-fails=2', '--packages', './calc/...', '--', '-count=1'], go, {
    ...goEnv,
    FLAKY_COUNTER: counter(root, 'go1'),
  });
  const verbose = run('go', ['test', '-v', '-count=1', './...'], go, { ...goEnv, FLAKY_COUNTER: counter(root, 'go2') }).stdout;
  writeFileSync(join(go, 'reports/go-junit-report.xml'), execFileSync(toolBin('gotestsum', 'go-junit-report'), [], { input: verbose }));
  return { root, coveragePy, jestSummary, jestResults };
}

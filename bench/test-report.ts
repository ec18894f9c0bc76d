// test-report benchmarks (issue #28), side by side in one run, contenders alternating round by round:
// (a) a 20,000-test JUnit report (pytest's shape: 2 % failing with 30-line tracebacks, 3 % skipped, 1 %
//     re-run by pytest-rerunfailures): our parse and report (stream-parse with saxes, fold retries,
//     totals, locate and annotate the failures, the summary Markdown) against reading the same file with
//     Python's junitparser (the PyPI library; walk every case, count results, collect failure messages)
//     and with xml.etree.ElementTree (the standard library's C parser; the same walk). Each side is timed
//     inside its own process, so neither interpreter's start-up is counted; the whole action (Node 24,
//     the bundle, every reporter) against a whole `python -c` junitparser process is printed too.
// (b) a large coverage report (2,000 files, 500,000 executable lines, branches on) in Cobertura
//     XML and coverage.py JSON: our read and summary against Python reading the same file the usual way
//     (xml.etree iterparse over <line>; json.load and counting executed/missing), and, for reference,
//     coverage.py's own API loading the same measurement from its SQLite data file (CoverageData, lines
//     per file: it holds executed lines only, so it does less work than a report reader).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSummary, gate } from '@platform-actions/kit';
import { readCobertura } from '../actions/test-report/src/coverage/cobertura.js';
import { readCoveragePy } from '../actions/test-report/src/coverage/coveragepy.js';
import { summarize } from '../actions/test-report/src/coverage/model.js';
import { toFinding } from '../actions/test-report/src/findings.js';
import { readJUnitFile } from '../actions/test-report/src/junit.js';
import { locate } from '../actions/test-report/src/locate.js';
import { RepoPaths } from '../actions/test-report/src/paths.js';
import { toRepoPaths } from '../actions/test-report/src/read.js';
import { detailsMarkdown } from '../actions/test-report/src/report.js';
import { foldAttempts, isFailure, slowest, totals } from '../actions/test-report/src/results.js';
import { toolBin } from '../test/harness/tools.js';
import { runBundledAction } from '../test/runner/runner.js';
import { median, report, sideBySide } from './lib.js';

const TESTS = 20_000;
const FILES = 2_000;
const LINES_PER_FILE = 250;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A pytest-shaped JUnit report with `n` tests, and the test files it names (so failures can be located). */
function junitReport(ws: string, n: number): string {
  const parts: string[] = [
    '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="0" time="1.0">',
  ];
  for (let k = 0; k < n; k++) {
    const mod = Math.floor(k / 50);
    const file = `tests/pkg${mod % 40}/test_mod${mod}.py`;
    const cls = file.replace(/\.py$/, '').replace(/\//g, '.');
    const time = (((k * 7919) % 1000) / 1000).toFixed(3);
    const open = `<testcase classname="${cls}" name="test_case_${k}[param-${k % 7}]" time="${time}"`;
    if (k % 50 === 3) {
      const tb = Array.from({ length: 28 }, (_, j) => `    value_${j} = compute(${j}, "item-${j % 13}")  # frame line with <text> & "quotes"`).join('\n');
      parts.push(`${open}><failure message="${esc(`assert ${k} == ${k + 1}`)}">${esc(tb)}\n\n${file}:${(k % 50) * 10 + 3}: AssertionError</failure></testcase>`);
    } else if (k % 33 === 5) parts.push(`${open}><skipped type="pytest.skip" message="not on this platform" /></testcase>`);
    else if (k % 100 === 7)
      parts.push(`${open} />${open} />`); // re-run by pytest-rerunfailures
    else parts.push(`${open} />`);
  }
  parts.push('</testsuite></testsuites>');
  for (let mod = 0; mod * 50 < n; mod++) {
    const f = join(ws, `tests/pkg${mod % 40}/test_mod${mod}.py`);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, '\n');
  }
  return parts.join('');
}

/** The same measurement as Cobertura XML and as coverage.py JSON: executable lines, hits and branches per file. */
function coverageReports(): { cobertura: string; json: string; measured: Record<string, number[]> } {
  const cls: string[] = [];
  const files: Record<string, unknown> = {};
  const measured: Record<string, number[]> = {};
  for (let f = 0; f < FILES; f++) {
    const path = `src/pkg${f % 50}/mod${f}.py`;
    const executable = Array.from({ length: LINES_PER_FILE }, (_, i) => i * 2 + 1);
    const run = executable.filter((l) => (l * 31 + f) % 10 < 8);
    const missing = executable.filter((l) => (l * 31 + f) % 10 >= 8);
    const branchLines = executable.filter((l) => l % 20 === 1);
    measured[path] = run;
    cls.push(
      `<class name="mod${f}.py" filename="${path}" line-rate="0.8" branch-rate="0.5"><methods/><lines>${executable
        .map((l) => {
          const hits = run.includes(l) ? 1 : 0;
          return branchLines.includes(l)
            ? `<line number="${l}" hits="${hits}" branch="true" condition-coverage="50% (1/2)" missing-branches="${l + 2}"/>`
            : `<line number="${l}" hits="${hits}"/>`;
        })
        .join('')}</lines></class>`,
    );
    files[path] = {
      executed_lines: run,
      missing_lines: missing,
      excluded_lines: [],
      executed_branches: branchLines.map((l) => [l, l + 1]),
      missing_branches: branchLines.map((l) => [l, l + 2]),
    };
  }
  const cobertura = `<?xml version="1.0" ?>\n<coverage version="7.18.0" line-rate="0.8" branch-rate="0.5"><sources><source>/ci/app</source></sources><packages><package name="src" line-rate="0.8" branch-rate="0.5"><classes>${cls.join('')}</classes></package></packages></coverage>\n`;
  return { cobertura, json: JSON.stringify({ meta: { format: 3, version: '7.18.0', branch_coverage: true }, files }), measured };
}

// The Python side: one process per round, timing only its own work, printing milliseconds.
const PY = `
import json, sys, time
mode, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == 'junitparser':
    from junitparser import JUnitXml, Failure, Error, Skipped
    xml = JUnitXml.fromfile(path)
    counts = {'tests': 0, 'failed': 0, 'skipped': 0}
    messages = []
    for suite in xml:
        for case in suite:
            counts['tests'] += 1
            for r in case.result:
                if isinstance(r, (Failure, Error)):
                    counts['failed'] += 1
                    messages.append((case.classname, case.name, r.message, r.text))
                elif isinstance(r, Skipped):
                    counts['skipped'] += 1
elif mode == 'etree':
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    counts = {'tests': 0, 'failed': 0, 'skipped': 0}
    messages = []
    for case in root.iter('testcase'):
        counts['tests'] += 1
        for r in case:
            if r.tag in ('failure', 'error'):
                counts['failed'] += 1
                messages.append((case.get('classname'), case.get('name'), r.get('message'), r.text))
            elif r.tag == 'skipped':
                counts['skipped'] += 1
elif mode == 'cobertura-etree':
    import xml.etree.ElementTree as ET
    covered = total = 0
    for _, el in ET.iterparse(path):
        if el.tag == 'line':
            total += 1
            covered += int(el.get('hits', '0')) > 0
        elif el.tag == 'class':
            el.clear()
elif mode == 'coveragepy-json':
    doc = json.load(open(path))
    covered = total = 0
    for f in doc['files'].values():
        covered += len(f['executed_lines'])
        total += len(f['executed_lines']) + len(f['missing_lines'])
elif mode == 'coveragedata':
    from coverage import CoverageData
    data = CoverageData(basename=path)
    data.read()
    covered = sum(len(data.lines(f)) for f in data.measured_files())
print(json.dumps({'ms': (time.perf_counter() - t0) * 1000}))
`;

function python(mode: string, file: string): number {
  const r = spawnSync(toolBin('testreport-py', 'python'), ['-c', PY, mode, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: python ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).ms;
}

const timed = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

export async function benchTestReport(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-test-report-'));
  try {
    const ws = join(dir, 'ws');
    mkdirSync(ws);
    const junit = join(ws, 'junit.xml');
    const xml = junitReport(ws, TESTS);
    writeFileSync(junit, xml);
    const cov = coverageReports();
    const cobertura = join(dir, 'coverage.xml');
    const json = join(dir, 'coverage.json');
    writeFileSync(cobertura, cov.cobertura);
    writeFileSync(json, cov.json);
    // The same measurement in coverage.py's own data file, written through its API.
    const data = join(dir, '.coverage');
    execFileSync(toolBin('testreport-py', 'python'), [
      '-c',
      'import json,sys\nfrom coverage import CoverageData\nd=CoverageData(basename=sys.argv[1])\nd.add_lines({k: v for k, v in json.load(open(sys.argv[2])).items()})\nd.write()',
      data,
      writeMeasured(dir, cov.measured),
    ]);
    console.log(
      `inputs: JUnit ${TESTS} tests (${(xml.length / 1e6).toFixed(1)} MB); coverage ${FILES} files, ${FILES * LINES_PER_FILE} executable lines: Cobertura ${(cov.cobertura.length / 1e6).toFixed(1)} MB, coverage.py JSON ${(cov.json.length / 1e6).toFixed(1)} MB`,
    );

    // (a) JUnit: parse and report, in-process on both sides.
    const paths = new RepoPaths(ws);
    const stages: Record<string, number[]> = { parse: [], fold: [], locate: [], report: [] };
    const ours = async () => {
      let t0 = performance.now();
      const cases = await readJUnitFile(junit, 'junit.xml');
      const lap = (stage: string) => {
        const now = performance.now();
        stages[stage].push(now - t0);
        t0 = now;
      };
      lap('parse');
      const results = foldAttempts(cases);
      const t = totals(results);
      lap('fold');
      const failed = results.filter((r) => isFailure(r.status)).map((result) => ({ result, finding: toFinding(result, locate(result, paths, [''])) }));
      lap('locate');
      const g = gate({ findings: failed.map((f) => f.finding), failOn: 'none' });
      const details = detailsMarkdown({
        totals: t,
        failed,
        flaky: [],
        slowest: slowest(results, 10),
        gates: { minPassRate: 100, failOnDecrease: false, metric: 'lines' },
        reads: { junit: ['junit.xml'], coverage: [] },
        links: {},
        redact: [],
      });
      renderSummary({ title: 'Tests and coverage', gate: g, details, findingsTables: false });
      lap('report');
      if (t.tests !== TESTS || !t.flaky) throw new Error(`bench: counted ${t.tests} tests, ${t.flaky} flaky`);
    };
    const a = await sideBySide(
      [
        { name: 'ours', run: () => timed(ours) },
        { name: 'junitparser', run: () => python('junitparser', junit) },
        { name: 'etree', run: () => python('etree', junit) },
      ],
      7,
    );
    console.log(
      `(a) ours by stage (medians): ${Object.entries(stages)
        .map(([k, v]) => `${k} ${median(v).toFixed(1)} ms`)
        .join(', ')} (${failedCount(xml)} failures located and annotated)`,
    );
    // Targets are regression guards: junitparser is pure Python over the C parser; xml.etree is the C parser
    // itself (expat) with a bare walk, which no JavaScript parser matches.
    const okA1 = report('(a) 20,000-test JUnit, parse+report vs junitparser (parse+walk)', { name: 'test-report', ms: a.ours }, { name: 'junitparser', ms: a.junitparser }, 1.5);
    const okA2 = report('(a) 20,000-test JUnit, parse+report vs xml.etree (C parser, parse+walk)', { name: 'test-report', ms: a.ours }, { name: 'xml.etree', ms: a.etree }, 4.0);

    // The whole action (Node 24, the bundle, every reporter) against a whole junitparser process.
    const whole = await sideBySide(
      [
        {
          name: 'action',
          run: async () =>
            (await runBundledAction({ action: 'test-report', workspace: ws, inputs: { junit: 'junit.xml', comment: 'false', 'min-pass-rate': '0' } })).main.durationMs,
        },
        {
          name: 'python',
          run: () => {
            const t0 = performance.now();
            python('junitparser', junit);
            return performance.now() - t0;
          },
        },
      ],
      5,
    );
    console.log(
      `(a) whole processes: the action (Node 24, bundle, all reporters) ${whole.action.toFixed(0)} ms vs python -c junitparser ${whole.python.toFixed(0)} ms → ratio ${(whole.action / whole.python).toFixed(2)}x (for information)`,
    );

    // (b) Coverage: read and summarise.
    const empty = new RepoPaths(join(dir, 'no-such-checkout'));
    const b = await sideBySide(
      [
        { name: 'oursXml', run: () => timed(async () => summarize(toRepoPaths(await readCobertura(cobertura), empty, undefined))) },
        { name: 'etree', run: () => python('cobertura-etree', cobertura) },
        { name: 'oursJson', run: () => timed(async () => summarize(toRepoPaths(readCoveragePy(json), empty, undefined))) },
        { name: 'pyJson', run: () => python('coveragepy-json', json) },
        { name: 'coverageData', run: () => python('coveragedata', data) },
      ],
      5,
    );
    const okB1 = report('(b) Cobertura 500k lines, read+summary vs xml.etree iterparse', { name: 'test-report', ms: b.oursXml }, { name: 'xml.etree', ms: b.etree }, 1.5);
    const okB2 = report('(b) coverage.py JSON, read+summary vs json.load+count', { name: 'test-report', ms: b.oursJson }, { name: 'python json', ms: b.pyJson }, 2.5);
    console.log(
      `(b) for reference: coverage.py's CoverageData loading the same measurement from SQLite (executed lines only) ${b.coverageData.toFixed(1)} ms; ours from its JSON report ${b.oursJson.toFixed(1)} ms → ratio ${(b.oursJson / b.coverageData).toFixed(2)}x`,
    );
    return okA1 && okA2 && okB1 && okB2;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const failedCount = (xml: string): number => xml.split('<failure ').length - 1;

function writeMeasured(dir: string, measured: Record<string, number[]>): string {
  const f = join(dir, 'measured.json');
  writeFileSync(f, JSON.stringify(measured));
  return f;
}

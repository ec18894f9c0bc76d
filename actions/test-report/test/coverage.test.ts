// Coverage formats written by hand for the cases real runs show only sometimes (jest's method lines, a
// file split over classes, LCOV branches never reached, coverage.py arcs), merging, the metrics, and
// telling formats apart by content. Real coverage.py and jest output is checked in tools.integration.test.ts.
import { describe, expect, test } from '@jest/globals';
import { parseCobertura } from '../src/coverage/cobertura.js';
import { parseCoveragePy } from '../src/coverage/coveragepy.js';
import { parseLcov } from '../src/coverage/lcov.js';
import { type Coverage, fileCounts, mergeInto, percent, summarize, type WrittenFile } from '../src/coverage/model.js';
import { kindOf } from '../src/detect.js';

const asCoverage = (files: WrittenFile[]): Coverage => {
  const c: Coverage = new Map();
  for (const f of files) mergeInto(c, new Map([[f.written, f.coverage]]));
  return c;
};

describe('Cobertura', () => {
  const xml = `<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage lines-valid="5" lines-covered="3" line-rate="0.6" branches-valid="4" branches-covered="1" branch-rate="0.25">
  <sources><source>/ci/app</source><source>
    /ci/app/lib
  </source></sources>
  <packages><package name="main"><classes>
    <class name="calc.js" filename="src/calc.js">
      <methods><method name="add" hits="4"><lines><line number="1" hits="4"/></lines></method></methods>
      <lines>
        <line number="2" hits="4" branch="false"/>
        <line number="5" hits="3" branch="true" condition-coverage="50% (1/2)"/>
        <line number="6" hits="0"/>
      </lines>
    </class>
    <class name="Other" filename="src/calc.js"><lines><line number="6" hits="2"/><line number="9" hits="0" branch="true" condition-coverage="0% (0/2)"/></lines></class>
  </classes></package></packages>
</coverage>`;
  const files = parseCobertura(xml);
  test('one entry per file; sources are the bases its relative path may start from', () => {
    expect(files.map((f) => [f.written, f.bases])).toEqual([['src/calc.js', ['/ci/app', '/ci/app/lib']]]);
  });
  test("method declaration lines are not counted; a file's classes merge line by line", () => {
    const c = fileCounts(files[0].coverage);
    expect([...files[0].coverage.lines.keys()].sort((a, b) => a - b)).toEqual([2, 5, 6, 9]);
    expect(c).toEqual({ lines: { covered: 3, total: 4 }, branches: { covered: 1, total: 4 } });
  });
  test('a JUnit file is refused by its root', () => {
    expect(() => parseCobertura('<testsuites/>')).toThrow(/is a <testsuites> document, not Cobertura XML/);
  });
});

describe('LCOV', () => {
  const text = [
    'TN:',
    'SF:/ci/app/src/calc.js',
    'FN:1,add',
    'FNDA:4,add',
    'DA:2,4',
    'DA:5,3',
    'DA:6,0',
    'BRDA:5,0,0,3',
    'BRDA:5,0,1,0',
    'BRDA:9,1,0,-',
    'BRDA:9,1,1,-',
    'LF:3',
    'LH:2',
    'BRF:4',
    'BRH:1',
    'end_of_record',
    'SF:src/other.js',
    'DA:1,1',
    'end_of_record',
    '',
  ].join('\n');
  test('lines and branches per record; `-` (never reached) is not covered; the summary lines are recomputed', () => {
    const files = parseLcov(text);
    expect(files.map((f) => f.written)).toEqual(['/ci/app/src/calc.js', 'src/other.js']);
    expect(fileCounts(files[0].coverage)).toEqual({ lines: { covered: 2, total: 3 }, branches: { covered: 1, total: 4 } });
    expect(fileCounts(files[1].coverage)).toEqual({ lines: { covered: 1, total: 1 }, branches: { covered: 0, total: 0 } });
  });
  test('a line that is not LCOV is refused with its number', () => {
    expect(() => parseLcov('SF:a.js\nDA:1,1\nhello world\n')).toThrow(/line 3: "hello world" is not an LCOV record/);
  });
});

describe('coverage.py JSON', () => {
  const json = JSON.stringify({
    meta: { format: 3, version: '7.18.0', branch_coverage: true },
    files: {
      'src/calc/__init__.py': {
        executed_lines: [1, 2, 5, 6, 9],
        missing_lines: [10, 11, 12],
        excluded_lines: [20],
        executed_branches: [[10, 11]],
        missing_branches: [
          [10, 12],
          [12, -1],
        ],
      },
    },
    totals: { covered_lines: 5, num_statements: 8 },
  });
  test('executed and missing lines; arcs counted per source line; excluded lines nowhere', () => {
    const [f] = parseCoveragePy(json);
    expect(fileCounts(f.coverage)).toEqual({ lines: { covered: 5, total: 8 }, branches: { covered: 1, total: 3 } });
    expect(f.coverage.lines.has(20)).toBe(false);
  });
  test('cut off, or another JSON', () => {
    expect(() => parseCoveragePy(json.slice(0, 60))).toThrow(/is not complete JSON/);
    expect(() => parseCoveragePy('{"files": {}}')).toThrow(/not a coverage.py JSON report/);
    expect(() => parseCoveragePy('{"meta": {"format": 1}, "files": {}}')).toThrow(/format 2 or newer/);
  });
});

describe('merging and metrics', () => {
  test('two reports of one file (split test jobs): a line is covered when either covered it; nothing counted twice', () => {
    const a = parseLcov('SF:src/a.py\nDA:1,1\nDA:2,0\nDA:3,0\nend_of_record\n');
    const b = parseCoveragePy(JSON.stringify({ meta: { format: 3 }, files: { 'src/a.py': { executed_lines: [3], missing_lines: [1, 2, 4] } } }));
    const cov = asCoverage([...a, ...b]);
    expect(fileCounts(cov.get('src/a.py')!)).toEqual({ lines: { covered: 2, total: 4 }, branches: { covered: 0, total: 0 } });
  });
  test('lines, branches and combined (coverage.py: covered lines + branches over all)', () => {
    const s = summarize(
      asCoverage(
        parseCoveragePy(
          JSON.stringify({ meta: { format: 3 }, files: { x: { executed_lines: [1, 2, 3], missing_lines: [4], executed_branches: [[1, 2]], missing_branches: [[1, 3]] } } }),
        ),
      ),
    );
    expect(percent(s.total, 'lines')).toBe(75);
    expect(percent(s.total, 'branches')).toBe(50);
    expect(percent(s.total, 'combined')).toBeCloseTo((4 / 6) * 100, 10);
    expect(percent({ lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } }, 'lines')).toBeUndefined();
  });
});

describe('what a file is, from its first bytes', () => {
  test.each([
    ['<?xml version="1.0"?>\n<!-- x --><testsuites name="pytest tests">', 'junit'],
    ['<testsuite name="x">', 'junit'],
    ['<?xml version="1.0" ?>\n<!DOCTYPE coverage SYSTEM "http://x/coverage-04.dtd">\n<coverage line-rate="0.5">', 'cobertura'],
    ['TN:\nSF:/a.js\nDA:1,1', 'lcov'],
    ['SF:a.js\n', 'lcov'],
    ['{"meta": {"format": 3, "version": "7.18.0", "timestamp": "x", "branch_coverage": true, "show_contexts": false}, "files": {', 'coveragepy'],
    ['{\n    "meta": {\n        "format": 3,', 'coveragepy'],
    ['{"schema": "platform-actions/test-report/v1", "createdAt": "x"}', 'test-report'],
    ['   ', 'empty'],
  ])('%j', (text, kind) => expect(kindOf(text)).toBe(kind));
  test.each([
    ['{"/ci/a.js": {"path": "/ci/a.js", "statementMap": {}}}', "istanbul's coverage-final.json"],
    ['{"total": {"lines": {"total": 1}}}', "istanbul's json-summary"],
    ['mode: set\nexample.com/x/a.go:3.40,3.57 1 1\n', 'a Go cover profile'],
    ['<?xml version="1.0"?><coverage generated="1" clover="4.4"><project>', 'Clover XML'],
    ['<html><body>', 'an XML document with root <html>'],
    ['hello', 'not a format test-report reads'],
  ])('unsupported: %j', (text, what) => expect(kindOf(text)).toEqual({ unsupported: what }));
});

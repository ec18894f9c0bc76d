// JUnit edge cases written by hand, the ones a real run rarely produces on demand: skipped and xfail,
// errors next to failures, nested suites, CDATA, characters XML forbids, huge messages, retries in both
// spellings, and files that are cut off or hostile. The real tools' output is read in tools.integration.test.ts.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_TEXT, parseJUnit, readJUnitFile } from '../src/junit.js';
import { foldAttempts, passRate, slowest, totals } from '../src/results.js';
import { sanitizer, XmlError } from '../src/xml.js';

const doc = (body: string, root = '<testsuites>') => `<?xml version="1.0" encoding="UTF-8"?>\n${root}${body}${root.replace('<', '</').replace(/ .*>/, '>')}`;

describe('statuses', () => {
  const cases = parseJUnit(
    doc(`<testsuite name="s">
      <testcase classname="t.m" name="ok" time="0.5"/>
      <testcase classname="t.m" name="assert" time="0.1"><failure message="assert 1 == 2" type="AssertionError">trace</failure></testcase>
      <testcase classname="t.m" name="setup"><error message="failed on setup with &quot;RuntimeError: boom&quot;">setup trace</error></testcase>
      <testcase classname="t.m" name="skip"><skipped type="pytest.skip" message="not today"/></testcase>
      <testcase classname="t.m" name="xfail"><skipped type="pytest.xfail" message="known bug"/></testcase>
      <testcase classname="t.m" name="both"><failure message="first">f</failure><error message="teardown broke">e</error></testcase>
    </testsuite>`),
  );
  test('each case gets the status of its first result element', () => {
    expect(cases.map((c) => [c.name, c.status])).toEqual([
      ['ok', 'passed'],
      ['assert', 'failed'],
      ['setup', 'error'],
      ['skip', 'skipped'],
      ['xfail', 'skipped'],
      ['both', 'failed'],
    ]);
  });
  test('message, type and text are kept for what did not pass; entities are decoded', () => {
    expect(cases[1]).toMatchObject({ message: 'assert 1 == 2', type: 'AssertionError', detail: 'trace', time: 0.1 });
    expect(cases[2].message).toBe('failed on setup with "RuntimeError: boom"');
    expect(cases[3].message).toBe('not today');
  });
  test('an error after a failure (pytest: teardown failed too) is appended to the failure text', () => {
    expect(cases[5].detail).toMatch(/^f\n\n\(also an error: teardown broke\)\ne$/);
  });
  test('totals and pass rate: errors count as failed, skipped do not count', () => {
    const t = totals(foldAttempts(cases));
    expect(t).toMatchObject({ tests: 6, passed: 1, failed: 2, errors: 1, skipped: 2, flaky: 0 });
    expect(passRate(t)).toBeCloseTo(25, 10);
  });
});

test('nested suites keep their path; suite output goes to the failed cases of that suite only', () => {
  const cases = parseJUnit(
    doc(`<testsuite name="outer"><testsuite name="inner">
      <testcase classname="c" name="a"><failure/></testcase>
      <testcase classname="c" name="b"/>
      <system-out><![CDATA[panic: boom
	/src/pkg/x_test.go:12 +0x1]]></system-out>
    </testsuite><testcase classname="c" name="c"><failure message="x"/></testcase></testsuite>`),
  );
  expect(cases.map((c) => [c.name, c.suite.join('/'), c.status])).toEqual([
    ['a', 'outer/inner', 'failed'],
    ['b', 'outer/inner', 'passed'],
    ['c', 'outer', 'failed'],
  ]);
  expect(cases[0].suiteOutput).toContain('x_test.go:12');
  expect(cases[1].suiteOutput).toBeUndefined();
  expect(cases[2].suiteOutput).toBeUndefined();
});

test('a root <testsuite> (no <testsuites>) is read too', () => {
  const cases = parseJUnit('<testsuite name="only" tests="1"><testcase classname="a" name="b"/></testsuite>');
  expect(cases).toHaveLength(1);
  expect(cases[0].suite).toEqual(['only']);
});

test('CDATA, entities and a failure split over several text pieces are joined exactly', () => {
  const [c] = parseJUnit(doc(`<testsuite><testcase classname="c" name="n"><failure>a &lt;b&gt; &amp; <![CDATA[<raw> & ]]]]><![CDATA[>]]> tail</failure></testcase></testsuite>`));
  expect(c.detail).toBe('a <b> & <raw> & ]]> tail');
});

test('characters XML forbids (ANSI colour codes, NUL) and references to them do not sink the report', () => {
  const [c] = parseJUnit(doc(`<testsuite><testcase classname="c" name="n"><failure message="\u001b[31mred\u001b[0m &#x1B;[1m &#27;">x\u0000y</failure></testcase></testsuite>`));
  expect(c.status).toBe('failed');
  expect(c.message).toBe('\uFFFD[31mred\uFFFD[0m \uFFFD[1m \uFFFD');
  expect(c.detail).toBe('x\uFFFDy');
});

test('the sanitiser keeps a character reference that a chunk boundary cuts in two', () => {
  const s = sanitizer();
  expect(s.push('ab &#x')).toBe('ab ');
  expect(s.push('1B; c')).toBe('&#xFFFD; c');
  expect(s.push('d &amp')).toBe('d ');
  expect(s.push('; e') + s.end()).toBe('&amp; e');
});

test('a byte-order mark before the declaration is accepted', () => {
  expect(parseJUnit(`\uFEFF${doc('<testsuite><testcase classname="c" name="n"/></testsuite>')}`)).toHaveLength(1);
});

describe('huge failure messages', () => {
  test(`text beyond ${MAX_TEXT / 1024} KiB is cut with a note, in a file streamed in chunks`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tr-junit-'));
    try {
      const big = 'x'.repeat(6 * 1024 * 1024);
      const f = join(dir, 'big.xml');
      writeFileSync(
        f,
        doc(
          `<testsuite><testcase classname="c" name="n"><failure message="m">${big}</failure><system-out>${big}</system-out></testcase><testcase classname="c" name="after"/></testsuite>`,
        ),
      );
      const cases = await readJUnitFile(f, 'big.xml');
      expect(cases).toHaveLength(2);
      expect(cases[0].detail!.length).toBeLessThan(MAX_TEXT + 100);
      expect(cases[0].detail).toMatch(/…\(cut at 64 KiB\)$/);
      expect(cases[0].output!.length).toBeLessThan(MAX_TEXT + 100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('retries', () => {
  test('gotestsum --rerun-fails: the same test repeated in one report; the last attempt decides', () => {
    const r = foldAttempts(
      parseJUnit(
        doc(`<testsuite name="example.com/calc"><properties><property name="go.version" value="go1.26"/></properties>
        <testcase classname="example.com/calc" name="TestFlaky"><failure message="Failed">attempt 1</failure></testcase>
        <testcase classname="example.com/calc" name="TestBroken"><failure message="Failed">1</failure></testcase>
        <testcase classname="example.com/calc" name="TestBroken"><failure message="Failed">2</failure></testcase>
        <testcase classname="example.com/calc" name="TestBroken"><failure message="Failed">3</failure></testcase>
        <testcase classname="example.com/calc" name="TestOk" time="1"/>
        <testcase classname="example.com/calc" name="TestFlaky" time="0.25"/>
      </testsuite>`),
      ),
    );
    expect(r.map((x) => [x.name, x.status, x.attempts, x.flaky])).toEqual([
      ['TestFlaky', 'passed', 2, true],
      ['TestBroken', 'failed', 3, false],
      ['TestOk', 'passed', 1, false],
    ]);
    // A flaky test shows its first failure; a failed one its last.
    expect(r[0].shown.detail).toBe('attempt 1');
    expect(r[1].shown.detail).toBe('3');
    expect(totals(r)).toMatchObject({ tests: 3, passed: 2, failed: 1, flaky: 1 });
  });

  test('Surefire spelling: flakyFailure inside a passed case, rerunFailure inside a failed one', () => {
    const r = foldAttempts(
      parseJUnit(
        doc(`<testsuite name="s">
        <testcase classname="c" name="flaky"><flakyFailure message="timeout" type="java.lang.AssertionError"><stackTrace>x</stackTrace></flakyFailure></testcase>
        <testcase classname="c" name="broken"><failure message="m"/><rerunFailure message="m"/><rerunFailure message="m"/></testcase>
      </testsuite>`),
      ),
    );
    expect(r.map((x) => [x.name, x.status, x.attempts, x.flaky])).toEqual([
      ['flaky', 'passed', 2, true],
      ['broken', 'failed', 3, false],
    ]);
  });

  test('pytest-rerunfailures writes the failed attempt as a plain case: a repeat in a pytest report is a re-run', () => {
    const r = foldAttempts(
      parseJUnit(
        `<testsuites name="pytest tests"><testsuite name="pytest"><testcase classname="tests.t" name="test_flaky" time="0.1"/><testcase classname="tests.t" name="test_flaky" time="0.1"/></testsuite></testsuites>`,
      ),
    );
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ flaky: true, attempts: 2, status: 'passed' });
    expect(r[0].time).toBeCloseTo(0.2, 10);
  });

  test('two passing jest tests with one title are two tests, not a retry', () => {
    const r = foldAttempts(
      parseJUnit(
        `<testsuites name="jest tests"><testsuite name="s"><testcase classname="s works" name="s works"/><testcase classname="s works" name="s works"/></testsuite></testsuites>`,
      ),
    );
    expect(r).toHaveLength(2);
    expect(r.every((x) => !x.flaky)).toBe(true);
  });

  test('the same test in two reports (a Python 3.9 and a 3.11 job) is two tests', () => {
    const xml = '<testsuite><testcase classname="t" name="a"><failure/></testcase></testsuite>';
    const r = foldAttempts([...parseJUnit(xml, 'py39/junit.xml'), ...parseJUnit(xml, 'py311/junit.xml')]);
    expect(r).toHaveLength(2);
    expect(r.every((x) => x.attempts === 1 && x.status === 'failed')).toBe(true);
  });
});

test('pytest writes line 0-based; it is read 1-based. Other tools write it 1-based', () => {
  const py = parseJUnit(`<testsuites name="pytest tests"><testsuite name="pytest"><testcase classname="t" name="a" file="tests/t.py" line="7"/></testsuite></testsuites>`);
  const other = parseJUnit(`<testsuites><testsuite name="x"><testcase classname="t" name="a" file="tests/t.py" line="7"/></testsuite></testsuites>`);
  expect(py[0]).toMatchObject({ file: 'tests/t.py', line: 8, producer: 'pytest' });
  expect(other[0]).toMatchObject({ file: 'tests/t.py', line: 7 });
});

describe('files that are not a readable report', () => {
  test.each([
    ['cut off while writing', doc('<testsuite><testcase classname="c" name="a"/>').replace(/<\/testsuites>$/, ''), /ends before its last element is closed/],
    ['not XML', 'hello', /not well-formed XML at line 1/],
    ['a Cobertura file', '<coverage line-rate="1"><packages/></coverage>', /is a <coverage> document, not JUnit XML/],
    ['mismatched tags', '<testsuites><testsuite></testsuites>', /not well-formed XML at line 1, column \d+: unexpected close tag/],
  ])('%s', (_name, text, want) => {
    expect(() => parseJUnit(text)).toThrow(XmlError);
    expect(() => parseJUnit(text)).toThrow(want);
  });

  test('entities declared in a DTD are never expanded (no entity bomb)', () => {
    const lol = `<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><testsuites><testsuite><testcase classname="c" name="&j;"/></testsuite></testsuites>`;
    const started = Date.now();
    expect(() => parseJUnit(lol)).toThrow(/undefined entity/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

test('slowest: the n slowest that ran, slowest first, ties by title, skipped ones left out', () => {
  const r = foldAttempts(
    parseJUnit(
      doc(
        `<testsuite>${[3, 1, 5, 5, 2, 9]
          .map((t, i) => `<testcase classname="c" name="t${i}" time="${t}"/>`)
          .join('')}<testcase classname="c" name="skipped" time="99"><skipped/></testcase></testsuite>`,
      ),
    ),
  );
  expect(slowest(r, 3).map((x) => x.name)).toEqual(['t5', 't2', 't3']);
  expect(slowest(r, 0)).toEqual([]);
  expect(slowest(r, 50)).toHaveLength(6);
});

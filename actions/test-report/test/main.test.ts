// main() in-process on small hand-written reports: what reaches the log, the summary and the failure line
// when a report quotes a secret, and what is still reported when one of several reports is broken.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMain } from './helpers.js';

let ws: string;
const write = (p: string, text: string) => {
  mkdirSync(dirname(join(ws, p)), { recursive: true });
  writeFileSync(join(ws, p), text);
};
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'test-report-main-'));
  write('src/app.py', 'x = 1\n');
  write(
    'reports/junit.xml',
    `<testsuites name="pytest tests"><testsuite name="pytest"><testcase classname="tests.test_app" name="test_login" time="0.2"><failure message="login failed for opaque-Zq81x7Lw-value">E   api_key=sk-abcdef123456</failure></testcase><testcase classname="tests.test_app" name="test_ok" time="0.1"/></testsuite></testsuites>`,
  );
  write('reports/good.lcov', 'SF:src/app.py\nDA:1,1\nend_of_record\n');
  write('reports/broken.lcov', 'SF:src/app.py\nDA:1,1\npassword=Hunter2Hunter2 leaked into the file\n');
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

test('a secret a test printed, a redact value and a secret quoted by a broken report reach nothing', async () => {
  const r = await runMain(ws, { junit: 'reports/junit.xml', coverage: 'reports/*.lcov', redact: 'opaque-Zq81x7Lw-value' });
  // add-mask lines carry the value to the runner, which hides it from then on; everything else must not.
  const all = r.stdout.replace(/^::add-mask::.*$/gm, '') + r.summary + JSON.stringify(r.outputs);
  for (const s of ['opaque-Zq81x7Lw-value', 'sk-abcdef123456', 'Hunter2Hunter2']) expect(all).not.toContain(s);
  // The readable coverage report is still reported; the broken one is the tool error.
  expect(r.outputs).toMatchObject({ outcome: 'tool-error', tests: '2', failed: '1', coverage: '100.00' });
  expect(r.failure).toBe('test-report: coverage report reports/broken.lcov line 3: "password=*** leaked into the " is not an LCOV record');
});

test('one glob over a folder holding both kinds (pytest writes junit.xml and coverage.xml side by side): each input takes its own, the rest is passed over with a notice', async () => {
  write('mixed/junit.xml', '<testsuites><testsuite name="s"><testcase classname="c" name="ok"/></testsuite></testsuites>');
  write(
    'mixed/coverage.xml',
    '<?xml version="1.0" ?>\n<coverage line-rate="1"><sources><source>.</source></sources><packages><package><classes><class filename="src/app.py"><lines><line number="1" hits="3"/></lines></class></classes></package></packages></coverage>',
  );
  const r = await runMain(ws, { junit: 'mixed/*.xml', coverage: 'mixed/*' });
  expect(r.outputs).toMatchObject({ outcome: 'clean', tests: '1', coverage: '100.00' });
  const notices = r.log.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
  expect(notices).toContain('junit: mixed/coverage.xml matched the pattern but mixed/coverage.xml is Cobertura coverage XML (give it to the coverage input); it was passed over.');
  expect(notices).toContain('coverage: mixed/junit.xml matched the pattern but mixed/junit.xml is a JUnit report (give it to the junit input); it was passed over.');
  expect(r.summary).toContain('Read: 1 JUnit report (<code>mixed/junit.xml</code>); 1 coverage report, Cobertura (<code>mixed/coverage.xml</code>).');
});

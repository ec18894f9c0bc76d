// The run report every action writes (through the kit) when PLATFORM_ACTIONS_REPORT_DIR is set: what a
// verdict merging many runs reads. Written on every exit path, scrubbed like everything else we write.
import { afterEach, expect, test } from '@jest/globals';
import { addSecret, clearSecrets, fingerprint, type Finding, gate, InputError, parseRunReport, publish, resetRunReport, runAction } from '@platform-actions/kit';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

let env: ActionEnv;
afterEach(() => {
  env?.restore();
  process.exitCode = 0;
  clearSecrets();
  resetRunReport();
});

const finding = (severity: Finding['severity'], message: string): Finding => ({
  tool: 'demo',
  ruleId: `DEMO-${severity}`,
  severity,
  title: 'Demo rule',
  message,
  location: { path: 'charts/a/values.yaml', startLine: 3 },
  fingerprint: fingerprint('demo', severity, message),
});

const reportIn = (dir: string) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  const parsed = parseRunReport(readFileSync(join(dir, files[0]), 'utf8'));
  if (!('report' in parsed)) throw new Error(parsed.problem);
  return { name: files[0], report: parsed.report };
};

test('a run that publishes: outcome, counts, findings, details and a copy of its SARIF, named by action and step', async () => {
  env = actionEnv({}, { GITHUB_ACTION: 'validate', PLATFORM_ACTIONS_SHARD: '2' });
  const dir = join(env.dir, 'reports');
  process.env.PLATFORM_ACTIONS_REPORT_DIR = dir;
  addSecret('hunter2-secret');
  await captureStdout(() =>
    runAction({
      name: 'demo',
      main: async () => {
        const g = gate({ findings: [finding('high', 'bad value hunter2-secret'), finding('low', 'style')], failOn: 'high' });
        await publish({
          action: 'demo',
          title: 'Demo check',
          gate: g,
          details: 'scope: charts/a',
          sarif: { path: join(env.dir, 'demo.sarif'), runs: [{ tool: { name: 'demo' }, category: 'demo', findings: g.active }] },
        });
      },
    }),
  );
  const { name, report } = reportIn(dir);
  expect(name).toBe('demo-validate.json');
  expect(report).toMatchObject({
    action: 'demo',
    title: 'Demo check',
    shard: '2',
    outcome: 'policy-failure',
    counts: { high: 1, low: 1, total: 2 },
    failing: 1,
    details: 'scope: charts/a',
    sarif: 'demo-validate.sarif',
  });
  expect(report.findings.map((f) => f.message)).toEqual(['bad value ***', 'style']);
  expect(readFileSync(join(dir, name), 'utf8')).not.toContain('hunter2');
  expect(existsSync(join(dir, 'demo-validate.sarif'))).toBe(true);
  expect(report.durationMs).toBeGreaterThanOrEqual(0);
});

test('a run that ends in a configuration error still writes its report, with the failure line', async () => {
  env = actionEnv({}, { GITHUB_ACTION: 'scan' });
  process.env.PLATFORM_ACTIONS_REPORT_DIR = env.dir;
  await captureStdout(() =>
    runAction({
      name: 'demo',
      main: async () => {
        throw new InputError('fail-on', 'must be one of critical, high', 'hgh');
      },
    }),
  );
  expect(reportIn(env.dir).report).toMatchObject({ outcome: 'config-error', failure: 'demo: input "fail-on" must be one of critical, high; got "hgh"', counts: { total: 0 } });
});

test('without PLATFORM_ACTIONS_REPORT_DIR nothing is written', async () => {
  env = actionEnv();
  await captureStdout(() => runAction({ name: 'demo', main: async () => undefined }));
  expect(readdirSync(env.dir).filter((f) => f.endsWith('.json'))).toEqual([]);
});

test('parseRunReport: data, not trust — wrong shapes are problems, bad findings and file names are dropped', () => {
  expect(parseRunReport('x')).toEqual({ problem: 'is not JSON' });
  expect(parseRunReport('{"schema":"nope"}')).toEqual({ problem: 'is not a platform-actions/run-report@1 file' });
  const base = {
    schema: 'platform-actions/run-report@1',
    action: 'demo',
    outcome: 'clean',
    counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 },
    toolErrors: [],
    policyErrors: [],
    findings: [],
  };
  expect(parseRunReport(JSON.stringify({ ...base, outcome: 'fine' }))).toEqual({ problem: 'has an unknown outcome "fine"' });
  expect(parseRunReport(JSON.stringify({ ...base, action: '../x' }))).toEqual({ problem: 'has no valid action name' });
  const r = parseRunReport(JSON.stringify({ ...base, sarif: '../../etc/passwd', findings: [{ ruleId: 'x' }] }));
  expect(r).toMatchObject({ report: { findings: [], findingsOmitted: 1 } });
  expect('report' in r && r.report.sarif).toBeUndefined();
});

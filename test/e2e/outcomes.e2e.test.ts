// The outcome contract, action by action: each of clean, policy-failure, tool-error and config-error is
// reached through the real bundle and the local runner, and in every state the step's status, `outcome`
// and the counts agree. Tool errors are provoked the way they happen on runners: a tool killed by the
// out-of-memory killer (SIGKILL), a tool that hangs, an endpoint that refuses connections.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Postgres, startPostgres } from '../harness/services/postgres.js';
import { toolPath } from '../harness/tools.js';
import { runBundledAction, type RunBundledActionResult } from '../runner/runner.js';

jest.setTimeout(180_000);

const COUNTS = ['findings-count', 'critical-count', 'high-count', 'medium-count', 'low-count', 'info-count'];
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A folder of files (and an initial git commit, for actions that read history). */
function repo(files: Record<string, string>, opts: { git?: boolean } = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'pa-outcome-'));
  dirs.push(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, p)), { recursive: true });
    writeFileSync(join(d, p), text);
    if (p.endsWith('.sh')) chmodSync(join(d, p), 0o755);
  }
  if (opts.git) {
    const g = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...a], { cwd: d, stdio: 'ignore' });
    g('init', '-q', '-b', 'main');
    g('add', '-A');
    g('commit', '-qm', 'init');
  }
  return d;
}

/**
 * A stand-in for a tool on PATH that answers its version probe and then dies the way a tool dies when
 * the runner runs out of memory (SIGKILL), or hangs. Only the failure is simulated; versions are real.
 */
function brokenTool(name: string, version: string, how: 'oom' | 'hang'): string {
  const d = mkdtempSync(join(tmpdir(), `pa-broken-${name}-`));
  dirs.push(d);
  const body = how === 'oom' ? 'kill -9 $$' : 'exec sleep 600';
  writeFileSync(join(d, name), `#!/bin/sh\ncase "$1" in version|--version) echo "${version}"; exit 0;; esac\n${body}\n`);
  chmodSync(join(d, name), 0o755);
  return d;
}

function expectState(r: RunBundledActionResult, outcome: string, stepFails: boolean): void {
  expect(r.outputs.outcome).toBe(outcome);
  for (const c of COUNTS) expect(r.outputs[c]).toMatch(/^\d+$/);
  expect(r.main.exitCode).toBe(stepFails ? 1 : 0);
  // A failing step says why in an error line of its own, prefixed with the action's name.
  const errors = r.main.annotations.filter((a) => a.level === 'error' && !a.file);
  if (stepFails) expect(errors.length).toBeGreaterThan(0);
  expect(r.everything).not.toMatch(/internal error|Maximum call stack|\n\s+at .+:\d+:\d+\)?\n/);
}

const CHART = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': 'privileged: false\n',
  'charts/web/templates/deploy.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    '  labels: {app: web}',
    'spec:',
    '  replicas: 2',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}',
    '      containers:',
    '        - name: web',
    '          image: registry.example/web:1.0.0@sha256:' + 'a'.repeat(64),
    '          resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 100m, memory: 64Mi}}',
    '          readinessProbe: {httpGet: {path: /, port: 8080}}',
    '          livenessProbe: {httpGet: {path: /, port: 8080}}',
    '          securityContext:',
    '            privileged: {{ .Values.privileged }}',
    '            allowPrivilegeEscalation: false',
    '            readOnlyRootFilesystem: true',
    '            capabilities: {drop: [ALL]}',
    '',
  ].join('\n'),
};

describe('helm-validate', () => {
  const helm = () => dirname(toolPath('helm'));
  const run = (ws: string, inputs: Record<string, string> = {}, path = helm()) =>
    runBundledAction({ action: 'helm-validate', workspace: ws, inputs: { comment: 'false', 'values-files': '', ...inputs }, env: { PATH: `${path}:${process.env.PATH}` } });
  test('clean', async () => expectState(await run(repo(CHART), { 'fail-on': 'critical' }), 'clean', false));
  test('policy-failure', async () => {
    const r = await run(repo({ ...CHART, 'charts/web/values.yaml': 'privileged: true\n' }), { 'fail-on': 'high' });
    expectState(r, 'policy-failure', true);
    expect(Number(r.outputs['critical-count']) + Number(r.outputs['high-count'])).toBeGreaterThan(0);
  });
  test('tool-error: helm killed by the out-of-memory killer', async () => {
    const r = await run(repo(CHART), {}, brokenTool('helm', 'v3.18.6+g1234567', 'oom'));
    expectState(r, 'tool-error', true);
    expect(r.main.log).toMatch(/SIGKILL/);
  });
  test('tool-error: helm hangs past its timeout', async () => {
    const started = Date.now();
    const r = await run(repo(CHART), { timeout: '3s' }, brokenTool('helm', 'v3.18.6+g1234567', 'hang'));
    expectState(r, 'tool-error', true);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
  test('config-error', async () => expectState(await run(repo(CHART), { 'fail-on': 'hgh' }), 'config-error', true));
});

describe('gitleaks-scan', () => {
  const AWS_KEY = ['AKIA', 'Z7QW3RTY5UIO8PAS'].join(''); // assembled so this file holds no key
  const gl = () => dirname(toolPath('gitleaks'));
  const run = (ws: string, inputs: Record<string, string> = {}, path = gl()) =>
    runBundledAction({
      action: 'gitleaks-scan',
      workspace: ws,
      inputs: { comment: 'false', version: 'system', mode: 'full', ...inputs },
      env: { PATH: `${path}:${process.env.PATH}` },
    });
  test('clean', async () => expectState(await run(repo({ 'app.py': 'print("hello")\n' }, { git: true })), 'clean', false));
  test('policy-failure', async () => {
    const r = await run(repo({ 'config.py': `aws_access_key_id = "${AWS_KEY}"\naws_secret_access_key = "${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'}Zq8vTr3n"\n` }, { git: true }));
    expectState(r, 'policy-failure', true);
    expect(r.everything).not.toContain(AWS_KEY);
  });
  test('tool-error: gitleaks killed by the out-of-memory killer', async () => {
    const r = await run(repo({ 'app.py': 'x = 1\n' }, { git: true }), {}, brokenTool('gitleaks', '8.30.1', 'oom'));
    expectState(r, 'tool-error', true);
    expect(r.main.log).toMatch(/SIGKILL/);
  });
  test('config-error', async () => expectState(await run(repo({ 'a.txt': 'a\n' }, { git: true }), { mode: 'diff' }), 'config-error', true));
});

describe('tf-lock-check', () => {
  const s3 = (extra: string) => `terraform {\n  backend "s3" {\n    bucket = "tfstate"\n    key    = "envs/dev/terraform.tfstate"\n    region = "us-east-1"\n${extra}  }\n}\n`;
  const run = (ws: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) => runBundledAction({ action: 'tf-lock-check', workspace: ws, inputs, env });
  test('clean', async () => expectState(await run(repo({ 'infra/main.tf': s3('    use_lockfile = true\n    encrypt = true\n') })), 'clean', false));
  test('policy-failure: no locking at all', async () => {
    const r = await run(repo({ 'infra/main.tf': s3('    encrypt = true\n') }));
    expectState(r, 'policy-failure', true);
  });
  test('tool-error: the lock store refuses connections', async () => {
    const root = s3(
      '    use_lockfile = true\n    use_path_style = true\n    skip_credentials_validation = true\n    skip_requesting_account_id = true\n    endpoints = { s3 = "http://127.0.0.1:47" }\n',
    );
    const r = await run(
      repo({ 'infra/main.tf': root }),
      { command: 'status', 'working-directory': 'infra' },
      { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret-key' },
    );
    expectState(r, 'tool-error', true);
    expect(r.everything).not.toContain('test-secret-key');
  });
  test('config-error', async () => expectState(await run(repo({ 'infra/main.tf': s3('') }), { command: 'lnt' }), 'config-error', true));
});

describe('migration-test', () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());
  // The custom preset with plain scripts: the smallest migration tool there is.
  const scripts = (down: string) => ({
    'bin/up.sh': '#!/bin/sh\nexec psql -w -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "create table orders (id int primary key)"\n',
    'bin/down.sh': `#!/bin/sh\nexec psql -w -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "${down}"\n`,
    'bin/oom.sh': '#!/bin/sh\nkill -9 $$\n',
  });
  let n = 0;
  const run = async (ws: string, inputs: Record<string, string>) =>
    runBundledAction({ action: 'migration-test', workspace: ws, inputs: { tool: 'custom', 'database-url': await pg.createDatabase(`outcome_${++n}`), ...inputs } });
  test('clean', async () => expectState(await run(repo(scripts('drop table orders')), { 'up-command': 'bin/up.sh', 'down-command': 'bin/down.sh' }), 'clean', false));
  test('policy-failure: a downgrade that leaves its table behind', async () => {
    const r = await run(repo(scripts('select 1')), { 'up-command': 'bin/up.sh', 'down-command': 'bin/down.sh' });
    expectState(r, 'policy-failure', true);
  });
  test('tool-error: the migration tool is killed by the out-of-memory killer', async () => {
    const r = await run(repo(scripts('drop table orders')), { 'up-command': 'bin/oom.sh', 'down-command': 'bin/down.sh' });
    expectState(r, 'tool-error', true);
    expect(r.main.log).toMatch(/SIGKILL/);
  });
  test('config-error', async () =>
    expectState(await run(repo(scripts('x')), { 'up-command': 'bin/up.sh', 'down-command': 'bin/down.sh', mode: 'roundtrip' }), 'config-error', true));
});

describe('test-report', () => {
  const junit = (cases: string) => `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest">${cases}</testsuite></testsuites>`;
  const passing = '<testcase classname="tests.test_app" name="test_ok" time="0.01"/>';
  const failing = '<testcase classname="tests.test_app" name="test_bad" time="0.01"><failure message="assert 1 == 2">tests/test_app.py:5: AssertionError</failure></testcase>';
  const run = (ws: string, inputs: Record<string, string> = {}) =>
    runBundledAction({ action: 'test-report', workspace: ws, inputs: { comment: 'false', junit: 'reports/junit.xml', ...inputs } });
  test('clean', async () => expectState(await run(repo({ 'reports/junit.xml': junit(passing) })), 'clean', false));
  test('policy-failure: a failed test under the default min-pass-rate of 100 %', async () => {
    const r = await run(repo({ 'reports/junit.xml': junit(passing + failing), 'tests/test_app.py': '\n\n\n\nassert 1 == 2\n' }));
    expectState(r, 'policy-failure', true);
    expect(r.outputs['high-count']).toBe('1');
    expect(r.main.annotations).toContainEqual(expect.objectContaining({ level: 'error', file: 'tests/test_app.py', line: 5 }));
  });
  test('tool-error: the test runner was killed while writing its report', async () => {
    const r = await run(repo({ 'reports/junit.xml': junit(passing + failing).slice(0, 150) }));
    expectState(r, 'tool-error', true);
    expect(r.main.annotations.at(-1)?.message).toMatch(/ends before its last element is closed/);
    expect(r.outputs.tests).toBe('');
  });
  test('config-error', async () => expectState(await run(repo({ 'reports/junit.xml': junit(passing) }), { 'min-pass-rate': 'most' }), 'config-error', true));
});

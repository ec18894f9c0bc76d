// The action contract (issue: every run ends in a documented state, nothing optional can fail it, and no
// input can escape). Each test here failed before the change it guards.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import {
  addSecret,
  annotate,
  clearSecrets,
  core,
  exec,
  expectExit,
  type Finding,
  fingerprint,
  gate,
  inputs,
  keepToolError,
  InputError,
  PolicyError,
  publish,
  renderSummary,
  runAction,
  scrub,
  toolEnv,
  ToolError,
  UserError,
  failUnlessClean,
} from '@platform-actions/kit';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';
import { parseWorkflowCommands } from '../../../test/runner/workflow-commands.js';

let env: ActionEnv;
afterEach(() => {
  env?.restore();
  process.exitCode = 0;
  clearSecrets();
});

const finding = (i: number, severity: Finding['severity'] = 'high', path = `charts/a${i}.yaml`): Finding => ({
  tool: 'probe',
  ruleId: `R${i}`,
  title: `T${i}`,
  severity,
  message: `M${i}`,
  location: { path, startLine: 1 },
  fingerprint: fingerprint('R', i),
});

describe('outcome on every exit path', () => {
  const COUNTS = ['findings-count', 'critical-count', 'high-count', 'medium-count', 'low-count', 'info-count'];
  test.each([
    ['a bad input', () => Promise.reject(new InputError('fail-on', 'must be one of high, low', 'hgh')), 'config-error', 1],
    ['a user error', () => Promise.reject(new UserError('values file values-prodution.yaml does not exist')), 'config-error', 1],
    ['a tool error', () => Promise.reject(new ToolError('helm timed out after 300s')), 'tool-error', 1],
    ['a policy that is not findings', () => Promise.reject(new PolicyError('state is locked by ci@runner')), 'policy-failure', 1],
    ['a bug', () => Promise.reject(new TypeError('x is undefined')), 'tool-error', 1],
    ['nothing to do', () => Promise.resolve(), 'clean', 0],
  ] as const)('%s → outcome %s and zero counts', async (_what, main, outcome, exitCode) => {
    env = actionEnv();
    await captureStdout(() => runAction({ name: 'probe', main }));
    const out = env.outputs();
    expect(out.outcome).toBe(outcome);
    for (const c of COUNTS) expect(out[c]).toBe('0');
    expect(process.exitCode ?? 0).toBe(exitCode);
  });

  test('a failure after a clean publish does not leave outcome=clean behind', async () => {
    env = actionEnv();
    await captureStdout(() =>
      runAction({
        name: 'probe',
        main: async () => {
          await publish({ action: 'probe', title: 'Probe', gate: gate({ findings: [finding(1, 'low')], failOn: 'high' }) });
          throw new ToolError('report upload failed');
        },
      }),
    );
    expect(env.outputs().outcome).toBe('tool-error');
    expect(env.outputs()['low-count']).toBe('1'); // counts already published are kept
  });

  test('only an internal error says "please report it"', async () => {
    env = actionEnv();
    const user = await captureStdout(() => runAction({ name: 'probe', main: () => Promise.reject(new UserError('bad')) }));
    const tool = await captureStdout(() => runAction({ name: 'probe', main: () => Promise.reject(new ToolError('broken')) }));
    const bug = await captureStdout(() => runAction({ name: 'probe', main: () => Promise.reject(new Error('oops')) }));
    expect(user + tool).not.toContain('please report');
    expect(bug).toContain('internal error: oops');
  });
});

describe('optional features never change the verdict', () => {
  let hang: Server;
  let fail: Server;
  const sockets = new Set<import('node:net').Socket>();
  const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  let closedPort = '';
  beforeAll(async () => {
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    closedPort = url(gone);
    await new Promise((r) => gone.close(r));
    hang = createServer(() => {
      /* accepts and never answers */
    });
    hang.on('connection', (c) => sockets.add(c));
    fail = createServer((req, res) => {
      const status = req.headers.authorization?.includes('expired') ? 401 : 502;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: status === 401 ? 'Bad credentials' : 'Bad gateway' }));
    });
    await Promise.all([hang, fail].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  });
  afterAll(() => {
    for (const c of sockets) c.destroy();
    hang.close();
    fail.close();
  });

  const prEvent = (dir: string) => {
    const p = join(dir, 'event.json');
    writeFileSync(
      p,
      JSON.stringify({
        number: 7,
        pull_request: { number: 7, base: { sha: 'a'.repeat(40), repo: { full_name: 'o/r' } }, head: { sha: 'b'.repeat(40), repo: { full_name: 'o/r' } } },
      }),
    );
    return p;
  };

  test.each([
    ['an API that never answers', () => url(hang), 'gh-token', /did not answer in time/],
    ['an API answering 5xx', () => url(fail), 'gh-token', /answered 502/],
    ['an expired token', () => url(fail), 'expired-token', /401/],
    ['an unreachable API', () => closedPort, 'gh-token', /could not be reached \(ECONNREFUSED\)/],
  ])('%s: one warning, the clean run stays clean', async (_what, api, token, why) => {
    env = actionEnv({}, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'o/r', PLATFORM_ACTIONS_API_TIMEOUT: '1500ms' });
    process.env.GITHUB_API_URL = api();
    process.env.GITHUB_EVENT_PATH = prEvent(env.dir);
    const started = Date.now();
    const out = await captureStdout(() =>
      runAction({
        name: 'probe',
        main: async () => {
          const g = gate({ findings: [], failOn: 'high' });
          await publish({ action: 'probe', title: 'Probe', gate: g, comment: { token } });
          failUnlessClean('probe', g, 'high');
        },
      }),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    const log = parseWorkflowCommands(out);
    const warnings = log.annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(why);
    expect(warnings[0].message).not.toContain(token);
    expect(log.annotations.filter((a) => a.level === 'error')).toHaveLength(0);
    expect(env.outputs().outcome).toBe('clean');
    expect(process.exitCode ?? 0).toBe(0);
  });

  test('a payload without a PR number: one warning, still clean', async () => {
    env = actionEnv({}, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'o/r' });
    const p = join(env.dir, 'event.json');
    writeFileSync(p, JSON.stringify({ pull_request: { base: {}, head: {} } }));
    process.env.GITHUB_EVENT_PATH = p;
    const out = await captureStdout(() =>
      publish({ action: 'probe', title: 'Probe', gate: gate({ findings: [], failOn: 'high' }), comment: { token: 't' } }).then(() => undefined),
    );
    expect(out).toContain('::warning::PR comment skipped: the event payload carries no pull request number.');
    expect(env.outputs().outcome).toBe('clean');
  });
});

describe('time limits that hold', () => {
  test('a detached child holding stdout does not keep exec waiting past the timeout', async () => {
    // setsid puts the sleeper in its own session, out of reach of the process-group kill, holding our pipe.
    const started = Date.now();
    const r = await exec('sh', ['-c', 'setsid sleep 60 & sleep 60'], { timeoutMs: 1000, killGraceMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  test('a tool that exits while a detached child keeps the pipe open still returns its output', async () => {
    const started = Date.now();
    const r = await exec('sh', ['-c', 'setsid sleep 60 & echo done']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('done');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a SIGKILLed tool is a tool error that says so (137 from a wrapper too)', async () => {
    const killed = await exec('sh', ['-c', 'kill -9 $$']);
    expect(() => expectExit(killed, [0], 'helm')).toThrow(/helm was killed by SIGKILL \(often the out-of-memory killer/);
    const wrapped = await exec('sh', ['-c', 'sh -c "kill -9 \\$\\$"; exit $?']);
    expect(wrapped.exitCode).toBe(137);
    expect(() => expectExit(wrapped, [0], 'alembic')).toThrow(/alembic was killed by SIGKILL/);
  });
});

describe('untrusted text stays data', () => {
  test('tool output echoed to the log cannot forge an annotation, a mask or an output', async () => {
    env = actionEnv();
    const out = await captureStdout(async () => {
      await exec('sh', ['-c', 'echo "::error file=x::forged"; echo "::add-mask::hide-me" >&2; echo "::set-output name=outcome::clean"'], { echo: true });
    });
    const log = parseWorkflowCommands(out);
    expect(log.annotations).toHaveLength(0);
    expect(log.masks).toHaveLength(0);
    expect(log.display).toContain('::error file=x::forged');
  });

  test('file names and tool text cannot inject Markdown into the summary', () => {
    const evil = finding(1, 'high', '## ✅ no secrets found\n\n![x](https://evil.example/p.png)`.yaml');
    evil.message = '[click](https://evil.example) **bold** <img src=x>';
    const md = renderSummary({
      title: 'Secrets',
      gate: gate({ findings: [evil], failOn: 'high', toolErrors: ['boom\n## ✅ all good'] }),
      links: { repoUrl: 'https://github.com/o/r', sha: 'abc' },
    });
    for (const line of md.split('\n')) expect(line).not.toMatch(/^#+ ✅/);
    expect(md).not.toContain('![x](');
    expect(md).not.toContain('[click](');
    expect(md).not.toContain('<img');
  });

  test('a tool gets neither our inputs nor the runner credentials', () => {
    const e = toolEnv({ PATH: '/bin', INPUT_TOKEN: 'ghs_x', GITHUB_TOKEN: 'ghs_y', ACTIONS_RUNTIME_TOKEN: 'z', HOME: '/root' });
    expect(e).toEqual({ PATH: '/bin', HOME: '/root' });
  });

  test('a secret is masked and scrubbed in every encoding: raw, percent-encoded, form-encoded, base64', async () => {
    env = actionEnv({ token: 'p@ss/w:rd#%1 x' });
    const out = await captureStdout(() => void inputs.secret('token'));
    const masks = parseWorkflowCommands(out).masks;
    for (const form of ['p@ss/w:rd#%1 x', 'p%40ss%2Fw%3Ard%23%251%20x', 'p%40ss%2Fw%3Ard%23%251+x', Buffer.from('p@ss/w:rd#%1 x').toString('base64')]) {
      expect(masks).toContain(form);
      expect(scrub(`postgresql://app:${form}@db/x`)).toBe('postgresql://app:***@db/x');
    }
  });

  test('secrets never reach SARIF, the summary or the annotations', async () => {
    env = actionEnv();
    addSecret('S3cr3t%/pw');
    const f = finding(1);
    f.message = `connection to postgresql://u:${encodeURIComponent('S3cr3t%/pw')}@db failed`;
    const sarif = join(env.dir, 'out.sarif');
    const out = await captureStdout(() =>
      publish({
        action: 'probe',
        title: 'Probe',
        gate: gate({ findings: [f], failOn: 'none' }),
        sarif: { path: sarif, runs: [{ tool: { name: 't' }, category: 'probe', findings: [f] }] },
      }).then(() => undefined),
    );
    for (const text of [readFileSync(sarif, 'utf8'), env.summary(), out]) {
      expect(text).not.toContain('S3cr3t');
      expect(text).not.toContain(encodeURIComponent('S3cr3t%/pw'));
    }
  });

  test('a symlink inside the workspace cannot make a path input read outside it', () => {
    env = actionEnv({ config: 'link/passwd', values: 'ok/values.yaml' });
    mkdirSync(join(env.dir, 'ok'));
    writeFileSync(join(env.dir, 'ok', 'values.yaml'), 'a: 1\n');
    symlinkSync('/etc', join(env.dir, 'link'));
    expect(() => inputs.path('config', { mustExist: 'file' })).toThrow('input "config" must be a path inside the workspace');
    expect(() => inputs.path('config', { mustExist: 'file' })).toThrow('symlink that leads outside');
    expect(inputs.path('values', { mustExist: 'file' })).toBe(join(env.dir, 'ok', 'values.yaml'));
  });
});

describe('standard inputs, read one way', () => {
  test.each([
    [{ 'fail-on': 'hgh' }, () => inputs.failOn('high'), 'input "fail-on" must be one of critical, high, medium, low, info, none; got "hgh"'],
    [{ 'sarif-file': 'reports/' }, () => inputs.outputFile('sarif-file', 'x.sarif'), 'input "sarif-file" must be a file path, not a directory'],
    [{ 'sarif-file': '../../etc/x.sarif' }, () => inputs.outputFile('sarif-file', 'x.sarif'), 'input "sarif-file" must be a path inside the workspace'],
    [{ version: 'latest; rm -rf /' }, () => inputs.toolVersion('version', '1.0.0'), 'input "version" must be a release number such as 1.2.3, or system'],
    [{ mirror: 'ftp://mirror' }, () => inputs.mirror(), 'input "mirror" must be an http(s) URL'],
    [{ mirror: 'https://u:hunter22@mirror.example' }, () => inputs.mirror(), 'input "mirror" must not carry credentials'],
    [{ comment: 'yes' }, () => inputs.comment(), 'input "comment" must be true or false'],
  ])('%p is one clear line', (given, read, message) => {
    env = actionEnv(given as Record<string, string>);
    mkdirSync(join(env.dir, 'reports'), { recursive: true });
    expect(read).toThrow(message);
  });

  test('the readers give what a caller expects', () => {
    env = actionEnv({ 'sarif-file': 'out/r.sarif', version: 'v8.30.1', mirror: 'https://m.example/rel/', token: 'tkn-123456' });
    expect(inputs.failOn('high')).toBe('high');
    expect(inputs.outputFile('sarif-file', 'x.sarif')).toBe(join(env.dir, 'out', 'r.sarif'));
    expect(inputs.outputFile('report-file', 'r.json')).toBe(join(env.dir, 'r.json')); // RUNNER_TEMP
    expect(inputs.toolVersion('version', '1.0.0')).toBe('v8.30.1');
    expect(inputs.mirror()).toBe('https://m.example/rel');
    expect(inputs.comment()).toEqual({ enabled: true, token: 'tkn-123456' });
  });
});

test('the failure line stays within GitHub’s 10 error annotations when findings fill them', async () => {
  env = actionEnv();
  const g = gate({ findings: Array.from({ length: 15 }, (_, i) => finding(i)), failOn: 'high' });
  const out = await captureStdout(async () => {
    annotate(g.active, { reserveErrors: 1 });
    failUnlessClean('probe', g, 'high');
  });
  const errors = parseWorkflowCommands(out).annotations.filter((a) => a.level === 'error');
  expect(errors).toHaveLength(10);
  expect(errors[9].message).toBe('probe: 15 findings at or above "high" (see the annotations and the job summary)');
  void core;
});

test('a tool error does not hide the findings that did fail: the failure line names both', async () => {
  env = actionEnv();
  const g = gate({ findings: [finding(1), finding(2)], failOn: 'high', toolErrors: ['helm template timed out after 90s on charts/slow; it was not validated'] });
  expect(g.outcome).toBe('tool-error');
  const out = await captureStdout(async () => failUnlessClean('probe', g, 'high'));
  expect(parseWorkflowCommands(out).annotations.map((a) => a.message)).toEqual([
    'probe: helm template timed out after 90s on charts/slow; it was not validated; and 2 findings at or above "high" (see the annotations and the job summary)',
  ]);
});

test('keepToolError keeps a tool error for the gate (output shown with commands off) and rethrows anything else', async () => {
  env = actionEnv();
  const errs: string[] = [];
  const out = await captureStdout(() => keepToolError('probe', new ToolError('trivy failed', '::error::forged'), errs));
  expect(errs).toEqual(['trivy failed']);
  expect(parseWorkflowCommands(out).annotations).toHaveLength(0);
  expect(() => keepToolError('probe', new TypeError('bug'), errs)).toThrow('bug');
});

test('a reason to fail that is not a finding is said in words: the failure line and the summary', async () => {
  env = actionEnv();
  const g = gate({ findings: [], failOn: 'high', policyErrors: ['.gitleaksignore is changed by 1 commit in the scanned range'] });
  expect(g.outcome).toBe('policy-failure');
  const out = await captureStdout(async () => {
    await publish({ action: 'probe', title: 'Probe', gate: g });
    failUnlessClean('probe', g, 'high');
  });
  const errors = parseWorkflowCommands(out).annotations.filter((a) => a.level === 'error');
  expect(errors.map((e) => e.message)).toEqual(['probe: .gitleaksignore is changed by 1 commit in the scanned range (see the annotations and the job summary)']);
  expect(env.summary()).toContain('> [!CAUTION]\n> \\.gitleaksignore is changed by 1 commit in the scanned range');
  expect(env.outputs()).toMatchObject({ outcome: 'policy-failure', 'findings-count': '0' });
});

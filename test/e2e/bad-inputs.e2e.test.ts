// The bad-input corpus through the local runner and the real bundles (cases in bad-inputs.cases.ts).
// Each case: the step fails, exactly one error line names the input (or file) and what was expected, no
// stack trace, `outcome` says why, no report file written, nothing written inside or outside the
// workspace, nothing read from outside it (its content never printed), the token, the database and URL
// passwords never printed in any encoding — in the log, the outputs, the summary or the bodies sent to the
// (fake) GitHub API — and it ends within a bounded time. The CLI cases run the real executable.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as yaml from 'js-yaml';
import { runBundledAction } from '../runner/runner.js';
import { toolBin, toolPath } from '../harness/tools.js';
import { type FakeGitHub, startFakeGitHub } from '../harness/services/fake-github.js';
import { installTrivyDb } from '../harness/trivy-db.js';
import { actionCases, cliCases, CORPUS_PASSWORD, CORPUS_TOKEN, type CorpusCase, OUTSIDE_MARKER, payloadCases, standardCases, URL_PASSWORD } from './bad-inputs.cases.js';
import { cases as trivyCases } from '../../actions/trivy-scan/test/bad-inputs.cases.js';
import { cases as k8sCases } from '../../actions/k8s-deploy-rollback/test/bad-inputs.cases.js';
import { cases as cliUsageCases } from '../../packages/cli/test/bad-inputs.cases.js';

const ACTIONS = ['helm-validate', 'gitleaks-scan', 'tf-lock-check', 'migration-test', 'trivy-scan', 'k8s-deploy-rollback', 'test-report'] as const;
const VERSION_INPUT: Record<string, string | undefined> = { 'helm-validate': 'helm-version', 'gitleaks-scan': 'version', 'trivy-scan': 'version' };
const declared = (a: string) => new Set(Object.keys((yaml.load(readFileSync(join('actions', a, 'action.yml'), 'utf8')) as { inputs: object }).inputs));

// Standard-input cases need the action's required inputs to be valid, so only the bad one is reported.
const BASE: Record<string, Record<string, string>> = {
  'migration-test': { 'database-url': `postgresql://app:${encodeURIComponent(CORPUS_PASSWORD)}@127.0.0.1:9/app` },
  'k8s-deploy-rollback': { manifests: 'k8s' },
  'trivy-scan': { targets: 'fs:.' },
  'test-report': { junit: 'reports/junit.xml' },
};
const standard = ACTIONS.flatMap((a) => standardCases(a, declared(a), VERSION_INPUT[a]).map((c) => ({ ...c, inputs: { ...BASE[a], ...c.inputs } })));
const all: CorpusCase[] = [...actionCases, ...standard];

/** One workspace holding every file the cases name (a chart, a Terraform root, a git repository, traps). */
function makeWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'pa-corpus-'));
  const w = (p: string, text: string | Buffer) => {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), text);
  };
  w('README.md', '# corpus\n');
  w('charts/web/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
  w('charts/web/values.yaml', 'replicas: 1\n');
  w('charts/web/templates/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  replicas: "{{ .Values.replicas }}"\n');
  w('charts/linked/Chart.yaml', 'apiVersion: v2\nname: linked\nversion: 0.1.0\n');
  symlinkSync('/etc/hostname', join(ws, 'charts/linked/values-outside.yaml'));
  w('migrations/env.py', '# an Alembic env would live here\n');
  w('alembic.ini', '[alembic]\nscript_location = migrations\n');
  w('infra/main.tf', 'terraform {\n  backend "s3" {\n    bucket = "tfstate"\n    key = "envs/dev/terraform.tfstate"\n    region = "us-east-1"\n    use_lockfile = true\n  }\n}\n');
  w('k8s/web.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata: {}\n');
  mkdirSync(join(ws, 'reports'));
  symlinkSync('/etc', join(ws, 'link-out'));
  symlinkSync('/etc/passwd', join(ws, 'passwd-link'));
  symlinkSync(join(outside, 'no-such-report.sarif'), join(ws, 'dangling-out.sarif'));
  // A billion-laughs document: aliases that expand exponentially.
  const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++)
    lol.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  w('bomb.yaml', lol.join('\n') + '\n');
  w('latin1.yaml', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0xe8, 0xff, 0xfe, 0x0a]));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ws });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'add', 'README.md', 'charts', 'infra', 'k8s'], { cwd: ws });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'init'], { cwd: ws });
  return ws;
}

/** A repository of parser traps: 36 MB of HCL in one file, and 10,000 levels of nesting in another. */
function makeTraps(): string {
  const ws = mkdtempSync(join(tmpdir(), 'pa-corpus-traps-'));
  const w = (p: string, text: string) => {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), text);
  };
  const block = 'resource "null_resource" "r%" {\n  triggers = { a = "%" }\n}\n';
  const chunks: string[] = [];
  let size = 0;
  for (let i = 0; size < 36 * 1024 * 1024; i += 1) {
    const b = block.replace(/%/g, String(i));
    chunks.push(b);
    size += b.length;
  }
  w('huge/main.tf', chunks.join(''));
  w('deep/main.tf', `locals {\n  x = ${'['.repeat(10_000)}1${']'.repeat(10_000)}\n}\n`);
  return ws;
}

/**
 * A folder outside every workspace that links point at: files holding OUTSIDE_MARKER, a valid manifest, a
 * manifests folder, a kustomization, a chart and a gitleaks config — what a link would make us read,
 * print or apply.
 */
function makeOutside(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pa-corpus-outside-'));
  const w = (p: string, text: string) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\ndata:\n  secret: ${OUTSIDE_MARKER}\n`;
  w('secret.txt', `${OUTSIDE_MARKER}\nroot:x:0:0:${OUTSIDE_MARKER}\n`);
  w('manifest.yaml', cm);
  w('manifests/cm.yaml', cm);
  w('kustomize/kustomization.yaml', 'resources: [cm.yaml]\n');
  w('kustomize/cm.yaml', cm);
  w('chart/Chart.yaml', 'apiVersion: v2\nname: outside\nversion: 0.1.0\n');
  w('chart/templates/cm.yaml', cm);
  w('config.toml', `title = "${OUTSIDE_MARKER}"\n[[rules]]\nid = "${OUTSIDE_MARKER}"\nregex = '''${OUTSIDE_MARKER}'''\n`);
  return dir;
}

/** A TCP server that accepts every connection and never answers: a mirror, an API server that hangs. */
async function hangingServer(): Promise<{ address: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A folder with a `trivy` that is the real one, killed by SIGKILL 0.3 s into any command but --version. */
function trivyKilledDir(dir: string): string {
  const d = join(dir, 'trivy-killed');
  mkdirSync(d);
  const trivy = toolPath('trivy');
  writeFileSync(
    join(d, 'trivy'),
    // The kill lands while the wrapper still waits to start trivy: a warm offline scan of a small folder can
    // finish inside 0.3 s, and then nothing was killed.
    `#!/bin/sh\ncase "$1" in --version|version) exec ${JSON.stringify(trivy)} "$@";; esac\n(sleep 0.3; kill -KILL $$) &\nsleep 2\nexec ${JSON.stringify(trivy)} "$@"\n`,
  );
  chmodSync(join(d, 'trivy'), 0o755);
  return d;
}

/** The real kubectl, killed by SIGKILL (or stopped: it hangs) 0.3 s after it starts. */
function kubectlWrappers(dir: string): Record<string, string> {
  const kubectl = toolBin('kube', 'kubectl');
  const out: Record<string, string> = {};
  for (const [name, sig] of [
    ['kubectl-sigkill', 'KILL'],
    ['kubectl-stop', 'STOP'],
  ]) {
    const f = join(dir, name);
    writeFileSync(f, `#!/bin/sh\n(sleep 0.3; kill -${sig} $$) &\nexec ${JSON.stringify(kubectl)} "$@"\n`);
    chmodSync(f, 0o755);
    out[`{${name}}`] = f;
  }
  return out;
}

let ws: string;
let traps: string;
let outside: string;
let bin: string;
let PATH: string;
let gh: FakeGitHub;
let hang: Awaited<ReturnType<typeof hangingServer>>;
let hang2: Awaited<ReturnType<typeof hangingServer>>;
let placeholders: Record<string, string> = {};
let outsideBefore: string[] = [];
const listing = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String).sort() : []);
beforeAll(async () => {
  outside = makeOutside();
  outsideBefore = listing(outside);
  ws = makeWorkspace();
  traps = makeTraps();
  bin = mkdtempSync(join(tmpdir(), 'pa-corpus-bin-'));
  gh = await startFakeGitHub();
  hang = await hangingServer();
  hang2 = await hangingServer();
  const trivyCache = mkdtempSync(join(bin, 'trivy-cache-'));
  await installTrivyDb(trivyCache);
  // Real tools on PATH, so a case that gets past its inputs meets the real thing, never "not installed".
  PATH = [
    dirname(toolPath('helm')),
    dirname(toolPath('gitleaks')),
    dirname(toolPath('terraform')),
    dirname(toolPath('trivy')),
    dirname(toolBin('kube', 'kubectl')),
    process.env.PATH,
  ].join(':');
  placeholders = {
    '{outside}': outside,
    '{hang}': hang.address,
    '{hang2}': hang2.address,
    ...kubectlWrappers(bin),
    '{trivy-killed-dir}': trivyKilledDir(bin),
    '{trivy-cache}': trivyCache,
    '{PATH}': PATH,
  };
  rmSync('/tmp/pa-corpus-pwned', { force: true });
}, 120_000);
afterAll(async () => {
  await hang?.stop();
  await hang2?.stop();
  await gh?.stop();
  rmSync(ws, { recursive: true, force: true });
  rmSync(traps, { recursive: true, force: true });
  rmSync(bin, { recursive: true, force: true });
  // Nothing was written outside: the outside folder holds what it held.
  expect(listing(outside)).toEqual(outsideBefore);
  rmSync(outside, { recursive: true, force: true });
  // No case may have run a command it was handed.
  expect(existsSync('/tmp/pa-corpus-pwned')).toBe(false);
  // No secret, and nothing from outside the workspace, reached the GitHub API in any request body.
  expect(leaks(JSON.stringify(gh?.requests.map((r) => r.body) ?? []))).toEqual([]);
});

const fill = (v: string): string => Object.entries(placeholders).reduce((t, [k, x]) => t.split(k).join(x), v);
const fillAll = (o: Record<string, string> = {}): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fill(v)]));

/** A workspace of the case's own: its files and links, committed to a git repository. */
function caseWorkspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pa-corpus-case-'));
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    if (v.startsWith('link:')) symlinkSync(fill(v.slice(5)), join(dir, p));
    else writeFileSync(join(dir, p), fill(v));
  }
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'init', '--allow-empty'], { cwd: dir });
  return dir;
}

/** A pull request event, so a run that gets as far as reporting posts its comment (to the fake API). */
const PR_EVENT = {
  name: 'pull_request',
  payload: {
    number: 7,
    pull_request: {
      number: 7,
      head: { sha: 'a'.repeat(40), ref: 'feature', repo: { full_name: 'acme/example', fork: false } },
      base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: 'acme/example' } },
    },
    repository: { full_name: 'acme/example' },
  },
};

async function runCase(c: CorpusCase) {
  const dir = c.files ? caseWorkspace(c.files) : c.workspace === 'traps' ? traps : ws;
  const before = listing(dir);
  const inputs = fillAll(c.inputs);
  if (declared(c.action).has('token')) inputs.token ??= CORPUS_TOKEN;
  // Runs that reach the reporters post a PR comment to the fake API, whose bodies are checked for leaks.
  const event = c.event ?? ((c.outcome ?? 'config-error') !== 'config-error' && c.action !== 'gitleaks-scan' ? PR_EVENT : undefined);
  const env = { PATH, GITHUB_API_URL: gh.url, ...fillAll(c.env) };
  const r = await runBundledAction({ action: c.action, workspace: dir, inputs, env, event, timeoutMs: 60_000 });
  return { r, before, dir };
}

/** Every form of every secret, and of the outside content: raw, percent-encoded, base64. */
function leaks(text: string): string[] {
  const secrets = [CORPUS_TOKEN, CORPUS_PASSWORD, URL_PASSWORD, OUTSIDE_MARKER, 'not-a-real-token-0123456789'];
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
  return [...new Set(forms)].filter((f) => text.includes(f));
}

const cli = resolve('node_modules', '.bin', 'platform-actions');

/** Runs the real `platform-actions` executable; never hangs the test (killed at 60 s). */
function runCli(argv: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cli, argv, { cwd, env: { ...process.env, PATH, NO_COLOR: '1', GITHUB_API_URL: gh.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: String(e), ms: Date.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('the bad-input corpus', () => {
  test('has at least 300 cases across the six actions and the CLI, every boundary class among them', () => {
    const total = all.length + trivyCases.length + k8sCases.length + payloadCases.length + cliCases.length + cliUsageCases.length;
    expect(total).toBeGreaterThanOrEqual(300);
    for (const a of ACTIONS)
      expect(
        [...all, ...trivyCases.map((c) => ({ ...c, action: 'trivy-scan' })), ...k8sCases.map((c) => ({ ...c, action: 'k8s-deploy-rollback' }))].some((c) => c.action === a),
      ).toBe(true);
    const names = [...all.map((c) => `${c.action}: ${c.name}`), ...cliCases.map((c) => `cli: ${c.name}`)].join('\n');
    for (const cls of [
      /links? outside/,
      /dangling symlink/,
      /YAML alias bomb/,
      /nested 10,000 deep/,
      /recursive alias/,
      /unencoded password/,
      /carrying a password/,
      /never answers/,
      /SIGKILL/,
      /hangs/,
    ])
      expect(names).toMatch(cls);
  });

  test.concurrent.each(all.map((c) => [`${c.action}: ${c.name}`, c] as const))('%s', async (_name, c) => {
    const { r, before, dir } = await runCase(c);
    const errors = r.main.annotations.filter((a) => a.level === 'error');
    expect(r.main.exitCode).toBe(1);
    expect(errors.map((e) => e.message)).toHaveLength(1);
    expect(errors[0].message.startsWith(`${c.action}: `)).toBe(true);
    expect(errors[0].message).toMatch(c.expect);
    if (c.expectLog) expect(r.main.log).toMatch(c.expectLog);
    expect(r.outputs.outcome).toBe(c.outcome ?? 'config-error');
    expect(r.everything).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(r.everything).not.toMatch(/Maximum call stack|internal error/);
    expect(leaks(r.everything)).toEqual([]);
    expect(r.main.durationMs).toBeLessThan(c.maxMs ?? 20_000);
    // Nothing written: no report in RUNNER_TEMP, the workspace as it was.
    if ((c.outcome ?? 'config-error') === 'config-error') expect(listing(r.dirs.runnerTemp).filter((f) => /\.(sarif|json)$/.test(f))).toEqual([]);
    expect(listing(dir)).toEqual(before);
    rmSync(r.dirs.temp, { recursive: true, force: true });
    if (c.files) rmSync(dir, { recursive: true, force: true });
  });

  test.concurrent.each(payloadCases.map((c) => [c.name, c] as const))('gitleaks-scan: %s never runs anything and never crashes', async (_name, c) => {
    const r = await runBundledAction({
      action: 'gitleaks-scan',
      workspace: ws,
      inputs: { version: 'system', token: CORPUS_TOKEN, comment: 'false' },
      env: { PATH },
      event: c.event,
      timeoutMs: 60_000,
    });
    expect(existsSync('/tmp/pa-corpus-pwned')).toBe(false);
    expect(r.everything).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)?\n/);
    expect(['clean', 'policy-failure', 'tool-error', 'config-error']).toContain(r.outputs.outcome);
    expect(leaks(r.everything)).toEqual([]);
    rmSync(r.dirs.temp, { recursive: true, force: true });
  });

  test.concurrent.each(cliCases.map((c) => [c.name, c] as const))('cli: %s', async (_name, c) => {
    const repo = caseWorkspace(c.files);
    const report = join(mkdtempSync(join(tmpdir(), 'pa-corpus-json-')), 'report.json');
    const before = listing(repo);
    const r = await runCli(
      c.argv.map((a) => a.replace('{repo}', repo).replace('{json}', report)),
      repo,
    );
    const json = existsSync(report) ? readFileSync(report, 'utf8') : '';
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(c.maxMs ?? 20_000);
    if (c.kind === 'usage') {
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(c.expect);
    } else {
      expect(r.stdout).toMatch(c.expect);
      expect(json).not.toBe('');
    }
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n|internal error|Maximum call stack/);
    expect(leaks(`${r.stdout}\n${r.stderr}\n${json}`)).toEqual([]);
    expect(listing(repo)).toEqual(before);
    rmSync(repo, { recursive: true, force: true });
    rmSync(dirname(report), { recursive: true, force: true });
  });
});

// The bad-input corpus through the local runner and the real bundles (cases in bad-inputs.cases.ts).
// Each case: the step fails, exactly one error line names the input (or file) and what was expected, no
// stack trace, `outcome` says why, no report file written, the token and the database password never
// printed (in any encoding), and it ends within a bounded time.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as yaml from 'js-yaml';
import { runAction } from '../runner/runner.js';
import { toolPath } from '../harness/tools.js';
import { actionCases, CORPUS_PASSWORD, CORPUS_TOKEN, type CorpusCase, payloadCases, standardCases } from './bad-inputs.cases.js';
import { cases as trivyCases } from '../../actions/trivy-scan/test/bad-inputs.cases.js';
import { cases as k8sCases } from '../../actions/k8s-deploy-rollback/test/bad-inputs.cases.js';

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

let ws: string;
let traps: string;
let PATH: string;
const listing = (d: string): string[] => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String).sort() : []);
beforeAll(() => {
  ws = makeWorkspace();
  traps = makeTraps();
  // Real tools on PATH, so a case that gets past its inputs meets the real thing, never "not installed".
  PATH = [dirname(toolPath('helm')), dirname(toolPath('gitleaks')), dirname(toolPath('terraform')), process.env.PATH].join(':');
  rmSync('/tmp/pa-corpus-pwned', { force: true });
}, 120_000);
afterAll(() => {
  rmSync(ws, { recursive: true, force: true });
  rmSync(traps, { recursive: true, force: true });
  // No case may have run a command it was handed.
  expect(existsSync('/tmp/pa-corpus-pwned')).toBe(false);
});

async function runCase(c: CorpusCase) {
  const dir = c.workspace === 'traps' ? traps : ws;
  const before = listing(dir);
  const inputs = { ...c.inputs };
  if (declared(c.action).has('token')) inputs.token ??= CORPUS_TOKEN;
  const r = await runAction({ action: c.action, workspace: dir, inputs, env: { PATH, ...c.env }, event: c.event, timeoutMs: 60_000 });
  return { r, before, dir };
}

function leaks(text: string): string[] {
  const forms = [CORPUS_TOKEN, CORPUS_PASSWORD, encodeURIComponent(CORPUS_PASSWORD), Buffer.from(CORPUS_PASSWORD).toString('base64'), Buffer.from(CORPUS_TOKEN).toString('base64')];
  return forms.filter((f) => text.includes(f));
}

describe('the bad-input corpus', () => {
  test('has at least 150 cases across the six actions', () => {
    const total = all.length + trivyCases.length + k8sCases.length + payloadCases.length;
    expect(total).toBeGreaterThanOrEqual(150);
    for (const a of ACTIONS)
      expect(
        [...all, ...trivyCases.map((c) => ({ ...c, action: 'trivy-scan' })), ...k8sCases.map((c) => ({ ...c, action: 'k8s-deploy-rollback' }))].some((c) => c.action === a),
      ).toBe(true);
  });

  test.concurrent.each(all.map((c) => [`${c.action}: ${c.name}`, c] as const))('%s', async (_name, c) => {
    const { r, before, dir } = await runCase(c);
    const errors = r.main.annotations.filter((a) => a.level === 'error');
    expect(r.main.exitCode).toBe(1);
    expect(errors.map((e) => e.message)).toHaveLength(1);
    expect(errors[0].message.startsWith(`${c.action}: `)).toBe(true);
    expect(errors[0].message).toMatch(c.expect);
    expect(r.outputs.outcome).toBe(c.outcome ?? 'config-error');
    expect(r.everything).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(r.everything).not.toMatch(/Maximum call stack|internal error/);
    expect(leaks(r.everything)).toEqual([]);
    expect(r.main.durationMs).toBeLessThan(c.maxMs ?? 20_000);
    // Nothing written: no report in RUNNER_TEMP, the workspace as it was.
    if ((c.outcome ?? 'config-error') === 'config-error') expect(listing(r.dirs.runnerTemp).filter((f) => /\.(sarif|json)$/.test(f))).toEqual([]);
    expect(listing(dir)).toEqual(before);
    rmSync(r.dirs.temp, { recursive: true, force: true });
  });

  test.concurrent.each(payloadCases.map((c) => [c.name, c] as const))('gitleaks-scan: %s never runs anything and never crashes', async (_name, c) => {
    const r = await runAction({
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
});

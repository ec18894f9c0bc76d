// The small provisioned tools are real: each reports its pinned version and does its job on input
// written at test time. Provision first: bash test/harness/provision.sh gitleaks kubeconform actionlint zizmor squawk helm node24
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedVersion, toolBin } from '../tools.js';

jest.setTimeout(120_000);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
/** Run a binary with an argv array; a non-zero exit is a result, not an exception. */
function run(bin: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

let tmp: string;
beforeAll(async () => void (tmp = await mkdtemp(join(tmpdir(), 'tools-smoke-'))));
afterAll(async () => rm(tmp, { recursive: true, force: true }));

describe('gitleaks', () => {
  it('reports its pinned version', async () => {
    // The official release prints 8.30.1, our Go proxy build v8.30.1 (provision/gitleaks.sh).
    expect((await run(toolBin('gitleaks'), ['version'])).stdout.trim()).toMatch(new RegExp(`^v?${pinnedVersion('gitleaks').replace(/\./g, '\\.')}$`));
  });

  it('finds an AWS access key planted in a temporary git repository', async () => {
    // Generated now, never a literal in the repo: AKIA + 16 distinct base32 characters (high entropy,
    // and cannot spell gitleaks' EXAMPLE allowlist).
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'];
    for (let i = alphabet.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [alphabet[i], alphabet[j]] = [alphabet[j], alphabet[i]];
    }
    const key = 'AKIA' + alphabet.slice(0, 16).join('');
    const repo = join(tmp, 'leaky');
    const git = (...args: string[]): Promise<Result> =>
      run('git', ['-c', 'user.name=Smoke', '-c', 'user.email=smoke@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo });
    await mkdir(repo);
    await git('init', '-q');
    await writeFile(join(repo, 'README.md'), 'nothing here\n');
    await git('add', '.');
    await git('commit', '-qm', 'clean');
    const clean = await run(toolBin('gitleaks'), ['git', repo, '--no-banner', '--exit-code', '2', '-f', 'json', '-r', '-']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual([]);

    await writeFile(join(repo, 'deploy.ini'), `[default]\naws_access_key_id = ${key}\n`);
    await git('add', '.');
    await git('commit', '-qm', 'add deploy config');
    const head = (await git('rev-parse', 'HEAD')).stdout.trim();
    const res = await run(toolBin('gitleaks'), ['git', repo, '--no-banner', '--exit-code', '2', '-f', 'json', '-r', '-']);
    expect(res.code).toBe(2);
    const findings = JSON.parse(res.stdout) as Array<Record<string, unknown>>;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ RuleID: 'aws-access-token', Secret: key, File: 'deploy.ini', StartLine: 2, Commit: head });
  });
});

describe('kubeconform', () => {
  it('reports its pinned version', async () => {
    expect((await run(toolBin('kubeconform'), ['-v'])).stdout.trim()).toBe(`v${pinnedVersion('kubeconform')}`);
  });

  it('flags an unknown field under -strict using a local schema', async () => {
    // kubeconform picks the "-strict" schema variant under -strict (StrictSuffix); we write both.
    const schemas = join(tmp, 'schemas');
    await mkdir(schemas);
    const schema = (strict: boolean): string =>
      JSON.stringify({
        type: 'object',
        required: ['apiVersion', 'kind', 'metadata'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object', properties: { name: { type: 'string' } } },
          data: { type: 'object', additionalProperties: { type: 'string' } },
        },
        additionalProperties: !strict,
      });
    await writeFile(join(schemas, 'configmap.json'), schema(false));
    await writeFile(join(schemas, 'configmap-strict.json'), schema(true));
    const manifest = join(tmp, 'cm.yaml');
    await writeFile(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "1"\ndatta:\n  typo: "2"\n');
    const args = ['-schema-location', `${schemas}/{{ .ResourceKind }}{{ .StrictSuffix }}.json`, '-output', 'json'];

    const lax = await run(toolBin('kubeconform'), [...args, '-summary', manifest]);
    expect(lax.code).toBe(0);
    expect(JSON.parse(lax.stdout).summary).toMatchObject({ valid: 1, invalid: 0, errors: 0 });

    const strict = await run(toolBin('kubeconform'), [...args, '-strict', manifest]);
    expect(strict.code).toBe(1);
    const [r] = JSON.parse(strict.stdout).resources as Array<{ kind: string; status: string; msg: string }>;
    expect(r).toMatchObject({ kind: 'ConfigMap', status: 'statusInvalid' });
    expect(r.msg).toMatch(/datta/);
  });
});

describe('actionlint', () => {
  it('reports its pinned version and finds a missing runs-on', async () => {
    const v = await run(toolBin('actionlint'), ['-version']);
    expect(v.stdout.split('\n')[0]).toBe(pinnedVersion('actionlint'));
    const wf = join(tmp, 'bad.yml');
    await writeFile(wf, 'on: push\njobs:\n  build:\n    steps:\n      - run: echo hi\n');
    const res = await run(toolBin('actionlint'), ['-format', '{{json .}}', wf]);
    expect(res.code).toBe(1);
    const errs = JSON.parse(res.stdout) as Array<{ message: string; kind: string; line: number }>;
    expect(errs.some((e) => /"runs-on" section is missing/.test(e.message) && e.line === 3)).toBe(true);
  });
});

describe('zizmor', () => {
  it('reports its pinned version and finds a template injection offline', async () => {
    expect((await run(toolBin('zizmor'), ['--version'])).stdout.trim()).toBe(`zizmor ${pinnedVersion('zizmor')}`);
    const wf = join(tmp, 'inject.yml');
    await writeFile(wf, 'name: t\non: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n');
    const res = await run(toolBin('zizmor'), ['--offline', '--format', 'json', wf]);
    expect(res.code).not.toBe(0); // zizmor exits non-zero (11-14 by severity) when it has findings
    const idents = (JSON.parse(res.stdout) as Array<{ ident: string }>).map((f) => f.ident);
    expect(idents).toContain('template-injection');
  });
});

describe('squawk', () => {
  it('reports its pinned version and flags a blocking index build', async () => {
    expect((await run(toolBin('squawk'), ['--version'])).stdout.trim()).toBe(`squawk ${pinnedVersion('squawk')}`);
    const sql = join(tmp, '001_index.sql');
    await writeFile(sql, 'CREATE INDEX idx_orders_customer ON orders (customer_id);\n');
    const res = await run(toolBin('squawk'), ['--reporter', 'json', sql]);
    expect(res.code).toBe(1);
    const rules = (JSON.parse(res.stdout) as Array<{ rule_name: string }>).map((f) => f.rule_name);
    expect(rules).toContain('require-concurrent-index-creation');
    // the safe form of the same migration is clean
    await writeFile(sql, "SET lock_timeout = '2s';\nSET statement_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx ON orders (customer_id);\n");
    const ok = await run(toolBin('squawk'), ['--reporter', 'json', sql]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([]);
  });
});

describe.each([
  ['helm', 4],
  ['helm3', 3],
])('%s', (tool, major) => {
  it(`is helm v${major} at its pin, renders a chart, and ships a kubectl`, async () => {
    const helm = toolBin(tool, 'helm');
    const env = { HELM_CACHE_HOME: join(tmp, tool, 'cache'), HELM_CONFIG_HOME: join(tmp, tool, 'config'), HELM_DATA_HOME: join(tmp, tool, 'data') };
    const v = await run(helm, ['version', '--template', '{{.Version}}'], { env });
    expect(v.stdout).toBe(`v${pinnedVersion(tool)}`);
    expect(v.stdout.startsWith(`v${major}.`)).toBe(true);
    await mkdir(join(tmp, tool), { recursive: true }); // helm create needs the parent folder
    expect((await run(helm, ['create', join(tmp, tool, 'demo')], { env })).code).toBe(0);
    const out = await run(helm, ['template', 'rel', join(tmp, tool, 'demo'), '--set', 'replicaCount=3'], { env });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/kind: Deployment/);
    expect(out.stdout).toMatch(/replicas: 3/);
    const kc = await run(toolBin(tool, 'kubectl'), ['version', '--client', '-o', 'json']);
    expect(JSON.parse(kc.stdout).clientVersion.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
  });
});

describe('node24', () => {
  it('is Node 24 at its pin and runs an ES module', async () => {
    const node = toolBin('node24', 'node');
    expect((await run(node, ['--version'])).stdout.trim()).toBe(`v${pinnedVersion('node24')}`);
    const mod = join(tmp, 'm.mjs');
    await writeFile(mod, 'const { major } = await import("node:process").then((p) => ({ major: p.versions.node.split(".")[0] }));\nconsole.log(major);\n');
    expect((await run(node, [mod])).stdout.trim()).toBe('24');
  });
});

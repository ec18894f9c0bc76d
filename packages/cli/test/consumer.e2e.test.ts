// The CLI as a user gets it: `npm pack` of packages/cli, installed into a consumer repository made here in
// a temp folder that has never seen this checkout (npm install -D, and -g into a prefix), run from a
// subfolder, and through the three hooks — plain git, lefthook (from npm) and pre-commit (from PyPI) —
// on real `git push`es to a local bare remote. The consumer's workflow calls our security-scan.yml next to
// someone else's same-named workflow and action, which are listed as not ours and never run. A planted
// token on a new branch is stopped while main is clean. Real trivy, gitleaks, git and bundles under the
// harness's Node 24. The only fake is a release download host for the installer (no internet here).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../../../test/harness/tools.js';
import { installTrivyDb } from '../../../test/harness/trivy-db.js';
import type { JsonReport } from '../src/report.js';
import { cliVersion, freshBundle, git, node24, root } from './helpers.js';

/** The package's version as a regular expression (what --version and the pin note print). */
const VERSION = cliVersion.replace(/\./g, '\\.');

const OTHER_SHA = '0123456789abcdef0123456789abcdef01234567';
// A GitHub personal access token's shape (not a real one): both gitleaks and trivy know it.
const TOKEN = `ghp_${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'}`;

const WORKFLOW = `name: ci
on: [push, pull_request]
jobs:
  security:
    permissions:
      contents: read
      pull-requests: write
      security-events: write
      actions: read
    uses: acme/platform-actions/.github/workflows/security-scan.yml@${OTHER_SHA} # v1.0.0
    with:
      scan-path: app
  # Someone else's workflow and action with our names: not ours, never run.
  theirs:
    uses: some-org/ops-actions/.github/workflows/security-scan.yml@main
  lib:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: other-org/lib/actions/gitleaks-scan@v2
        with:
          severity: high
`;

let work: string;
let consumer: string;
let remote: string;
let tarball: string;
let env: NodeJS.ProcessEnv;
let trivyCache: string;

const run = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(cmd, args, { cwd: opts.cwd ?? consumer, env: opts.env ?? env, encoding: 'utf8', timeout: 240_000 });
const ok = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};
const commit = (message: string, files: Record<string, string>) => {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(consumer, p)), { recursive: true });
    writeFileSync(join(consumer, p), text);
  }
  git(consumer, 'add', '-A');
  git(consumer, 'commit', '-q', '-m', message);
};
/** Like run, without blocking this process (the fake download host below answers from it). */
const runAsync = (cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: consumer, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', rej);
    child.on('close', (status) => res({ status, stdout, stderr }));
  });
const lastLine = (s: string) => s.trimEnd().split('\n').at(-1) ?? '';
const push = (...args: string[]) => run('git', ['push', ...args]);

beforeAll(async () => {
  for (const a of ['gitleaks-scan', 'trivy-scan']) freshBundle(a);
  work = mkdtempSync(join(tmpdir(), 'pa-consumer-'));
  tarball = execFileSync('node', [join(root, 'scripts', 'pack-cli.mjs'), 'pack', join(work, 'pack')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  trivyCache = join(work, 'trivy-cache');
  await installTrivyDb(trivyCache);
  consumer = join(work, 'consumer');
  remote = join(work, 'remote.git');
  mkdirSync(consumer);
  // The consumer's machine: Node 24, git, gitleaks and trivy on PATH; its own tool cache and git identity.
  env = {
    // System folders last, for git, npm and tar (npm's `#!/usr/bin/env node` finds Node 24 first).
    PATH: [dirname(node24()), dirname(toolBin('gitleaks')), dirname(toolBin('trivy')), dirname(toolBin('lefthook')), dirname(toolBin('pre-commit')), '/usr/bin', '/bin'].join(':'),
    HOME: process.env.HOME,
    XDG_CACHE_HOME: join(work, 'cache'),
    PRE_COMMIT_HOME: join(work, 'pre-commit-home'),
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'Dev',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
  };
  git(consumer, 'init', '-q');
  ok('npm', ['init', '-y']);
  ok('npm', ['install', '-D', '--no-audit', '--no-fund', tarball]);
  commit('initial', {
    '.github/workflows/ci.yml': WORKFLOW,
    'app/main.py': 'print("hello")\n',
    '.gitignore': 'node_modules/\n',
    // What trivy needs here (a pre-filled database, no download), as a team would write it down once.
    '.platform-actions.yml': `inputs:\n  trivy-scan.cache-dir: ${trivyCache}\n  trivy-scan.skip-db-update: 'true'\n`,
  });
  execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', remote]);
  git(consumer, 'remote', 'add', 'origin', remote);
}, 600_000);

afterAll(() => {
  // Nothing to stop: every process this file starts has ended.
});

describe('the packed package', () => {
  it('carries the bundles, action.yml files and reusable workflows it runs, and no sources or dependencies', () => {
    const files = ok('tar', ['tzf', tarball]).split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/lib/index.js',
        'package/build-info.json',
        'package/dist/gitleaks-scan/index.js',
        'package/actions/trivy-scan/action.yml',
        'package/workflows/security-scan.yml',
      ]),
    );
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/') || f.includes('node_modules'))).toEqual([]);
    const pkg = JSON.parse(ok('tar', ['xzf', tarball, '-O', 'package/package.json']));
    expect([pkg.dependencies, pkg.engines.node]).toEqual([undefined, '>=22']);
  });

  it('installed into the consumer, --version says the version and the commit it was packed from', () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    expect(ok('npx', ['platform-actions', '--version'])).toMatch(new RegExp(`^platform-actions ${VERSION} \\(built from commit ${head}(, with uncommitted changes)?\\)\\n$`));
    // Bare: usage on stderr, exit 2.
    const bare = run('npx', ['platform-actions']);
    expect([bare.status, bare.stdout, bare.stderr]).toEqual([2, '', expect.stringMatching(/^usage: platform-actions <command>/)]);
  });

  it('installed globally (npm install -g), it runs from PATH', () => {
    const prefix = join(work, 'global');
    ok('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, tarball]);
    const r = run(join(prefix, 'bin', 'platform-actions'), ['check', '--list']);
    expect([r.status, r.stdout.split('\n').filter((l) => l.includes('trivy-scan\t'))]).toEqual([
      0,
      [
        'trivy/trivy-scan\ttrivy-scan\tplatform-actions/.github/workflows/security-scan.yml › trivy',
        'trivy-folder/trivy-scan\ttrivy-scan\tplatform-actions/.github/workflows/security-scan.yml › trivy-folder',
      ],
    ]);
  });

  it('runs on the oldest Node it declares (22): the CLI and the bundles it starts', () => {
    const node22 = { ...env, PATH: [dirname(toolBin('node22', 'node')), env.PATH].join(':') };
    expect(ok('node', ['--version'], { env: node22 })).toMatch(/^v22\./);
    const r = run('npx', ['platform-actions', 'check', '--only', 'gitleaks-scan'], { env: node22 });
    expect([r.status, r.stderr, r.stdout]).toEqual([0, '', expect.stringMatching(/✔ \[1\/1\] gitleaks-scan {2}clean/)]);
  }, 120_000);

  it('the Node running this test (20 on this machine) gets one line naming the Node it needs, or runs when it is 22+', () => {
    const r = run(process.execPath, [join(consumer, 'node_modules', '@platform-actions', 'cli', 'bin', 'platform-actions.js'), '--version']);
    const supported = Number(process.versions.node.split('.')[0]) >= 22;
    expect([r.status, r.stderr]).toEqual(
      supported ? [0, ''] : [2, `platform-actions: needs Node.js >=22 (this is ${process.version}); install a newer Node.js and run it again\n`],
    );
  });
});

describe('check in the consumer repository', () => {
  it('from a subfolder: our two checks (trivy-folder from scan-path, no --input; gitleaks), theirs listed once as not ours, the pin said in one line', () => {
    const json = join(work, 'check.json');
    const r = run('npx', ['platform-actions', 'check', '--json', json], { cwd: join(consumer, 'app') });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
    // security-scan.yml's fan-out: the plan computed here (no image-refs: no image shard), the scan-path's
    // folder scan, the verdict not a check here, gitleaks beside them.
    expect(report.stages.map((s) => [s.name, s.outcome, s.findingsCount])).toEqual([
      ['plan', 'skipped', 0],
      ['trivy/trivy-scan', 'skipped', 0],
      ['trivy-folder/trivy-scan', 'clean', 0],
      ['verdict', 'skipped', 0],
      ['gitleaks-scan', 'clean', 0],
    ]);
    expect(report.stages[2].outputs).toMatchObject({ outcome: 'clean' });
    // In the order the workflow reads: ours' own uses (inside security-scan.yml), then the other jobs'.
    expect(report.notOurs.map((n) => n.uses)).toEqual([
      'actions/checkout',
      'actions/cache/restore',
      'actions/upload-artifact',
      'actions/download-artifact',
      'github/codeql-action/upload-sarif',
      'actions/cache/save',
      'some-org/ops-actions/.github/workflows/security-scan.yml',
      'other-org/lib/actions/gitleaks-scan',
    ]);
    expect(report.notes).toEqual([
      expect.stringMatching(
        new RegExp(`^checks run with platform-actions ${VERSION} \\(commit [0-9a-f]{12}\\); your workflow pins ${OTHER_SHA} \\(\\.github/workflows/ci\\.yml › security\\)$`),
      ),
    ]);
    expect(r.stdout.split('\n')[0]).toBe(`note: ${report.notes[0]}`);
    expect(r.stdout).toContain(
      'Not ours, not run: actions/checkout, actions/cache/restore, actions/upload-artifact, actions/download-artifact, github/codeql-action/upload-sarif, actions/cache/save, some-org/ops-actions/.github/workflows/security-scan.yml, other-org/lib/actions/gitleaks-scan\n',
    );
  }, 240_000);

  it('offline, a tool that is neither on PATH nor cached is one line saying which tool to put on PATH', () => {
    const noTrivy = { ...env, PATH: [dirname(node24()), '/usr/bin', '/bin'].join(':') };
    // A download host that does not answer (a closed port): the same as no network.
    const r = run('npx', ['platform-actions', 'check', '--only', 'trivy-scan', '--input', 'trivy-scan.mirror=http://127.0.0.1:9'], { env: noTrivy });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(
      `  trivy-folder/trivy-scan: trivy is not on PATH and 127.0.0.1:9 cannot be reached to download trivy 0.74.0: put trivy (0.67.0 or newer) on PATH, or run once with network (it is then cached in ${join(work, 'cache')}/platform-actions/tool-cache)\n`,
    );
  }, 120_000);
});

describe('with network: the action installs the pinned tool through the kit installer', () => {
  let server: Server;
  let requests: string[];
  let mirror: string;
  beforeAll(async () => {
    // A fake release host laid out like github.com/gitleaks/gitleaks/releases/download: the harness's
    // gitleaks 8.30.1 in the release's archive name, with a checksums file the installer verifies.
    const rel = join(work, 'release', 'v8.30.1');
    mkdirSync(rel, { recursive: true });
    const archive = 'gitleaks_8.30.1_linux_x64.tar.gz';
    execFileSync('tar', ['czf', join(rel, archive), '-C', dirname(toolBin('gitleaks')), 'gitleaks']);
    const sum = createHash('sha256')
      .update(readFileSync(join(rel, archive)))
      .digest('hex');
    writeFileSync(join(rel, 'gitleaks_8.30.1_checksums.txt'), `${sum}  ${archive}\n`);
    requests = [];
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const file = join(work, 'release', decodeURIComponent(req.url ?? '/'));
      if (req.method === 'GET' && existsSync(file) && file.startsWith(join(work, 'release'))) res.end(readFileSync(file));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mirror = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('gitleaks not on PATH: downloaded once (checksum-verified) into ~/.cache/platform-actions, then from the cache', async () => {
    const noGitleaks = { ...env, PATH: [dirname(node24()), '/usr/bin', '/bin'].join(':'), XDG_CACHE_HOME: join(work, 'cache-dl') };
    const args = ['platform-actions', 'check', '--only', 'gitleaks-scan', '--input', `gitleaks-scan.mirror=${mirror}`];
    const first = await runAsync('npx', args, { env: noGitleaks });
    expect([first.status, first.stderr, first.status === 0 ? '' : first.stdout]).toEqual([0, '', '']);
    expect(first.stdout).toContain(`note: gitleaks is not on PATH: gitleaks 8.30.1 is downloaded (checksum-verified) into ${join(work, 'cache-dl')}/platform-actions/tool-cache`);
    expect(existsSync(join(work, 'cache-dl', 'platform-actions', 'tool-cache', 'gitleaks', '8.30.1', `${process.arch}.complete`))).toBe(true);
    expect(requests.filter((q) => q.startsWith('GET'))).toEqual(['GET /v8.30.1/gitleaks_8.30.1_linux_x64.tar.gz', 'GET /v8.30.1/gitleaks_8.30.1_checksums.txt']);
    const second = await runAsync('npx', args, { env: noGitleaks });
    expect([second.status, second.stdout]).toEqual([0, expect.not.stringContaining('is downloaded')]);
    expect(requests.filter((q) => q.startsWith('GET'))).toHaveLength(2);
  }, 240_000);
});

describe('hooks call the installed package on real pushes', () => {
  const hook = (name: string) => join(consumer, 'node_modules', '@platform-actions', 'cli', 'examples', name);
  const plantToken = () => {
    git(consumer, 'checkout', '-q', '-b', 'leaky', 'main');
    commit('notify on deploy', { 'app/notify.py': `TOKEN = "${TOKEN}"\n` });
    git(consumer, 'checkout', '-q', 'main');
  };
  const expectStopped = (r: ReturnType<typeof push>, branch: string) => {
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/app\/notify\.py:1 {2}HIGH +github-pat .*This commit has not been pushed/);
    expect(out).toMatch(/app\/notify\.py:1 {2}CRITICAL secret:github-pat/);
    expect(out).not.toMatch(/may already have it/);
    expect(out).not.toContain(TOKEN);
    expect(out).toContain(`Checking new branch: origin/main..${branch} (1 commit)`);
    const stop = r.stderr
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('platform-actions: push stopped'));
    expect(stop).toEqual([
      expect.stringMatching(
        /^platform-actions: push stopped: 2 findings at or above the workflows' fail-on, in \d+\.\ds\. .* or skip this check once with git push --no-verify\.$/,
      ),
    ]);
    expect(git(consumer, 'ls-remote', 'origin', branch)).toBe('');
  };

  it('plain git pre-push: main goes through clean; a new branch with a token is stopped while main is clean', () => {
    copyFileSync(hook('pre-push'), join(consumer, '.git', 'hooks', 'pre-push'));
    const main = push('-u', 'origin', 'main');
    expect([main.status, main.stdout]).toEqual([0, expect.stringMatching(/✔ \[3\/5\] trivy-folder\/trivy-scan {2}clean[^]*✔ \[5\/5\] gitleaks-scan {2}clean/)]);
    plantToken();
    const r = push('origin', 'leaky');
    expectStopped(r, 'leaky');
    // git's own line comes after the hook's; the hook's last line is the stop line.
    expect(lastLine(r.stderr.split('error: failed to push')[0])).toMatch(/^platform-actions: push stopped/);
  }, 240_000);

  it('plain git pre-push: several refs are each checked; a deletion sends nothing and is not checked', () => {
    git(consumer, 'checkout', '-q', '-b', 'docs', 'main');
    commit('docs', { 'README.md': '# consumer\n' });
    git(consumer, 'checkout', '-q', 'main');
    const both = push('origin', 'docs', 'leaky');
    expect(both.status).not.toBe(0);
    expect((both.stdout.match(/^Checking new branch: origin\/main\.\.(docs|leaky) \(1 commit\)$/gm) ?? []).sort()).toEqual([
      'Checking new branch: origin/main..docs (1 commit)',
      'Checking new branch: origin/main..leaky (1 commit)',
    ]);
    const docs = push('origin', 'docs');
    expect([docs.status, docs.stdout]).toEqual([
      0,
      expect.stringMatching(/Result: clean — 5 stages, 0 findings, .*scope new branch: origin\/main\.\.docs \(1 commit\) \(exit 0\)/),
    ]);
    const del = push('origin', '--delete', 'docs');
    expect([del.status, del.stdout]).toEqual([0, 'deleting docs on origin: nothing is sent, nothing to check\n']);
  }, 240_000);

  it('lefthook (from npm): the same hook through lefthook install', () => {
    execFileSync('rm', ['-f', join(consumer, '.git', 'hooks', 'pre-push')]);
    copyFileSync(hook('lefthook.yml'), join(consumer, 'lefthook.yml'));
    ok('lefthook', ['install']);
    expect(readFileSync(join(consumer, '.git', 'hooks', 'pre-push'), 'utf8')).toContain('lefthook');
    expectStopped(push('origin', 'leaky'), 'leaky');
    git(consumer, 'checkout', '-q', '-b', 'lefty', 'main');
    commit('lefty', { 'app/more.py': 'x = 1\n' });
    const clean = push('origin', 'lefty');
    expect([clean.status, clean.stdout]).toEqual([0, expect.stringMatching(/scope new branch: origin\/main\.\.lefty \(1 commit\) \(exit 0\)/)]);
    git(consumer, 'checkout', '-q', 'main');
    ok('lefthook', ['uninstall']);
  }, 240_000);

  it('pre-commit (from PyPI): our .pre-commit-hooks.yaml, pinned by commit, on pre-push', () => {
    // Stands in for github.com/acme/platform-actions, which pre-commit would clone: a repository holding
    // our .pre-commit-hooks.yaml at a commit.
    const hooksRepo = join(work, 'hooks-repo');
    mkdirSync(hooksRepo);
    copyFileSync(join(root, '.pre-commit-hooks.yaml'), join(hooksRepo, '.pre-commit-hooks.yaml'));
    git(hooksRepo, 'init', '-q');
    git(hooksRepo, 'add', '-A');
    git(hooksRepo, 'commit', '-q', '-m', 'hooks');
    const rev = git(hooksRepo, 'rev-parse', 'HEAD');
    commit('pre-commit', { '.pre-commit-config.yaml': `repos:\n  - repo: ${hooksRepo}\n    rev: ${rev}\n    hooks:\n      - id: platform-actions\n` });
    ok('pre-commit', ['install', '--hook-type', 'pre-push']);
    const main = push('origin', 'main');
    expect([main.status, main.stdout + main.stderr]).toEqual([0, expect.stringMatching(/platform-actions \(the CI checks, on what is pushed\)\.+Passed/)]);
    git(consumer, 'checkout', '-q', '-b', 'leaky2', 'main');
    commit('notify again', { 'app/notify.py': `TOKEN = "${TOKEN}"\n` });
    git(consumer, 'checkout', '-q', 'main');
    const r = push('origin', 'leaky2');
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/app\/notify\.py:1 {2}HIGH +github-pat .*This commit has not been pushed/);
    expect(out).toContain('Checking new branch: origin/main..leaky2 (1 commit)');
    expect(out).toMatch(/platform-actions: push stopped: 2 findings/);
    expect(git(consumer, 'ls-remote', 'origin', 'leaky2')).toBe('');
  }, 240_000);
});

// Platform scale under act (issue #26): a consumer repository with 12 charts calls helm-ci.yml, which runs
// plan → a matrix of helm-validate shards → an always-run verdict, on this host (act's self-hosted mode,
// no Docker), with the real bundles of this checkout, the real helm and git.
//   - a pull request that changes 2 charts validates exactly those 2 (changed-only: auto);
//   - on schedule all 12 are validated across 3 shards and merged into one verdict;
//   - a shard whose chart fails the gate makes the verdict fail and names it;
//   - a shard whose report never arrives (its artifact lost, as when a runner dies) is a tool error naming it.
// As in pipelines-harness.ts: `$/` is written as acme/platform-actions@<pin> and mapped to a snapshot of this
// repository; third-party actions are the act runs' small FAKES (test/e2e/act-fakes), named as such:
// artifacts are folders, the cache starts cold, code scanning is an inbox, and PR comments go to the
// harness's FAKE GitHub API.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseRunReport } from '@platform-actions/kit';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
import { toolBin } from '../harness/tools.js';

const work = mkdtempSync(join(tmpdir(), 'pa-fanout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PIN = 'f00dfeed'.repeat(5);
const ownText = readdirSync('.github/workflows')
  .map((f) => readFileSync(join('.github/workflows', f), 'utf8'))
  .join('\n');
const pinOf = (action: string): string => {
  const m = new RegExp(`uses: ${action.replace(/[/.]/g, '\\$&')}@([0-9a-f]{40})`).exec(ownText);
  if (!m) throw new Error(`no pinned use of ${action}`);
  return m[1];
};

/** This repository as a caller at PIN gets it: action.yml files, bundles built from this checkout, the workflows with `$/` spelled out. */
async function librarySnapshot(actions: string[]): Promise<string> {
  const dir = join(work, 'library');
  const bundler = '../../scripts/bundle.mjs';
  const { bundle } = (await import(bundler)) as { bundle: (entry: string, outDir: string, actionDir?: string) => void };
  for (const a of actions) {
    mkdirSync(join(dir, 'actions', a), { recursive: true });
    cpSync(join('actions', a, 'action.yml'), join(dir, 'actions', a, 'action.yml'));
    bundle(join(process.cwd(), 'actions', a, 'src', 'index.ts'), join(dir, 'dist', a), join(process.cwd(), 'actions', a));
  }
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  for (const f of readdirSync('.github/workflows'))
    writeFileSync(
      join(dir, '.github', 'workflows', f),
      readFileSync(join('.github/workflows', f), 'utf8').replace(/uses: \$\/(actions\/[\w.-]+)/g, `uses: acme/platform-actions/$1@${PIN}`),
    );
  return dir;
}

// ---- FAKES for third-party actions: the act runs' shared fakes (test/e2e/act-fakes, see its README) ------
// Each run records into its own inbox: artifacts are folders (FAKE_LOSE_ARTIFACT names one that never
// arrives, as when a runner dies), code scanning uploads are files, and the cache starts cold.
const inbox = join(work, 'inbox');
const artifacts = join(inbox, 'artifacts');
const sarifInbox = join(inbox, 'code-scanning');
const fakesDir = resolve('test/e2e/act-fakes');
const FAKES: Array<[action: string, folder: string]> = [
  ['actions/upload-artifact', 'upload-artifact'],
  ['actions/download-artifact', 'download-artifact'],
  ['actions/cache/restore', 'cache'],
  ['github/codeql-action/upload-sarif', 'codeql'],
];
// A subpath action (actions/cache/restore) maps its repository (actions/cache).
const fakes = (): string[] => FAKES.map(([action, folder]) => `${action.split('/').slice(0, 2).join('/')}@${pinOf(action)}=${join(fakesDir, folder)}`);

// ---- the consumer: 12 charts, a workflow that calls helm-ci -----------------------------------------
const chart = (n: number, escalate = false): Record<string, string> => {
  const name = `c${String(n).padStart(2, '0')}`;
  return {
    [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
    [`charts/${name}/values.yaml`]: 'replicas: 1\n',
    [`charts/${name}/templates/deployment.yaml`]: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: {{ .Release.Name }}-${name}`,
      'spec:',
      '  replicas: {{ .Values.replicas }}',
      `  selector: {matchLabels: {app: ${name}}}`,
      '  template:',
      `    metadata: {labels: {app: ${name}}}`,
      '    spec:',
      // A container-only field at pod level: helm-validate's HIGH securitycontext-misplaced.
      ...(escalate ? ['      securityContext: {allowPrivilegeEscalation: false}'] : []),
      '      containers:',
      `        - name: ${name}`,
      '          image: ghcr.io/acme/web:1.0.0@sha256:' + 'a'.repeat(64),
      '          resources: {limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 50m, memory: 32Mi}}',
      '          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: {drop: [ALL]}}',
      '',
    ].join('\n'),
  };
};
const CALLER = `name: charts
on:
  pull_request:
  schedule:
    - cron: '0 3 * * *'
permissions: {}
jobs:
  charts:
    permissions:
      contents: read
      pull-requests: write
      security-events: write
      actions: read
    uses: acme/platform-actions/.github/workflows/helm-ci.yml@${PIN}
    with:
      max-shards: 3
      kubernetes-versions: '1.35'
`;

const ID = { GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' };
function consumer(opts: { failing?: number } = {}) {
  const dir = join(mkdtempSync(join(work, 'run-')), 'charts-monorepo');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...ID } }).trim();
  const write = (files: Record<string, string>) => {
    for (const [p, t] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), t);
    }
  };
  mkdirSync(dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://github.com/acme/charts-monorepo.git');
  for (let i = 1; i <= 12; i++) write(chart(i, i === opts.failing));
  write({ '.github/workflows/charts.yml': CALLER });
  git('add', '-A');
  git('commit', '-q', '-m', 'twelve charts');
  const base = git('rev-parse', 'HEAD');
  return { dir, git, write, base };
}

interface ActRun {
  code: number | null;
  log: string;
}
function act(dir: string, event: string, payload: Record<string, unknown>, opts: { lib: string; github: FakeGitHub; env?: Record<string, string> }): Promise<ActRun> {
  rmSync(inbox, { recursive: true, force: true });
  mkdirSync(inbox, { recursive: true });
  const eventFile = join(dir, '..', `${event}.json`);
  writeFileSync(eventFile, JSON.stringify(payload));
  const args = [
    event,
    '-W',
    '.github/workflows/charts.yml',
    '-e',
    eventFile,
    '-P',
    'ubuntu-latest=-self-hosted',
    '--action-cache-path',
    join(work, 'act-cache'),
    '--no-cache-server',
    '--local-repository',
    `acme/platform-actions@${PIN}=${opts.lib}`,
    ...fakes().flatMap((f) => ['--local-repository', f]),
    ...Object.entries({ GITHUB_API_URL: opts.github.url, FAKE_INBOX: inbox, FAKE_CACHE_DIR: mkdtempSync(join(work, 'cache-')), ...opts.env }).flatMap(([k, v]) => [
      '--env',
      `${k}=${v}`,
    ]),
    '-s',
    'GITHUB_TOKEN=ghs_fake_fanout_token',
  ];
  return new Promise((res) => {
    const child = spawn(toolBin('act'), args, {
      cwd: dir,
      env: { ...process.env, PATH: [dirname(toolBin('node24', 'node')), dirname(toolBin('helm')), process.env.PATH].join(':'), DOCKER_HOST: '', XDG_CACHE_HOME: join(work, 'xdg') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 540_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Kept for a look after a failure (the work folder is removed at the end).
      writeFileSync(join(tmpdir(), `pa-fanout-act-${event}.log`), log);
      res({ code, log });
    });
  });
}

/** `name=value` outputs that steps of jobs whose bracket label matches `job` set (act prints `::set-output::`). */
function outputs(log: string, job: RegExp): Array<Record<string, string>> {
  const by = new Map<string, Record<string, string>>();
  for (const m of log.matchAll(/^\[([^\]]*)\]\s+⚙\s+::set-output:: ([\w-]+)=(.*)$/gm)) {
    const label = m[1].trim(); // act pads job labels to one width
    if (!job.test(label)) continue;
    const o = by.get(label) ?? {};
    o[m[2]] = m[3];
    by.set(label, o);
  }
  return [...by.values()];
}
/**
 * The job summary a step of the job labelled `job` wrote (act prints GITHUB_STEP_SUMMARY after the step), with
 * the kit's Markdown escapes undone. A failed step's last lines of output can be missing from act's log (act
 * 0.2.89's host mode returns from a failed command before it drains the step's terminal), so what a failed
 * step says is read here, from the file it wrote, not from its annotations.
 */
function summaryOf(log: string, job: RegExp): string {
  const lines = log.split('\n');
  const start = lines.findIndex((l) => /^\[([^\]]*)\]\s+⚙\s+Summary - /.exec(l) !== null && job.test(/^\[([^\]]*)\]/.exec(l)![1].trim()));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && /^\[[\w/. -]+\]\s/.test(l));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .join('\n')
    .replace(/\\(.)/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
/** The run reports the shards uploaded (from the FAKE artifact store). */
const shardReports = () =>
  readdirSync(artifacts)
    .filter((a) => a.startsWith('platform-actions-report-helm-ci-'))
    .flatMap((a) =>
      readdirSync(join(artifacts, a))
        .filter((f) => f.endsWith('.json'))
        .map((f) => parseRunReport(readFileSync(join(artifacts, a, f), 'utf8'))),
    )
    .map((r) => ('report' in r ? r.report : undefined));

const pr = (base: string, head: string) => ({
  number: 7,
  pull_request: {
    number: 7,
    base: { sha: base, ref: 'main', repo: { full_name: 'acme/charts-monorepo' } },
    head: { sha: head, ref: 'feature', repo: { full_name: 'acme/charts-monorepo' } },
  },
  repository: { full_name: 'acme/charts-monorepo', default_branch: 'main' },
});
const schedule = { schedule: '0 3 * * *', repository: { full_name: 'acme/charts-monorepo', default_branch: 'main' } };

let lib: string;
let github: FakeGitHub;
beforeAll(async () => {
  lib = await librarySnapshot(['plan', 'helm-validate', 'verdict']);
  github = await startFakeGitHub();
}, 600_000);
afterAll(async () => github?.stop());

describe('helm-ci fanned out: plan → shards → verdict, under act', () => {
  test('a pull request that changes 2 of 12 charts validates exactly those 2, and says so once', async () => {
    const c = consumer();
    c.git('checkout', '-q', '-b', 'feature');
    c.write({ 'charts/c04/values.yaml': 'replicas: 2\n', 'charts/c09/values.yaml': 'replicas: 3\n' });
    c.git('commit', '-qam', 'two charts');
    const run = await act(c.dir, 'pull_request', pr(c.base, c.git('rev-parse', 'HEAD')), { lib, github });
    if (run.code !== 0) console.log(run.log.slice(-8000));
    expect(run.code).toBe(0);
    const [plan] = outputs(run.log, /\/plan$/);
    expect(plan).toMatchObject({ 'items-count': '2', shards: '2' });
    expect(JSON.parse(plan.matrix)).toEqual({
      include: [
        { shard: 1, shards: 2, items: 'charts/c04', count: 1 },
        { shard: 2, shards: 2, items: 'charts/c09', count: 1 },
      ],
    });
    // Each shard validated one chart; nothing else was validated.
    const shards = outputs(run.log, /helm-validate \d\/\d/);
    expect(shards.map((o) => o['charts-count']).sort()).toEqual(['1', '1']);
    expect(
      shardReports()
        .map((r) => [r?.action, r?.outcome, r?.shard])
        .sort(),
    ).toEqual([
      ['helm-validate', 'clean', '1'],
      ['helm-validate', 'clean', '2'],
    ]);
    const [verdict] = outputs(run.log, /\/verdict$/);
    expect(verdict).toMatchObject({ outcome: 'clean', shards: '2', 'missing-shards': '', complete: 'false' });
    // One sticky comment for the whole run, from the verdict; it names both charts.
    const comments = github.state.comments.filter((x) => x.repo === 'charts-monorepo' && x.issue_number === 7);
    expect(comments).toHaveLength(1);
    expect(String(comments[0].body)).toMatch(/charts\/c04/);
    expect(String(comments[0].body)).toMatch(/charts\/c09/);
    expect(String(comments[0].body)).not.toMatch(/charts\/c01\b/);
  }, 600_000);

  test('on schedule all 12 charts are validated across 3 shards and merged into one verdict', async () => {
    const c = consumer();
    const run = await act(c.dir, 'schedule', schedule, { lib, github });
    if (run.code !== 0) console.log(run.log.slice(-8000));
    expect(run.code).toBe(0);
    const [plan] = outputs(run.log, /\/plan$/);
    expect(plan).toMatchObject({ 'items-count': '12', shards: '3' });
    const shards = outputs(run.log, /helm-validate \d\/3/);
    expect(shards).toHaveLength(3);
    expect(shards.reduce((n, o) => n + Number(o['charts-count']), 0)).toBe(12);
    expect(
      shardReports()
        .map((r) => r?.shard)
        .sort(),
    ).toEqual(['1', '2', '3']);
    const [verdict] = outputs(run.log, /\/verdict$/);
    // Every chart has one medium and one low finding (below fail-on high): the totals are over all three shards.
    expect(verdict).toMatchObject({ outcome: 'clean', shards: '3', complete: 'true', 'findings-count': '24', 'medium-count': '12', 'low-count': '12' });
    // One merged SARIF upload, one run for the category every shard shares.
    const uploads = readdirSync(sarifInbox);
    expect(uploads).toHaveLength(1);
    const sarif = JSON.parse(readFileSync(join(sarifInbox, uploads[0]), 'utf8')) as { runs: Array<{ automationDetails: { id: string } }> };
    expect(sarif.runs.map((r) => r.automationDetails.id)).toEqual(['helm-validate/']);
  }, 600_000);

  test('a shard whose chart fails the gate makes the verdict fail, and the verdict names it', async () => {
    const c = consumer({ failing: 5 });
    const run = await act(c.dir, 'schedule', schedule, { lib, github });
    expect(run.code).not.toBe(0);
    const [verdict] = outputs(run.log, /\/verdict$/);
    expect(verdict).toMatchObject({ outcome: 'policy-failure', 'high-count': '1' });
    const failing = shardReports().find((r) => r?.outcome === 'policy-failure')!;
    expect(summaryOf(run.log, /\/verdict$/)).toMatch(new RegExp(`> shard ${failing.shard}/3 \\([^)]*charts/c05[^)]*\\), helm-validate: 1 finding at or above its fail-on`));
  }, 600_000);

  test('a shard whose report never arrives (its runner died) is a tool error in the verdict, by name', async () => {
    const c = consumer();
    const run = await act(c.dir, 'schedule', schedule, { lib, github, env: { FAKE_LOSE_ARTIFACT: 'platform-actions-report-helm-ci-2-1' } });
    expect(run.code).not.toBe(0);
    const [verdict] = outputs(run.log, /\/verdict$/);
    expect(verdict).toMatchObject({ outcome: 'tool-error', 'missing-shards': '2' });
    expect(summaryOf(run.log, /\/verdict$/)).toMatch(/> shard 2\/3 \([^)]*\) sent no report: it crashed, timed out or was cancelled, so its 4 items are not checked/);
  }, 600_000);
});

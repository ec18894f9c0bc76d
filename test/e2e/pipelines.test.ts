// Each scenario's pipeline (examples/<scenario>/.github/workflows/*.yml, the starter as a team copies it) run
// end to end with nektos/act on this host (`-P ubuntu-latest=-self-hosted`, no Docker): the example is its own
// git repository, the call of our reusable workflows at their pinned commit resolves to this working tree, and
// the harness's real tools and services stand in for the runner image and the service containers.
//
// What runs for real: every `run:` step of the starters and reusable workflows (black, isort, flake8, mypy,
// pip-audit, pytest + pytest-cov, Bandit, Semgrep, npm ci, eslint, prettier, jest, Alembic, helm, terraform,
// kubectl, git, curl, jq), our seven actions' bundles (test-report included), PostgreSQL, Redis, the harness's
// Kubernetes control plane (kwok nodes), the S3/DynamoDB lock stores, a bare git remote for release tags, and a
// Slack-compatible webhook receiver.
//
// What act cannot do, and how these runs stand in for it:
// - `uses: $/actions/<name>` is rejected by act 0.2.89. Its meaning is "this repository at the commit of the
//   workflow file", which is exactly `acme/platform-actions/actions/<name>@<pinned commit>`; the library
//   snapshot below rewrites it so, and --local-repository maps that commit to the snapshot.
// - Third-party actions cannot be downloaded here. Each is mapped to a FAKE in test/e2e/act-fakes/ (see its
//   README): setup-python/-node put the harness's tools on PATH, actions/cache and the artifact actions keep
//   folders, docker/* record what they were asked and build-push writes an OCI layout of the build context
//   that the real trivy-scan scans, CodeQL writes an empty SARIF, delete-package-versions records its inputs.
//   actions/checkout of the caller itself is done by act (it copies the example).
// - Render (the hardened service's host) is out of reach: a FAKE of its deploy hooks runs the example's own
//   /healthz handler as "the deployed service" (startFakeRender below), so the smoke test and the rollback hook
//   run as written.
// - pip-audit reads PyPI's vulnerability feed, whose JSON API is out of reach: a FAKE feed
//   (test/harness/services/fake-pypi-feed.ts) answers it through HTTPS_PROXY, with advisories the test plants.
// - Service containers are skipped in host mode: the harness's PostgreSQL and Redis are passed as
//   PLATFORM_ACTIONS_DATABASE_URL / PLATFORM_ACTIONS_REDIS_URL, which python-ci and db-migrations document for
//   runners without containers; its `{job}` gives each job its own database, as each job's container does.
// - One Python (the harness venv, 3.11) and the host's Node 20: a job that asks for Python 3.12 runs on 3.11
//   (the fake says so in a warning), and the hardened service's 3.9 matrix leg is not run (--matrix python:3.11).
// - Pinned tool releases (trivy, gitleaks) come from a warm runner tool cache, as on a self-hosted runner.
// - Environments' required reviewers, OIDC and GitHub's own services exist only on GitHub.
// - act 0.2.89 ends the whole run as soon as a job of a called workflow fails (nektos/act#1793), so `ready`
//   and `notify` never run after a failed check or a failed called deploy here; GitHub does run them. The
//   failing check run below hands the results act recorded to the all-passed and notify steps as GitHub would.
//   (A failed job of the caller itself, such as the Render deploy, does not stop act: notify runs there.)
// - act 0.2.89's host mode returns from a failed step before it drains the step's terminal, so the last lines
//   a failed step printed can be missing from the log under load (seen once for the verdict's ::error:: in
//   fanout.test.ts, never here). The annotations of the failing steps below (flake8, pip-audit, the smoke test)
//   are such lines; if one of those checks fails alone while the step's ❌ line is there, that is the cause.
// - `strategy.max-parallel: ${{ inputs.max-parallel }}` is logged by act as "Failed to parse 'max-parallel'"
//   and ignored (act reads only a number there); GitHub evaluates the expression.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { toolBin, toolDir } from '../harness/tools.js';
import { freePort, waitFor } from '../harness/net.js';
import { pgBinDir, startPostgres, type Postgres } from '../harness/services/postgres.js';
import { startLockStores, type LockStores } from '../harness/services/lockstores.js';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
import { startFakePypiFeed, type FakePypiFeed } from '../harness/services/fake-pypi-feed.js';
import { installTrivyDb } from '../harness/trivy-db.js';
import { startKubeCluster, type KubeCluster } from '../harness/services/kube.js';
// Redis 7 (Debian's redis-server, provision/redis.sh) through @platform-actions/services, the pipelines' REDIS_URL.
import { startRedis, type Redis } from '../harness/services/redis.js';

const work = mkdtempSync(join(tmpdir(), 'pa-pipelines-'));
/** Every action of this repository: the reusable workflows may use any of them. */
const ALL_ACTIONS = readdirSync('actions').filter((a) => existsSync(join('actions', a, 'action.yml')));

// ---- pins read from the workflows themselves, so a re-pin never breaks the mapping ----------------
const templateText = readdirSync('workflows-templates')
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(join('workflows-templates', f), 'utf8'))
  .join('\n');
const PIN = [...new Set([...templateText.matchAll(/acme\/platform-actions\/\.github\/workflows\/[\w.-]+\.yml@([0-9a-f]{40})/g)].map((m) => m[1]))];
const ownText = readdirSync('.github/workflows')
  .map((f) => readFileSync(join('.github/workflows', f), 'utf8'))
  .join('\n');
const pinOf = (action: string) => {
  const m = new RegExp(`uses: ${action.replace(/[/.]/g, '\\$&')}@([0-9a-f]{40})`).exec(ownText + templateText);
  if (!m) throw new Error(`no pinned use of ${action}`);
  return m[1];
};

// ---- bundles: rebuilt when older than their sources, so a run never tests a stale bundle -----------
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
function ensureBuilt(action: string): void {
  const bundle = join('dist', action, 'index.js');
  const sources = Math.max(newest(join('actions', action, 'src')), newest(join('packages', 'kit', 'src')), statSync(join('actions', action, 'action.yml')).mtimeMs);
  if (existsSync(bundle) && statSync(bundle).mtimeMs > sources) return;
  execFileSync('node', ['scripts/build.mjs', '--only', action], { stdio: 'inherit', timeout: 300_000 });
}

/** This repository as a caller at PIN would get it: action.yml files, bundles, and the reusable workflows with `$/` spelled out. */
function librarySnapshot(): string {
  const dir = join(work, 'library');
  if (existsSync(dir)) return dir;
  for (const a of ALL_ACTIONS) {
    ensureBuilt(a);
    mkdirSync(join(dir, 'actions', a), { recursive: true });
    copyFileSync(join('actions', a, 'action.yml'), join(dir, 'actions', a, 'action.yml'));
    cpSync(join('dist', a), join(dir, 'dist', a), { recursive: true });
  }
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  for (const f of readdirSync('.github/workflows')) {
    const text = readFileSync(join('.github/workflows', f), 'utf8').replace(/uses: \$\/(actions\/[\w.-]+)/g, `uses: acme/platform-actions/$1@${PIN[0]}`);
    writeFileSync(join(dir, '.github', 'workflows', f), text);
  }
  return dir;
}

// ---- the FAKE third-party actions (test/e2e/act-fakes), each at the commit the workflows pin --------
const fakesDir = resolve('test/e2e/act-fakes');
const FAKES: Array<[action: string, folder: string]> = [
  ['actions/setup-python', 'setup-python'],
  ['actions/setup-node', 'setup-node'],
  ['actions/cache/restore', 'cache'],
  ['docker/metadata-action', 'metadata'],
  ['docker/setup-qemu-action', 'setup-qemu'],
  ['docker/setup-buildx-action', 'setup-buildx'],
  ['docker/login-action', 'docker-login'],
  ['docker/build-push-action', 'build-push'],
  ['github/codeql-action/upload-sarif', 'codeql'],
  ['actions/upload-artifact', 'upload-artifact'],
  ['actions/download-artifact', 'download-artifact'],
  ['actions/delete-package-versions', 'delete-package-versions'],
  ['hashicorp/setup-terraform', 'setup-terraform'],
  ['opentofu/setup-opentofu', 'setup-opentofu'],
  ['aws-actions/configure-aws-credentials', 'aws-credentials'],
];
const localRepos = (): string[] => [
  ...PIN.map((p) => `acme/platform-actions@${p}=${librarySnapshot()}`),
  // A subpath action (actions/cache/restore) maps its repository (actions/cache).
  ...FAKES.map(([action, folder]) => `${action.split('/').slice(0, 2).join('/')}@${pinOf(action)}=${join(fakesDir, folder)}`),
];

/** A warm runner tool cache: the harness's pinned binaries where tool-cache's find() looks. */
function toolCache(cacheRoot: string, tools: Array<[tool: string, version: string, bin: string]>): void {
  for (const [tool, version, bin] of tools) {
    const d = join(cacheRoot, 'tool_cache', tool, version, process.arch);
    mkdirSync(d, { recursive: true });
    copyFileSync(bin, join(d, tool));
    writeFileSync(`${d}.complete`, '');
  }
}

/** trivy and gitleaks at the versions the actions pin, and a current trivy DB, in act's runner tool cache. */
let warmed: Promise<void> | undefined;
const warmSecurityTools = () =>
  (warmed ??= (async () => {
    const cache = join(work, 'act-cache');
    const pinned = (action: string) =>
      String((parse(readFileSync(join('actions', action, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> }).inputs.version.default);
    toolCache(cache, [
      ['trivy', pinned('trivy-scan'), toolBin('trivy')],
      ['gitleaks', pinned('gitleaks-scan'), toolBin('gitleaks')],
    ]);
    await installTrivyDb(join(cache, 'tool_cache', 'trivy-scan', 'cache'));
  })());

// ---- the example as a caller repository ------------------------------------------------------------
interface Caller {
  dir: string;
  base: string;
  head: string;
  git: (...args: string[]) => string;
}
function callerRepo(example: string, opts: { history?: 'pull-request' | 'main' } = {}): Caller {
  // A fresh folder per run (a scenario may run twice); the last path segment names the repository.
  const dir = join(mkdtempSync(join(work, 'run-')), example);
  cpSync(join('examples', example), dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' },
    }).trim();
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `https://github.com/acme/${example}.git`);
  git('commit', '-q', '--allow-empty', '-m', 'start');
  const base = git('rev-parse', 'HEAD');
  if (opts.history !== 'main') git('checkout', '-q', '-b', 'feature');
  git('add', '-A');
  git('commit', '-q', '-m', 'the change under review');
  return { dir, base, head: git('rev-parse', 'HEAD'), git };
}
const repoName = (c: Caller) => c.dir.split('/').pop()!;

function pullRequestEvent(c: Caller): string {
  const file = join(c.dir, '..', `${repoName(c)}-event.json`);
  const repoInfo = { full_name: `acme/${repoName(c)}`, fork: false, default_branch: 'main' };
  writeFileSync(
    file,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: { number: 7, base: { sha: c.base, ref: 'main', repo: repoInfo }, head: { sha: c.head, ref: 'feature', repo: repoInfo } },
      repository: repoInfo,
    }),
  );
  return file;
}
function pushEvent(c: Caller, ref: string, before = c.base): string {
  const file = join(c.dir, '..', `${repoName(c)}-push-${ref.split('/').pop()}-${c.git('rev-parse', '--short', 'HEAD')}.json`);
  const repoInfo = { full_name: `acme/${repoName(c)}`, default_branch: 'main' };
  writeFileSync(file, JSON.stringify({ ref, before, after: c.git('rev-parse', 'HEAD'), repository: repoInfo }));
  return file;
}

// ---- act ---------------------------------------------------------------------------------------------
interface ActRun {
  code: number | null;
  log: string;
  ms: number;
  /** What the fakes recorded in this run (FAKE_INBOX). */
  inbox: string;
}
interface ActOptions {
  env?: Record<string, string>;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  timeoutMs?: number;
  path?: string[];
  /** The FAKE GitHub REST API the actions talk to (PR comments); github.token is a token it accepts. */
  github: FakeGitHub;
  /** actions/cache entries, kept across the runs of one scenario. */
  cacheDir: string;
  /** Extra act flags (--matrix, --concurrent-jobs). */
  flags?: string[];
}
const FAKE_TOKEN = 'ghs_fake_pipeline_token';
const nodePath = () => dirname(toolBin('node24', 'node'));
const pipelinePy = () => dirname(toolBin('pipeline-py', 'python'));
/** Node 20 for node-ci (the team's version): the host's, when it is 20 (the fake setup-node names what is missing otherwise). */
const node20 = (): string[] => (/^v20\./.test(spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).stdout ?? '') ? ['20=/usr/bin/node'] : []);

/**
 * act 0.2.89 sometimes dies at start with "fatal error: concurrent map writes" in LocalRepositoryCache.Fetch
 * (two jobs of a stage resolving --local-repository workflows at once, an unlocked map). A run that died so
 * before any job finished is run again, at most twice; any other outcome is the run's.
 */
async function act(c: Caller, workflow: string, event: string, eventFile: string, opts: ActOptions): Promise<ActRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await actOnce(c, workflow, event, eventFile, opts);
    const diedAtStart = /^fatal error: concurrent map writes$/m.test(run.log) && !/🏁/.test(run.log);
    if (!diedAtStart || attempt === 3) return run;
    console.log(`act died at start (concurrent map writes in LocalRepositoryCache, an act 0.2.89 race); running ${repoName(c)} ${event} again`);
  }
}
function actOnce(c: Caller, workflow: string, event: string, eventFile: string, opts: ActOptions): Promise<ActRun> {
  const cache = join(work, 'act-cache');
  const inbox = mkdtempSync(join(work, 'inbox-'));
  const env: Record<string, string> = {
    GITHUB_API_URL: opts.github.url,
    FAKE_INBOX: inbox,
    FAKE_CACHE_DIR: opts.cacheDir,
    FAKE_HARNESS: resolve('test/harness'),
    FAKE_PYTHON_BIN: pipelinePy(),
    FAKE_NODE_BINS: [...node20(), `24=${toolBin('node24', 'node')}`].join('\n'),
    FAKE_NPM_CACHE: join(toolDir('frontend-npm'), 'npm-cache'),
    // Every pip install of the pipelines is answered from the harness wheelhouse, never an index, and only
    // ever into a virtual environment (never the machine's Python).
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: join(toolDir('pipeline-py'), 'wheels'),
    PIP_REQUIRE_VIRTUALENV: '1',
    ...opts.env,
  };
  const args = [
    event,
    '-W',
    join('.github', 'workflows', workflow),
    '-e',
    eventFile,
    '-P',
    'ubuntu-latest=-self-hosted',
    '--action-cache-path',
    cache,
    '--no-cache-server',
    ...(opts.flags ?? []),
    ...localRepos().flatMap((r) => ['--local-repository', r]),
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...Object.entries({ GITHUB_TOKEN: FAKE_TOKEN, ...opts.secrets }).flatMap(([k, v]) => ['-s', `${k}=${v}`]),
    ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
  ];
  const started = Date.now();
  return new Promise((res) => {
    const child = spawn(toolBin('act'), args, {
      cwd: c.dir,
      // The harness venv first: `python` is never the machine's own.
      env: { ...process.env, PATH: [pipelinePy(), ...(opts.path ?? []), nodePath(), process.env.PATH].join(':'), DOCKER_HOST: '', XDG_CACHE_HOME: join(work, 'xdg') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 420_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // terraform colours its output
      const run = { code, log: log.replace(/\x1b\[[0-9;]*m/g, ''), ms: Date.now() - started, inbox };
      // PA_ACT_LOG_DIR=<dir> keeps every run's log (one file per run) for reading after the test.
      if (process.env.PA_ACT_LOG_DIR) writeFileSync(join(process.env.PA_ACT_LOG_DIR, `${repoName(c)}-${event}-${started}.log`), run.log);
      res(run);
    });
  });
}

// ---- reading a run -------------------------------------------------------------------------------------
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `name=value` the steps of job `job` (its act label ends with it: `tests/python-ci/tests`) set as outputs. */
function outputs(log: string, job: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of log.matchAll(new RegExp(`^\\[[^\\]]*${escape(job)}\\s*\\]\\s+⚙\\s+::set-output:: ([\\w-]+)=(.*)$`, 'gm'))) out[m[1]] = m[2];
  return out;
}
/** The results the required check (all-passed) saw, sorted: "job=result" (needs come in no set order). */
const allPassed = (log: string) => (/All passed: (.*)$/m.exec(log)?.[1] ?? '').trim().split(' ').sort();
const finished = (log: string, job: string, how: 'succeeded' | 'failed') => new RegExp(`^\\[[^\\]]*${escape(job)}\\s*\\]\\s+🏁\\s+Job ${how}`, 'm').test(log);
const stepRan = (log: string, job: string, step: string, how: 'Success' | 'Failure' = 'Success') =>
  new RegExp(`^\\[[^\\]]*${escape(job)}\\s*\\]\\s+(✅|❌)\\s+${how} - Main ${escape(step)}(\\s|$)`, 'm').test(log);
const jsonLines = <T>(file: string): T[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    : [];
interface Build {
  context: string;
  platforms: string[];
  push: boolean;
  tags: string[];
  buildArgs: string[];
  outputs: string;
  cacheFrom: string;
  cacheTo: string;
}
const builds = (run: ActRun) => jsonLines<Build>(join(run.inbox, 'builds.jsonl'));
const pushed = (run: ActRun) => jsonLines<{ ref: string; platforms: string[] }>(join(run.inbox, 'registry.jsonl'));
const sarifs = (run: ActRun) => (existsSync(join(run.inbox, 'code-scanning')) ? readdirSync(join(run.inbox, 'code-scanning')).sort() : []);
const artifacts = (run: ActRun) => (existsSync(join(run.inbox, 'artifacts')) ? readdirSync(join(run.inbox, 'artifacts')).sort() : []);
const show = (run: ActRun, expected: 'pass' | 'fail' = 'pass') => {
  if ((run.code === 0) !== (expected === 'pass')) console.log(run.log.slice(-12000));
};

// ---- services the pipelines reach ----------------------------------------------------------------------
/** One empty database per job that gets a PostgreSQL container on GitHub: a URL with `{job}`, as python-ci and db-migrations read it. */
async function perJobDatabases(pg: Postgres, prefix: string, jobs: string[]): Promise<string> {
  const urls = await Promise.all(jobs.map((j) => pg.createDatabase(`${prefix}_${j}`)));
  return urls[0].replace(`${prefix}_${jobs[0]}`, `${prefix}_{job}`);
}
// One Kubernetes control plane for every deploy in this file (namespaces keep the scenarios apart).
let kubeStarted: Promise<KubeCluster> | undefined;
const sharedKube = () => (kubeStarted ??= startKubeCluster());

/** A Slack-compatible incoming webhook (what notify.yml posts to): records each JSON body. */
interface Webhook {
  url: string;
  messages: Array<{ text: string }>;
  stop(): Promise<void>;
}
async function startWebhook(): Promise<Webhook> {
  const messages: Array<{ text: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      messages.push(JSON.parse(body) as { text: string });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/fake`, messages, stop: () => new Promise((r) => server.close(() => r())) };
}

afterAll(async () => {
  if (kubeStarted) await (await kubeStarted).stop();
  rmSync(work, { recursive: true, force: true });
});

// ---- scenario 1 ----------------------------------------------------------------------------------------
describe('scenario 1: Helm + Terraform microservices (examples/sentiment-platform): push to main, then a pull request', () => {
  let stores: LockStores;
  let github: FakeGitHub;
  let kube: KubeCluster;
  let webhook: Webhook;
  let main: ActRun;
  let pr: ActRun;
  beforeAll(async () => {
    github = await startFakeGitHub();
    webhook = await startWebhook();
    stores = await startLockStores();
    await stores.createBucket('acme-sentiment-tfstate');
    kube = await sharedKube();
    await kube.kubectl(['create', 'namespace', 'sentiment']);
    await warmSecurityTools();
    const kubeconfig = readFileSync(kube.kubeconfig, 'utf8');
    const opts: ActOptions = {
      github,
      cacheDir: mkdtempSync(join(work, 'cache-')),
      path: [dirname(toolBin('kube', 'kubectl')), dirname(toolBin('helm')), dirname(toolBin('terraform'))],
      secrets: { STAGING_KUBECONFIG: kubeconfig, PRODUCTION_KUBECONFIG: kubeconfig, PLAN_ENCRYPTION_KEY: 'act-plan-key', NOTIFY_WEBHOOK_URL: webhook.url },
      env: {
        ...stores.env,
        // The S3 API is the harness's moto: no STS, no account lookup.
        TF_CLI_ARGS_init: ['skip_credentials_validation', 'skip_requesting_account_id', 'skip_metadata_api_check', 'skip_region_validation']
          .map((k) => `-backend-config=${k}=true`)
          .join(' '),
      },
    };
    // The default branch first: its test report is the base the pull request compares with.
    const m = callerRepo('sentiment-platform', { history: 'main' });
    main = await act(m, 'helm-terraform-platform.yml', 'push', pushEvent(m, 'refs/heads/main'), opts);
    const c = callerRepo('sentiment-platform');
    pr = await act(c, 'helm-terraform-platform.yml', 'pull_request', pullRequestEvent(c), opts);
  }, 1_200_000);
  afterAll(async () => Promise.all([stores?.stop(), github?.stop(), webhook?.stop()]));

  test('main: checks → image built, scanned and pushed → staging apply → chart deployed to staging, then production → notified', async () => {
    show(main);
    expect(main.code).toBe(0);
    expect(allPassed(main.log)).toEqual(['charts=success', 'image=success', 'infra-staging=success', 'security=success', 'tests=success']);
    // helm-ci and terraform are plan → shards → verdict: the verdicts carry the outcome.
    expect(outputs(main.log, 'helm-ci/verdict')).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(outputs(main.log, 'terraform/verdict')).toMatchObject({ outcome: 'clean', plan: 'success' });
    // The plan job's saved plan (one job per root: "plan infra"), applied as saved (no second plan in the apply job).
    expect(main.log).toMatch(/\[[^\]]*apply infra\s*\][^\n]*Apply complete! Resources: 1 added, 0 changed, 0 destroyed/);
    expect(main.log).not.toMatch(/\[[^\]]*apply infra\s*\][^\n]*will be created/);
    const sha = /^ghcr\.io\/acme\/sentiment-api:([0-9a-f]{40})$/;
    // Scanned before the push: the build job's OCI layout went through trivy-scan, the push job pushed.
    expect(outputs(main.log, 'image/container-image/build')).toMatchObject({ outcome: 'clean' });
    expect(pushed(main).map((p) => p.ref)).toEqual([expect.stringMatching(sha), 'ghcr.io/acme/sentiment-api:main']);
    expect(builds(main).map((b) => [b.context, b.push, b.cacheTo])).toEqual([
      ['api', false, 'type=gha,mode=max,scope=image-sentiment-api'],
      ['api', true, ''],
    ]);
    expect(outputs(main.log, 'staging')).toMatchObject({ result: 'deployed' });
    expect(outputs(main.log, 'production')).toMatchObject({ result: 'deployed' });
    const image = await kube.kubectl([
      '-n',
      'sentiment',
      'get',
      'deployment',
      'sentiment-api-sentiment-api',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image} {.spec.replicas}',
    ]);
    // Production ran last: its values file sets 3 replicas; the image is this commit's.
    expect(image.stdout.trim()).toMatch(/^ghcr\.io\/acme\/sentiment-api:[0-9a-f]{40} 3$/);
    expect(webhook.messages.map((m) => m.text.split('\n')[0])).toEqual([
      expect.stringMatching(/^:white_check_mark: \*sentiment platform\* succeeded — acme\/sentiment-platform@main \([0-9a-f]{7}\)$/),
    ]);
    console.log(`scenario 1 main-branch pipeline under act: ${main.ms} ms`);
  });

  test('main: the tests ran their markers with coverage gated at 90 % through test-report, whose report is kept as the next base', () => {
    for (const step of ['black', 'isort', 'flake8']) expect([step, stepRan(main.log, 'tests/python-ci/lint', step)]).toEqual([step, true]);
    expect(stepRan(main.log, 'tests/python-ci/types', 'mypy')).toBe(true);
    const report = outputs(main.log, 'tests/python-ci/tests');
    expect(report).toMatchObject({ outcome: 'clean', failed: '0', 'pass-rate': '100.00' });
    expect(Number(report.coverage)).toBeGreaterThanOrEqual(90);
    expect(main.log).toMatch(/FAKE cache: saved test-report-api-py3\.12-[0-9a-f]{40}/);
    expect(artifacts(main)).toEqual(expect.arrayContaining(['tests-api-py3.12-1', 'image-scan-sentiment-api-1']));
  });

  test('the staging state was written under its own key and no lock was left behind', async () => {
    const state = JSON.parse((await stores.getObject('acme-sentiment-tfstate', 'sentiment/staging/terraform.tfstate')) ?? '{}') as { resources?: unknown[] };
    expect(state.resources).toHaveLength(1);
    expect(await stores.getObject('acme-sentiment-tfstate', 'sentiment/staging/terraform.tfstate.tflock')).toBeNull();
  });

  test('pull request: charts gate, tests, security, image built and scanned but not pushed, state-locking lint and a plan (no changes after main); nothing deployed', () => {
    show(pr);
    expect(pr.code).toBe(0);
    expect(allPassed(pr.log)).toEqual(['charts=success', 'image=success', 'infra-staging=success', 'security=success', 'tests=success']);
    // helm-ci and terraform are plan → shards → verdict: the verdicts carry the outcome.
    expect(finished(pr.log, 'helm-ci/verdict', 'succeeded')).toBe(true);
    expect(outputs(pr.log, 'helm-ci/verdict')).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(outputs(pr.log, 'terraform/lint')).toMatchObject({ outcome: 'clean' });
    expect(outputs(pr.log, 'plan infra')).toMatchObject({ locked: 'false' });
    expect(outputs(pr.log, 'terraform/verdict')).toMatchObject({ outcome: 'clean', plan: 'success' });
    // main applied the same configuration just before.
    expect(pr.log).toMatch(/\[infra-staging\/terraform\/plan infra\s*\]\s+\|\s+No changes\. Your infrastructure matches the configuration\./);
    expect(builds(pr).map((b) => [b.tags[0], b.push])).toEqual([[expect.stringMatching(/^ghcr\.io\/acme\/sentiment-api:[0-9a-f]{40}$/), false]]);
    expect(builds(pr)[0].tags).toContain('ghcr.io/acme/sentiment-api:pr-7');
    expect(pushed(pr)).toEqual([]);
    expect(pr.log).not.toMatch(/\[deploy\//);
    // helm-ci's and security-scan's verdicts upload their shards' SARIF merged (the file named for the verdict).
    expect(sarifs(pr)).toEqual(
      expect.arrayContaining(['verdict-helm-ci.sarif', 'verdict-security-scan.sarif', 'tf-lock-check.sarif', 'gitleaks-scan.sarif', 'image-sentiment-api.sarif']),
    );
    console.log(`scenario 1 pull request pipeline under act: ${pr.ms} ms`);
  });

  test("pull request: test-report compares coverage with main's report, restored from the cache, in one sticky comment", () => {
    expect(pr.log).toMatch(/FAKE cache: Cache restored from key: test-report-api-py3\.12-[0-9a-f]{40}/);
    const comments = github.state.comments.filter((c) => c.repo === 'sentiment-platform' && String(c.body).startsWith('<!-- platform-actions:test-report'));
    expect(comments).toHaveLength(1);
    // The same tests on both sides: no change against the base.
    expect(String(comments[0].body)).toContain('±0.00');
    // One comment for every root of the environment, from terraform.yml's verdict (each root's plan in it).
    const plans = github.state.comments.filter((c) => c.repo === 'sentiment-platform' && String(c.body).startsWith('<!-- platform-actions:verdict:terraform-staging -->'));
    expect(plans).toHaveLength(1);
    expect(String(plans[0].body)).toContain('**No changes. Your infrastructure matches the configuration.**');
  });
});

// ---- scenario 2 ----------------------------------------------------------------------------------------
describe('scenario 2: the hardened Python service (examples/python-service-hardened), pull requests', () => {
  let pg: Postgres;
  let redis: Redis;
  let github: FakeGitHub;
  let feed: FakePypiFeed;
  let brokenFeed: FakePypiFeed;
  let run: ActRun;
  let broken: ActRun;
  let head: string;
  let brokenHead: string;
  let webhook: Webhook;
  beforeAll(async () => {
    github = await startFakeGitHub();
    pg = await startPostgres();
    redis = await startRedis();
    feed = await startFakePypiFeed();
    // The second run's feed knows a (made-up) vulnerability of the pinned Alembic.
    webhook = await startWebhook();
    brokenFeed = await startFakePypiFeed({ alembic: { '1.20.1': [{ id: 'PYSEC-2099-41', summary: 'FAKE advisory for the tests', fixed_in: ['1.20.2'] }] } });
    await warmSecurityTools();
    const opts = async (db: string, advisories: FakePypiFeed): Promise<ActOptions> => ({
      github,
      cacheDir: mkdtempSync(join(work, 'cache-')),
      path: [pgBinDir()],
      // The 3.9 leg needs a Python 3.9, which this runner does not have.
      flags: ['--matrix', 'python:3.11'],
      env: { PLATFORM_ACTIONS_DATABASE_URL: await pg.createDatabase(db), PLATFORM_ACTIONS_REDIS_URL: redis.url, ...advisories.env },
    });
    const c = callerRepo('python-service-hardened');
    head = c.head;
    run = await act(c, 'hardened-python-service.yml', 'pull_request', pullRequestEvent(c), await opts('orders_ci', feed));
    // The same change with a lint error (an unused import), on a day the feed lists a vulnerability of a pin.
    const b = callerRepo('python-service-hardened');
    const health = join(b.dir, 'app', 'health.py');
    writeFileSync(health, readFileSync(health, 'utf8').replace('import json\nimport os\n', 'import json\nimport logging\nimport os\n'));
    b.git('commit', '-qam', 'a lint error');
    brokenHead = b.git('rev-parse', 'HEAD');
    broken = await act(b, 'hardened-python-service.yml', 'pull_request', pullRequestEvent({ ...b, head: b.git('rev-parse', 'HEAD') }), await opts('orders_broken', brokenFeed));
  }, 1_200_000);
  afterAll(async () => Promise.all([pg?.stop(), redis?.stop(), github?.stop(), feed?.stop(), brokenFeed?.stop(), webhook?.stop()]));

  test('every check passes and the required "ready" job runs last', () => {
    show(run);
    expect(run.code).toBe(0);
    expect(allPassed(run.log)).toEqual(['bandit=success', 'image=success', 'migrations=success', 'python=success', 'security=success']);
    // The pull request's own commits: merge-base(main, feature)..feature.
    expect(outputs(run.log, 'gitleaks')).toMatchObject({ outcome: 'clean', 'scan-mode': 'range', 'commits-scanned': '1' });
    expect(outputs(run.log, 'migrations')).toMatchObject({ outcome: 'clean', 'head-revision': '0002' });
    console.log(`scenario 2 pipeline under act: ${run.ms} ms`);
  });

  test('the blocking checks ran: black, isort, flake8, mypy, pip-audit against the (fake) advisory feed, Bandit, unit tests with the 40 % gate', () => {
    for (const step of ['black', 'isort', 'flake8']) expect([step, stepRan(run.log, 'python/python-ci/lint', step)]).toEqual([step, true]);
    expect(stepRan(run.log, 'python/python-ci/types', 'mypy')).toBe(true);
    expect(stepRan(run.log, 'python/python-ci/audit', 'pip-audit')).toBe(true);
    expect(feed.queries).toEqual(expect.arrayContaining(['alembic==1.20.1', 'sqlalchemy==2.1.9', 'psycopg==3.3.9']));
    expect(outputs(run.log, 'bandit/sast/bandit')).toMatchObject({ findings: '0' });
    const report = outputs(run.log, 'python/python-ci/tests');
    expect(report).toMatchObject({ outcome: 'clean', failed: '0' });
    expect(Number(report.coverage)).toBeGreaterThanOrEqual(40);
    expect(artifacts(run)).toEqual(expect.arrayContaining(['bandit-1', 'pip-audit-root-1', 'tests-root-py3.11-1', 'image-scan-orders-api-1']));
  });

  test('the integration tests ran against the migrated PostgreSQL and Redis (none skipped), fail-fast', () => {
    // pytest -x tests/integration: the orders/customers test on PostgreSQL and the Redis PING, both passed.
    expect(run.log).toMatch(/^\[migrations\/db-migrations\/migrations\]\s+\|\s+=+ 2 passed in [\d.]+s =+$/m);
    expect(run.log).not.toMatch(/REDIS_URL is not set/);
  });

  test('the image is built with the commit as APP_VERSION and scanned (HIGH fails) before any push; SARIF of every tool reached code scanning', () => {
    expect(builds(run).map((b) => [b.tags[0], b.push, b.buildArgs])).toEqual([[`ghcr.io/acme/orders-api:${head}`, false, [`APP_VERSION=${head}`]]]);
    expect(outputs(run.log, 'image/container-image/build')).toMatchObject({ outcome: 'clean' });
    expect(pushed(run)).toEqual([]);
    // security-scan's verdict uploads the folder scan's (and any image shard's) SARIF merged.
    expect(sarifs(run)).toEqual(expect.arrayContaining(['bandit.sarif', 'gitleaks-scan.sarif', 'image-orders-api.sarif', 'verdict-security-scan.sarif']));
  });

  test('a lint error and an advisory against a pin fail their jobs with one annotation each; the required check fails on those results, and notify sends the failure', async () => {
    show(broken, 'fail');
    expect(broken.code).not.toBe(0);
    expect(stepRan(broken.log, 'python/python-ci/lint', 'flake8', 'Failure')).toBe(true);
    expect(broken.log).toMatch(/::error file=\.\/app\/health\.py,line=4,col=1,title=flake8 F401::'logging' imported but unused/);
    for (const step of ['black', 'isort']) expect([step, stepRan(broken.log, 'python/python-ci/lint', step)]).toEqual([step, true]);
    expect(stepRan(broken.log, 'python/python-ci/audit', 'pip-audit', 'Failure')).toBe(true);
    expect(broken.log).toMatch(/::error title=pip-audit alembic 1\.20\.1::PYSEC-2099-41 \(fixed in 1\.20\.2\)/);
    // Nothing after the checks: no push, no deploy.
    expect(pushed(broken)).toEqual([]);
    expect(broken.log).not.toMatch(/\[deploy\]/);
    // act stops before `ready` (nektos/act#1793); the all-passed step gets the results this run recorded, as on GitHub.
    const needs = Object.fromEntries(
      ['python', 'bandit', 'security', 'migrations', 'image'].map((j) => [
        j,
        { result: new RegExp(`^\\[${j}/[^\\]]*\\]\\s+🏁\\s+Job failed`, 'm').test(broken.log) ? 'failure' : 'success' },
      ]),
    );
    const gate = await runWorkflowStep('.github/workflows/all-passed.yml', 'all-passed', 'check', { NEEDS: JSON.stringify(needs), SKIPPED_BY_DESIGN: '' });
    expect(gate.status).toBe(1);
    expect(gate.stdout).toMatch(/^::error title=Not every required job passed::python failure$/m);
    // notify (needs: [ready, deploy]) then sends the failure: ready failed, deploy was skipped.
    const sent = await runWorkflowStep('.github/workflows/notify.yml', 'notify', 'send', {
      NEEDS: JSON.stringify({ ready: { result: 'failure' }, deploy: { result: 'skipped' } }),
      TITLE: 'orders-api',
      DETAILS: '',
      WEBHOOK_URL: webhook.url,
      REPOSITORY: 'acme/python-service-hardened',
      REF_NAME: '7/merge',
      SHA: brokenHead,
      RUN_URL: 'https://github.com/acme/python-service-hardened/actions/runs/1',
    });
    expect(sent.status).toBe(0);
    expect(webhook.messages.map((m) => m.text)).toEqual([
      `:x: *orders-api* failed: ready failure — acme/python-service-hardened@7/merge (${brokenHead.slice(0, 7)})\n<https://github.com/acme/python-service-hardened/actions/runs/1|the run>`,
    ]);
  });
});

/**
 * A `run:` step of one of our reusable workflows, run with bash as the runner runs it (for the jobs act does
 * not reach after a failure), with the step's env given as the runner would set it. Asynchronous: the step may
 * talk to a server of this process.
 */
function runWorkflowStep(file: string, job: string, step: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
  const wf = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, { steps: Array<{ id?: string; run?: string }> }> };
  const script = wf.jobs[job].steps.find((s) => s.id === step)!.run!;
  const dir = mkdtempSync(join(work, 'step-'));
  writeFileSync(join(dir, 'output'), '');
  return new Promise((res) => {
    const child = spawn('bash', ['-e', '-c', script], {
      env: { ...process.env, ...env, GITHUB_OUTPUT: join(dir, 'output'), RUNNER_TEMP: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (status) => res({ status, stdout }));
  });
}

/**
 * A FAKE of Render (render.com is out of reach): its deploy hooks, and the service they deploy. A hook call
 * with imgURL deploys that image — the example's own /healthz handler (app.__main__.Handler) run with
 * APP_VERSION set to the image's tag, at `serviceUrl` — and answers with the deploy, as Render does. With
 * `newReleaseFails`, Render accepts the deploy but the new release never goes live: the previous one keeps
 * serving, as on Render when a deploy fails its health check. A hook call without imgURL is a rollback hook.
 */
interface FakeRender {
  hooksUrl: string;
  serviceUrl: string;
  calls: Array<{ service: string; key: string; image?: string }>;
  stop(): Promise<void>;
}
async function startFakeRender(appDir: string, opts: { newReleaseFails: boolean }): Promise<FakeRender> {
  const port = await freePort();
  let app: ChildProcess | undefined;
  const run = async (version: string) => {
    if (app) {
      app.kill('SIGTERM');
      await new Promise((r) => app!.once('exit', r));
    }
    const serve = "import sys; from http.server import HTTPServer; from app.__main__ import Handler; HTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()";
    app = spawn(join(pipelinePy(), 'python'), ['-c', serve, String(port)], { cwd: appDir, env: { ...process.env, APP_VERSION: version }, stdio: 'ignore' });
    await waitFor('the fake Render service', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);
  };
  await run('the-previous-release');
  const calls: FakeRender['calls'] = [];
  const hooks: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://render');
    const m = /^\/deploy\/(srv-[\w-]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) {
      res.writeHead(404).end();
      return;
    }
    const call = { service: m[1], key: url.searchParams.get('key') ?? '', image: url.searchParams.get('imgURL') ?? undefined };
    calls.push(call);
    const deployed = call.image && !opts.newReleaseFails ? run(call.image.split(':').pop()!) : Promise.resolve();
    void deployed.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ deploy: { id: `dep-${calls.length}` } })));
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  return {
    hooksUrl: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`,
    serviceUrl: `http://127.0.0.1:${port}`,
    calls,
    stop: async () => {
      app?.kill('SIGTERM');
      await new Promise<void>((r) => hooks.close(() => r()));
    },
  };
}

describe('scenario 2: the hardened Python service, push to main: Render deploy whose new release never goes live', () => {
  let pg: Postgres;
  let redis: Redis;
  let github: FakeGitHub;
  let feed: FakePypiFeed;
  let webhook: Webhook;
  let render: FakeRender;
  let run: ActRun;
  let sha: string;
  beforeAll(async () => {
    github = await startFakeGitHub();
    pg = await startPostgres();
    redis = await startRedis();
    feed = await startFakePypiFeed();
    webhook = await startWebhook();
    await warmSecurityTools();
    const c = callerRepo('python-service-hardened', { history: 'main' });
    sha = c.head;
    render = await startFakeRender(c.dir, { newReleaseFails: true });
    run = await act(c, 'hardened-python-service.yml', 'push', pushEvent(c, 'refs/heads/main'), {
      github,
      cacheDir: mkdtempSync(join(work, 'cache-')),
      path: [pgBinDir()],
      flags: ['--matrix', 'python:3.11'],
      vars: { STAGING_URL: render.serviceUrl },
      secrets: {
        RENDER_STAGING_DEPLOY_HOOK: `${render.hooksUrl}/deploy/srv-orders?key=deploy-key-4711`,
        RENDER_STAGING_ROLLBACK_HOOK: `${render.hooksUrl}/deploy/srv-orders?key=rollback-key-0815`,
        NOTIFY_WEBHOOK_URL: webhook.url,
      },
      // The smoke test's own knobs: 3 tries a second apart instead of 60 ten seconds apart.
      env: { SMOKE_ATTEMPTS: '3', SMOKE_INTERVAL: '1', PLATFORM_ACTIONS_DATABASE_URL: await pg.createDatabase('orders_main'), PLATFORM_ACTIONS_REDIS_URL: redis.url, ...feed.env },
    });
  }, 1_200_000);
  afterAll(async () => Promise.all([pg?.stop(), redis?.stop(), github?.stop(), feed?.stop(), webhook?.stop(), render?.stop()]));

  test('checks pass, the image is scanned and pushed, and the deploy hook gets exactly that image', () => {
    show(run, 'fail');
    expect(run.code).not.toBe(0);
    expect(allPassed(run.log)).toEqual(['bandit=success', 'image=success', 'migrations=success', 'python=success', 'security=success']);
    expect(pushed(run).map((p) => p.ref)).toEqual([`ghcr.io/acme/orders-api:${sha}`, 'ghcr.io/acme/orders-api:main']);
    expect(render.calls[0]).toEqual({ service: 'srv-orders', key: 'deploy-key-4711', image: `ghcr.io/acme/orders-api:${sha}` });
    expect(run.log).toContain(`Render accepted the deploy of ghcr.io/acme/orders-api:${sha} (deploy dep-1)`);
    // On main the test report is kept as the base of the next pull requests.
    expect(run.log).toMatch(/FAKE cache: saved test-report-root-py3\.11-[0-9a-f]{40}/);
    console.log(`scenario 2 main-branch pipeline (failed deploy, rollback) under act: ${run.ms} ms`);
  });

  test('the smoke test waits for the new version, fails, and the rollback hook is called; no hook key reaches the log', () => {
    expect(stepRan(run.log, 'deploy', 'Smoke test', 'Failure')).toBe(true);
    expect(run.log).toMatch(new RegExp(`::error title=Smoke test failed::${escape(render.serviceUrl)}/healthz did not answer 200 with ${sha} within 10 minutes`));
    expect(stepRan(run.log, 'deploy', 'Roll back through the rollback hook')).toBe(true);
    expect(render.calls.slice(1)).toEqual([{ service: 'srv-orders', key: 'rollback-key-0815', image: undefined }]);
    expect(run.log).not.toMatch(/deploy-key-4711|rollback-key-0815/);
  });

  test('notify reaches the webhook with the failed deploy', () => {
    expect(webhook.messages.map((m) => m.text.split('\n')[0])).toEqual([`:x: *orders-api* failed: deploy failure — acme/python-service-hardened@main (${sha.slice(0, 7)})`]);
  });
});

// ---- scenario 3 ----------------------------------------------------------------------------------------
describe('scenario 3: Flask + React (examples/flask-react-app): push to main, then a pull request', () => {
  let pg: Postgres;
  let github: FakeGitHub;
  let feed: FakePypiFeed;
  let kube: KubeCluster;
  let webhook: Webhook;
  let main: ActRun;
  let run: ActRun;
  let mainSha: string;
  beforeAll(async () => {
    github = await startFakeGitHub();
    pg = await startPostgres();
    feed = await startFakePypiFeed();
    webhook = await startWebhook();
    kube = await sharedKube();
    await kube.kubectl(['create', 'namespace', 'tasks']);
    await warmSecurityTools();
    const kubeconfig = readFileSync(kube.kubeconfig, 'utf8');
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const opts = async (prefix: string): Promise<ActOptions> => ({
      github,
      cacheDir,
      path: [pgBinDir(), dirname(toolBin('kube', 'kubectl'))],
      secrets: { STAGING_KUBECONFIG: kubeconfig, NOTIFY_WEBHOOK_URL: webhook.url },
      env: { PLATFORM_ACTIONS_DATABASE_URL: await perJobDatabases(pg, prefix, ['tests', 'migrations']), ...feed.env },
    });
    // The default branch first (CD to staging; its test reports become the pull request's base).
    const m = callerRepo('flask-react-app', { history: 'main' });
    mainSha = m.head;
    main = await act(m, 'flask-react-ci-cd.yml', 'push', pushEvent(m, 'refs/heads/main'), await opts('flask_main'));
    const c = callerRepo('flask-react-app');
    run = await act(c, 'flask-react-ci-cd.yml', 'pull_request', pullRequestEvent(c), await opts('flask_pr'));
  }, 1_200_000);
  afterAll(async () => Promise.all([pg?.stop(), github?.stop(), feed?.stop(), webhook?.stop()]));

  test('main: the checks pass, both images are scanned and pushed (SHA, main, latest), staging runs exactly those images, the team is notified', async () => {
    show(main);
    expect(main.code).toBe(0);
    expect(allPassed(main.log)).toEqual(['api-image=success', 'backend=success', 'frontend=success', 'migrations=success', 'sast=success', 'web-image=success']);
    expect(
      pushed(main)
        .map((p) => p.ref)
        .sort(),
    ).toEqual(['flask-api', 'web'].flatMap((n) => [`ghcr.io/acme/${n}:${mainSha}`, `ghcr.io/acme/${n}:latest`, `ghcr.io/acme/${n}:main`]).sort());
    expect(outputs(main.log, 'staging')).toMatchObject({ result: 'deployed', outcome: 'clean' });
    // production-environment is empty: staging only.
    expect(main.log).not.toMatch(/\[deploy\/k8s-deploy\/production\]/);
    for (const [deployment, image] of [
      ['flask-api', 'flask-api'],
      ['web', 'web'],
    ])
      expect((await kube.kubectl(['-n', 'tasks', 'get', 'deployment', deployment, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).stdout.trim()).toBe(
        `ghcr.io/acme/${image}:${mainSha}`,
      );
    expect(webhook.messages.map((m) => m.text.split('\n')[0])).toEqual([`:white_check_mark: *tasks app* succeeded — acme/flask-react-app@main (${mainSha.slice(0, 7)})`]);
    console.log(`scenario 3 main-branch pipeline under act: ${main.ms} ms`);
  });

  test("pull request: the backend's and the front end's coverage are compared with main's reports, restored from the cache", () => {
    expect(run.log).toMatch(/\[backend\/python-ci\/tests\][^\n]*FAKE cache: Cache restored from key: test-report-backend-py3\.12-[0-9a-f]{40}/);
    expect(run.log).toMatch(/\[frontend\/node-ci\/tests\][^\n]*FAKE cache: Cache restored from key: test-report-frontend-jest-[0-9a-f]{40}/);
  });

  test('every check passes: backend, frontend, migrations, Semgrep, both images', () => {
    show(run);
    expect(run.code).toBe(0);
    expect(allPassed(run.log)).toEqual(['api-image=success', 'backend=success', 'frontend=success', 'migrations=success', 'sast=success', 'web-image=success']);
    expect(outputs(run.log, 'migrations')).toMatchObject({ outcome: 'clean', 'head-revision': '0002', 'failing-revision': '' });
    console.log(`scenario 3 pipeline under act: ${run.ms} ms`);
  });

  test('backend: black, flake8, pip-audit, then pytest on the migrated database through test-report (coverage ≥ 80 %, pass rate ≥ 95 %)', () => {
    for (const step of ['black', 'flake8']) expect([step, stepRan(run.log, 'backend/python-ci/lint', step)]).toEqual([step, true]);
    expect(stepRan(run.log, 'backend/python-ci/audit', 'pip-audit')).toBe(true);
    expect(feed.queries).toEqual(expect.arrayContaining(['flask==3.1.3']));
    expect(stepRan(run.log, 'backend/python-ci/tests', 'Before the tests')).toBe(true);
    const report = outputs(run.log, 'backend/python-ci/tests');
    expect(report).toMatchObject({ outcome: 'clean', failed: '0', 'pass-rate': '100.00' });
    expect(Number(report.coverage)).toBeGreaterThanOrEqual(80);
  });

  test('frontend on Node 20 with the npm cache: eslint, prettier, jest + React Testing Library through test-report (coverage ≥ 80 %)', () => {
    expect(run.log).toMatch(/\[frontend\/node-ci\/tests\s*\][^\n]*FAKE setup-node: \/usr\/bin\/node \(v20\.[^)]*\), npm cache offline/);
    for (const step of ['npm ci', 'eslint', 'prettier']) expect([step, stepRan(run.log, 'frontend/node-ci/lint', step)]).toEqual([step, true]);
    const report = outputs(run.log, 'frontend/node-ci/tests');
    expect(report).toMatchObject({ outcome: 'clean', failed: '0', 'pass-rate': '100.00' });
    expect(Number(report.coverage)).toBeGreaterThanOrEqual(80);
    expect(Number(report.tests)).toBeGreaterThan(0);
  });

  test('Semgrep with the team rules, both images built and scanned, SARIF and reports kept; one sticky comment per report', () => {
    expect(outputs(run.log, 'sast/sast/semgrep')).toMatchObject({ findings: '0' });
    expect(
      builds(run)
        .map((b) => b.context)
        .sort(),
    ).toEqual(['backend', 'frontend']);
    expect(outputs(run.log, 'api-image/container-image/build')).toMatchObject({ outcome: 'clean' });
    expect(outputs(run.log, 'web-image/container-image/build')).toMatchObject({ outcome: 'clean' });
    expect(sarifs(run)).toEqual(expect.arrayContaining(['semgrep.sarif', 'image-flask-api.sarif', 'image-web.sarif']));
    expect(artifacts(run)).toEqual(expect.arrayContaining(['semgrep-1', 'tests-backend-py3.12-1', 'tests-frontend-jest-1', 'pip-audit-backend-1']));
    // One sticky comment each: migration-test, test-report for the backend and for the front end, the image scans.
    const markers = github.state.comments
      .filter((c) => c.issue_number === 7)
      .map((c) => /^<!-- platform-actions:([\w-]+)/.exec(String(c.body))?.[1] ?? String(c.body).slice(0, 40));
    expect(markers.sort()).toEqual(['migration-test', 'test-report', 'test-report', 'trivy-scan']);
    expect(run.log).not.toMatch(/\[deploy\//);
  });
});

// ---- scenario 4 ----------------------------------------------------------------------------------------
describe('scenario 4: the ML platform (examples/ml-platform), pull request', () => {
  let pg: Postgres;
  let redis: Redis;
  let github: FakeGitHub;
  let feed: FakePypiFeed;
  let run: ActRun;
  beforeAll(async () => {
    github = await startFakeGitHub();
    pg = await startPostgres();
    redis = await startRedis();
    feed = await startFakePypiFeed();
    await warmSecurityTools();
    const c = callerRepo('ml-platform');
    run = await act(c, 'ml-staged-deploy.yml', 'pull_request', pullRequestEvent(c), {
      github,
      cacheDir: mkdtempSync(join(work, 'cache-')),
      path: [pgBinDir()],
      env: { PLATFORM_ACTIONS_DATABASE_URL: await perJobDatabases(pg, 'ml', ['tests', 'migrations']), PLATFORM_ACTIONS_REDIS_URL: redis.url, ...feed.env },
    });
  }, 1_200_000);
  afterAll(async () => Promise.all([pg?.stop(), redis?.stop(), github?.stop(), feed?.stop()]));

  test('quality gates pass: trivy (vulnerabilities, secrets, licences), gitleaks, migrations, the tests with the 70 % gate; nothing deployed on a PR', () => {
    show(run);
    expect(run.code).toBe(0);
    expect(allPassed(run.log)).toEqual(['image=success', 'migrations=success', 'python=success', 'sast=success', 'security=success']);
    // psycopg's LGPL is a high licence finding, accepted in the repository's .trivyignore.yaml.
    // The folder scan is its own job beside the image shards; the verdict merges them.
    expect(outputs(run.log, 'trivy-folder')).toMatchObject({ outcome: 'clean', 'high-count': '0', 'suppressed-count': '1' });
    expect(outputs(run.log, 'security-scan/verdict')).toMatchObject({ outcome: 'clean', 'high-count': '0' });
    expect(outputs(run.log, 'gitleaks')).toMatchObject({ outcome: 'clean' });
    expect(outputs(run.log, 'migrations')).toMatchObject({ outcome: 'clean', 'head-revision': '0002' });
    const report = outputs(run.log, 'python/python-ci/tests');
    expect(report).toMatchObject({ outcome: 'clean', failed: '0' });
    expect(Number(report.coverage)).toBeGreaterThanOrEqual(70);
    expect(Number(report.tests)).toBeGreaterThan(0);
    expect(run.log).not.toMatch(/\[deploy\//);
    console.log(`scenario 4 pipeline under act: ${run.ms} ms`);
  });

  test('black, isort, flake8, mypy, pip-audit; Bandit, Semgrep and CodeQL (security-and-quality) each with SARIF', () => {
    for (const step of ['black', 'isort', 'flake8']) expect([step, stepRan(run.log, 'python/python-ci/lint', step)]).toEqual([step, true]);
    expect(stepRan(run.log, 'python/python-ci/types', 'mypy')).toBe(true);
    expect(stepRan(run.log, 'python/python-ci/audit', 'pip-audit')).toBe(true);
    expect(outputs(run.log, 'sast/sast/bandit')).toMatchObject({ findings: '0' });
    expect(outputs(run.log, 'sast/sast/semgrep')).toMatchObject({ findings: '0' });
    expect(readFileSync(join(run.inbox, 'setup.log'), 'utf8')).toContain('codeql-init python security-and-quality');
    expect(stepRan(run.log, 'sast/sast/codeql', 'CodeQL errors block')).toBe(true);
    expect(sarifs(run)).toEqual(expect.arrayContaining(['bandit.sarif', 'semgrep.sarif', 'codeql.sarif', 'image-ml-api.sarif', 'gitleaks-scan.sarif']));
  });

  test('the image: tagged with the commit and pr-7, scanned before any push, not pushed', () => {
    const [b] = builds(run);
    expect(b.tags).toEqual([expect.stringMatching(/^ghcr\.io\/acme\/ml-api:[0-9a-f]{40}$/), 'ghcr.io/acme/ml-api:pr-7']);
    expect(b.push).toBe(false);
    expect(outputs(run.log, 'image/container-image/build')).toMatchObject({ outcome: 'clean' });
    expect(pushed(run)).toEqual([]);
  });
});

// ---- scenario 5 ----------------------------------------------------------------------------------------
describe('scenario 5: versioned release to a small cluster (examples/trading-service), pushes to main', () => {
  let kube: KubeCluster;
  let github: FakeGitHub;
  let webhook: Webhook;
  let remote: string;
  let first: ActRun;
  let second: ActRun;
  let afterFirst: string;
  const kubectl = async (...args: string[]) => (await kube.kubectl(args)).stdout.trim();
  const deployed = () =>
    kubectl(
      '-n',
      'trading',
      'get',
      'deployment',
      'strategy-engine',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image} {.metadata.labels.app\\.kubernetes\\.io/version} {.spec.template.spec.containers[0].env[0].value}',
    );
  beforeAll(async () => {
    github = await startFakeGitHub();
    webhook = await startWebhook();
    kube = await sharedKube();
    await kube.kubectl(['create', 'namespace', 'trading']);
    await warmSecurityTools();
    const kubeconfig = readFileSync(kube.kubeconfig, 'utf8');
    // The repository on main: the last release is v1.4.2; a feature since then makes the next one v1.5.0.
    const c = callerRepo('trading-service', { history: 'main' });
    c.git('tag', '-a', 'v1.4.2', '-m', 'v1.4.2');
    const released = c.git('rev-parse', 'HEAD');
    appendFileSync(join(c.dir, 'README.md'), '\nA momentum signal.\n');
    c.git('commit', '-qam', 'feat: a momentum signal');
    // The origin the release tag is pushed to: a local bare repository in place of github.com.
    remote = join(work, 'remotes', 'acme', 'trading-service.git');
    execFileSync('git', ['clone', '-q', '--bare', c.dir, remote]);
    const gitconfig = join(work, 'gitconfig');
    writeFileSync(gitconfig, `[url "file://${join(work, 'remotes')}/"]\n\tinsteadOf = https://github.com/\n`);
    const opts: ActOptions = {
      github,
      cacheDir: mkdtempSync(join(work, 'cache-')),
      path: [dirname(toolBin('kube', 'kubectl'))],
      secrets: { STAGING_KUBECONFIG: kubeconfig, PRODUCTION_KUBECONFIG: kubeconfig, NOTIFY_WEBHOOK_URL: webhook.url },
      env: { GIT_CONFIG_GLOBAL: gitconfig },
    };
    first = await act(c, 'versioned-k8s-release.yml', 'push', pushEvent(c, 'refs/heads/main', released), opts);
    afterFirst = await deployed();
    // The next release cannot pull its image (the harness's kwok Stage keyed on this label).
    const manifest = join(c.dir, 'k8s', 'deployment.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(
        '      labels: {app: strategy-engine}\n',
        '      labels: {app: strategy-engine, harness.platform-actions/behaviour: image-pull-backoff}\n',
      ),
    );
    const before = c.git('rev-parse', 'HEAD');
    c.git('commit', '-qam', 'fix: pull the image from the mirror');
    // What checkout's fetch-tags brings: the tag the first release pushed to the origin.
    execFileSync('git', ['fetch', '-q', '--tags', 'origin'], { cwd: c.dir, env: { ...process.env, GIT_CONFIG_GLOBAL: gitconfig } });
    second = await act(c, 'versioned-k8s-release.yml', 'push', pushEvent(c, 'refs/heads/main', before), opts);
  }, 1_200_000);
  afterAll(async () => Promise.all([github?.stop(), webhook?.stop()]));

  test('a feat since v1.4.2: v1.5.0 is tagged and pushed to the origin', () => {
    show(first);
    expect(first.code).toBe(0);
    expect(outputs(first.log, 'version/release-version/version')).toMatchObject({ released: 'true', version: 'v1.5.0', previous: 'v1.4.2', bump: 'minor' });
    expect(execFileSync('git', ['--git-dir', remote, 'tag', '--list', 'v*'], { encoding: 'utf8' }).trim().split('\n')).toEqual(['v1.4.2', 'v1.5.0', 'v1.5.1']);
    console.log(`scenario 5 release under act: ${first.ms} ms`);
  });

  test('the image: amd64 and arm64 (QEMU), scanned, pushed as v1.5.0, 1.5.0, 1.5, main and latest', () => {
    expect(readFileSync(join(first.inbox, 'setup.log'), 'utf8')).toMatch(/^qemu /m);
    expect(pushed(first).map((p) => p.ref.split(':')[1])).toEqual(['v1.5.0', '1.5.0', '1.5', 'main', 'latest']);
    expect(pushed(first)[0].platforms).toEqual(['linux/amd64', 'linux/arm64']);
    // The scan builds the first platform only, before the push.
    expect(builds(first).map((b) => [b.platforms.join(','), b.push])).toEqual([
      ['linux/amd64', false],
      ['linux/amd64,linux/arm64', true],
    ]);
    expect(outputs(first.log, 'image/container-image/build')).toMatchObject({ outcome: 'clean' });
  });

  test('paper-trading then live deployed with VERSION_PLACEHOLDER replaced by v1.5.0; old ReplicaSets and image versions cleaned; notified', () => {
    expect(outputs(first.log, 'staging')).toMatchObject({ result: 'deployed', outcome: 'clean' });
    expect(outputs(first.log, 'production')).toMatchObject({ result: 'deployed', outcome: 'clean' });
    expect(afterFirst).toBe('ghcr.io/acme/strategy-engine:v1.5.0 v1.5.0 v1.5.0');
    expect(finished(first.log, 'cleanup-cluster', 'succeeded')).toBe(true);
    expect(first.log).toMatch(/ReplicaSets kept per Deployment: the running one and up to 5 older revisions/);
    expect(jsonLines(join(first.inbox, 'package-deletions.jsonl'))).toEqual([{ name: 'strategy-engine', type: 'container', keep: 60 }]);
    expect(webhook.messages.map((m) => m.text.split('\n')[0])).toEqual([
      expect.stringMatching(/^:white_check_mark: \*strategy-engine release\* succeeded — acme\/trading-service@main \([0-9a-f]{7}\)$/),
    ]);
  });

  test('a fix makes v1.5.1, which cannot pull its image: paper-trading rolls back to v1.5.0, live is not touched, the run fails', async () => {
    show(second, 'fail');
    expect(second.code).not.toBe(0);
    expect(outputs(second.log, 'version/release-version/version')).toMatchObject({ released: 'true', version: 'v1.5.1', bump: 'patch' });
    expect(outputs(second.log, 'staging')).toMatchObject({ result: 'rolled-back', outcome: 'policy-failure' });
    expect(second.log).not.toMatch(/\[deploy\/k8s-deploy\/production\]\s+⭐ Run Main/);
    // The pod template is back at v1.5.0 (like `kubectl rollout undo`, the Deployment's own labels keep the last apply).
    expect(
      await kubectl(
        '-n',
        'trading',
        'get',
        'deployment',
        'strategy-engine',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value}',
      ),
    ).toBe('ghcr.io/acme/strategy-engine:v1.5.0 v1.5.0');
    console.log(`scenario 5 failed release and rollback under act: ${second.ms} ms`);
  });
});

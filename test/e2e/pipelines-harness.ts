// The scenario pipelines' shared harness: each examples/<scenario> pipeline runs end to end with nektos/act in
// its own test file (pipelines-<n>-<scenario>.integration.test.ts), so two can run side by side. What is real and what
// act cannot do is written below.
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
//   fanout.integration.test.ts, never here). The annotations of the failing steps below (flake8, pip-audit, the smoke test)
//   are such lines; if one of those checks fails alone while the step's ❌ line is there, that is the cause.
// - `strategy.max-parallel: ${{ inputs.max-parallel }}` is logged by act as "Failed to parse 'max-parallel'"
//   and ignored (act reads only a number there); GitHub evaluates the expression.
import { afterAll } from '@jest/globals';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { toolBin, toolDir } from '../harness/tools.js';
import { freePort, waitFor } from '../harness/net.js';
import { type Postgres } from '../harness/services/postgres.js';
import { type FakeGitHub } from '../harness/services/fake-github.js';
import { installTrivyDb } from '../harness/trivy-db.js';
import { startKubeCluster, type KubeCluster } from '../harness/services/kube.js';

export const work = mkdtempSync(join(tmpdir(), 'pa-pipelines-'));
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
export const warmSecurityTools = () =>
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
export interface Caller {
  dir: string;
  base: string;
  head: string;
  git: (...args: string[]) => string;
}
export function callerRepo(example: string, opts: { history?: 'pull-request' | 'main' } = {}): Caller {
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

export function pullRequestEvent(c: Caller): string {
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
export function pushEvent(c: Caller, ref: string, before = c.base): string {
  const file = join(c.dir, '..', `${repoName(c)}-push-${ref.split('/').pop()}-${c.git('rev-parse', '--short', 'HEAD')}.json`);
  const repoInfo = { full_name: `acme/${repoName(c)}`, default_branch: 'main' };
  writeFileSync(file, JSON.stringify({ ref, before, after: c.git('rev-parse', 'HEAD'), repository: repoInfo }));
  return file;
}

// ---- act ---------------------------------------------------------------------------------------------
export interface ActRun {
  code: number | null;
  log: string;
  ms: number;
  /** What the fakes recorded in this run (FAKE_INBOX). */
  inbox: string;
}
export interface ActOptions {
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
export async function act(c: Caller, workflow: string, event: string, eventFile: string, opts: ActOptions): Promise<ActRun> {
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
export const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `name=value` the steps of job `job` (its act label ends with it: `tests/python-ci/tests`) set as outputs. */
export function outputs(log: string, job: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of log.matchAll(new RegExp(`^\\[[^\\]]*${escape(job)}\\s*\\]\\s+⚙\\s+::set-output:: ([\\w-]+)=(.*)$`, 'gm'))) out[m[1]] = m[2];
  return out;
}
/** The results the required check (all-passed) saw, sorted: "job=result" (needs come in no set order). */
export const allPassed = (log: string) => (/All passed: (.*)$/m.exec(log)?.[1] ?? '').trim().split(' ').sort();
export const finished = (log: string, job: string, how: 'succeeded' | 'failed') => new RegExp(`^\\[[^\\]]*${escape(job)}\\s*\\]\\s+🏁\\s+Job ${how}`, 'm').test(log);
export const stepRan = (log: string, job: string, step: string, how: 'Success' | 'Failure' = 'Success') =>
  new RegExp(`^\\[[^\\]]*${escape(job)}\\s*\\]\\s+(✅|❌)\\s+${how} - Main ${escape(step)}(\\s|$)`, 'm').test(log);
export const jsonLines = <T>(file: string): T[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    : [];
export interface Build {
  context: string;
  platforms: string[];
  push: boolean;
  tags: string[];
  buildArgs: string[];
  outputs: string;
  cacheFrom: string;
  cacheTo: string;
}
export const builds = (run: ActRun) => jsonLines<Build>(join(run.inbox, 'builds.jsonl'));
export const pushed = (run: ActRun) => jsonLines<{ ref: string; platforms: string[] }>(join(run.inbox, 'registry.jsonl'));
export const sarifs = (run: ActRun) => (existsSync(join(run.inbox, 'code-scanning')) ? readdirSync(join(run.inbox, 'code-scanning')).sort() : []);
export const artifacts = (run: ActRun) => (existsSync(join(run.inbox, 'artifacts')) ? readdirSync(join(run.inbox, 'artifacts')).sort() : []);
export const show = (run: ActRun, expected: 'pass' | 'fail' = 'pass') => {
  if ((run.code === 0) !== (expected === 'pass')) console.log(run.log.slice(-12000));
};

// ---- services the pipelines reach ----------------------------------------------------------------------
/** One empty database per job that gets a PostgreSQL container on GitHub: a URL with `{job}`, as python-ci and db-migrations read it. */
export async function perJobDatabases(pg: Postgres, prefix: string, jobs: string[]): Promise<string> {
  const urls = await Promise.all(jobs.map((j) => pg.createDatabase(`${prefix}_${j}`)));
  return urls[0].replace(`${prefix}_${jobs[0]}`, `${prefix}_{job}`);
}
// One Kubernetes control plane for every deploy in this file (namespaces keep the scenarios apart).
let kubeStarted: Promise<KubeCluster> | undefined;
export const sharedKube = () => (kubeStarted ??= startKubeCluster());

/** A Slack-compatible incoming webhook (what notify.yml posts to): records each JSON body. */
export interface Webhook {
  url: string;
  messages: Array<{ text: string }>;
  stop(): Promise<void>;
}
export async function startWebhook(): Promise<Webhook> {
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

/**
 * A `run:` step of one of our reusable workflows, run with bash as the runner runs it (for the jobs act does
 * not reach after a failure), with the step's env given as the runner would set it. Asynchronous: the step may
 * talk to a server of this process.
 */
export function runWorkflowStep(file: string, job: string, step: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
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
export interface FakeRender {
  hooksUrl: string;
  serviceUrl: string;
  calls: Array<{ service: string; key: string; image?: string }>;
  stop(): Promise<void>;
}
export async function startFakeRender(appDir: string, opts: { newReleaseFails: boolean }): Promise<FakeRender> {
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

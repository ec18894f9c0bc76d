// The decisions of check --run-steps, as tables: which jobs never run on a laptop, the order of jobs,
// which jobs --only/--skip take, a job's services and their ports, and what happens to someone else's
// action (checkout, setup-python with this machine's real python, docker build, the rest).
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ourActions, ourWorkflows } from '../src/assets.js';
import { planServices, startServices } from '../src/job-services.js';
import { changesTheWorld, jobOrder, selectJobs } from '../src/job-plan.js';
import { onPath } from '../src/local.js';
import { callsDocker, type Host, mapNotOurs, versionMatches } from '../src/not-ours.js';
import { discover } from '../src/workflows.js';

describe('jobs that change the world are not run locally', () => {
  it.each([
    [{}, undefined],
    [{ environment: 'production' }, 'it deploys (environment: production)'],
    [{ environment: { name: 'staging', url: 'https://x' } }, 'it deploys (environment: staging)'],
    [{ permissions: { contents: 'read', 'security-events': 'write', 'pull-requests': 'write' } }, undefined],
    [{ permissions: { contents: 'write', packages: 'write' } }, 'it changes things on GitHub or elsewhere (permissions: contents: write, packages: write)'],
    [{ permissions: { 'id-token': 'write' } }, 'it changes things on GitHub or elsewhere (permissions: id-token: write)'],
    [{ permissions: 'write-all' }, 'it asks for write access to everything (permissions: write-all)'],
    [{ permissions: 'read-all' }, undefined],
  ])('%j: %s', (job, why) => {
    expect(changesTheWorld(job)).toBe(why);
  });
});

describe('jobOrder', () => {
  it('puts each job after the jobs it needs, otherwise in file order', () => {
    const jobs = [
      { id: 'build', needs: ['test', 'scan'] },
      { id: 'lint', needs: [] },
      { id: 'test', needs: ['lint'] },
      { id: 'scan', needs: [] },
    ];
    expect(jobOrder(jobs, 'ci.yml')).toEqual(['lint', 'test', 'scan', 'build']);
  });

  it.each([
    [[{ id: 'a', needs: ['nope'] }], 'ci.yml: job a needs nope, which is not a job of this workflow'],
    [
      [
        { id: 'a', needs: ['b'] },
        { id: 'b', needs: ['a'] },
      ],
      'ci.yml: jobs need each other in a circle (a → b → a)',
    ],
  ])('%j: %s', (jobs, message) => {
    expect(() => jobOrder(jobs, 'ci.yml')).toThrow(message);
  });
});

describe('selectJobs', () => {
  const repo = mkdtempSync(join(tmpdir(), 'pa-select-'));
  mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
  writeFileSync(
    join(repo, '.github', 'workflows', 'ci.yml'),
    `on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: flake8
  security:
    uses: acme/platform-actions/.github/workflows/security-scan.yml@v1
    with:
      scan-path: .
  build:
    needs: [lint, security]
    runs-on: ubuntu-latest
    steps:
      - run: make
`,
  );
  const id = { repositories: ['acme/platform-actions'], actions: ourActions(), workflows: ourWorkflows(), checkedIsOurs: false };
  const d = discover(repo, id, () => ({}));
  const keys = (s: Set<string>) => [...s].map((k) => k.replace(/^.*#/, '')).sort();

  it.each([
    // security-scan.yml is plan → trivy (images) and trivy-folder (shards) → verdict, with gitleaks beside them.
    [[], [], ['lint', 'security', 'plan', 'trivy', 'trivy-folder', 'verdict', 'gitleaks', 'build']],
    [['lint'], [], ['lint']],
    // A calling job taken whole takes the jobs it calls; a stage of ours takes its job and the call leading to it.
    [['security'], [], ['security', 'plan', 'trivy', 'trivy-folder', 'verdict', 'gitleaks']],
    [['gitleaks-scan'], [], ['security', 'gitleaks']],
    // Skipping the action skips the jobs that run it; the plan and the verdict (which only reads reports) stay.
    [[], ['trivy-scan'], ['lint', 'security', 'plan', 'verdict', 'gitleaks', 'build']],
    [[], ['security'], ['lint', 'build']],
  ])('--only %j --skip %j', (only, skip, want) => {
    expect(keys(selectJobs(d.graph, only, skip))).toEqual([...want].sort());
  });

  it('a name that matches nothing is an error naming the jobs', () => {
    expect(() => selectJobs(d.graph, ['deploy'], [])).toThrow(
      '--only/--skip: no job, stage or action "deploy" (jobs: lint, security, plan, trivy, trivy-folder, verdict, gitleaks, build)',
    );
  });
});

describe('services', () => {
  const evaluate = (v: unknown) => {
    if (typeof v === 'string' && v.includes('secrets.')) throw new Error('secrets.DB_PASSWORD can only be evaluated by GitHub');
    return (v ?? null) as never;
  };

  it('reads image, env and ports as GitHub does; an empty image starts nothing', () => {
    const plans = planServices(
      {
        db: { image: 'postgres:15-alpine', env: { POSTGRES_PASSWORD: 'pw', POSTGRES_DB: '${{ secrets.DB_PASSWORD }}' }, ports: ['5432:5432', '127.0.0.1:6000:6000/tcp'] },
        cache: { image: 'redis:7', ports: ['6379'] },
        bitnami: { image: 'bitnami/postgresql:16' },
        mongo: 'mongo:6',
        none: { image: '' },
      },
      evaluate,
    );
    expect(plans).toEqual([
      {
        id: 'db',
        image: 'postgres:15-alpine',
        kind: 'postgres',
        tag: '15-alpine',
        env: { POSTGRES_PASSWORD: 'pw' },
        ports: [
          { container: '5432', host: '5432' },
          { container: '6000', host: '6000' },
        ],
        notes: ['env POSTGRES_DB: secrets.DB_PASSWORD can only be evaluated by GitHub; left out'],
      },
      { id: 'cache', image: 'redis:7', kind: 'redis', tag: '7', env: {}, ports: [{ container: '6379' }], notes: [] },
      { id: 'bitnami', image: 'bitnami/postgresql:16', kind: 'postgres', tag: '16', env: {}, ports: [], notes: [] },
      { id: 'mongo', image: 'mongo:6', tag: '6', env: {}, ports: [], notes: [] },
    ]);
  });

  it('gives job.services its local ports and points localhost:<published port> at them; passes the container env on', async () => {
    const asked: unknown[] = [];
    const server = (port: number, what: string) => async (o: unknown) => {
      asked.push(o);
      return { port, what, major: what.split(' ')[1].split('.')[0], stop: async () => undefined };
    };
    const plans = planServices(
      {
        postgres: { image: 'postgres:16', env: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'pw' }, ports: ['5432:5432'] },
        redis: { image: 'redis:7', env: { REDIS_PASSWORD: 'r' }, ports: ['6379'] },
        mongo: { image: 'mongo:6', ports: ['27017:27017'] },
      },
      evaluate,
    );
    const s = await startServices(plans, { postgres: server(41000, 'PostgreSQL 15.10'), redis: server(42000, 'Redis 7.0.15') });
    expect(asked).toEqual([{ user: 'app', password: 'pw', database: 'app' }, { password: 'r' }]);
    expect(s.context).toEqual({
      postgres: { id: 'local-postgres', network: '', ports: { '5432': '41000' } },
      redis: { id: 'local-redis', network: '', ports: { '6379': '42000' } },
      mongo: { id: '', network: '', ports: {} },
    });
    expect(s.rewrite('postgresql://app:pw@localhost:5432/app and 127.0.0.1:5432, not localhost:54321 or :6379')).toBe(
      'postgresql://app:pw@localhost:41000/app and 127.0.0.1:41000, not localhost:54321 or :6379',
    );
    expect(s.results).toEqual([
      { id: 'postgres', image: 'postgres:16', local: 'PostgreSQL 15.10 on 127.0.0.1:41000 (for localhost:5432); the job asks for postgres:16; PostgreSQL 15.10 runs here' },
      { id: 'redis', image: 'redis:7', local: 'Redis 7.0.15 on 127.0.0.1:42000' },
      { id: 'mongo', image: 'mongo:6', notLocal: 'not started here: only PostgreSQL (--postgres) and Redis (--redis) services are' },
    ]);
  });

  it('without the flag a service is not started, and says which flag starts it', async () => {
    const s = await startServices(planServices({ postgres: { image: 'postgres:15' } }, evaluate), {});
    expect(s.results).toEqual([{ id: 'postgres', image: 'postgres:15', notLocal: 'not started (pass --postgres)' }]);
  });
});

describe("someone else's actions", () => {
  const work = mkdtempSync(join(tmpdir(), 'pa-host-'));
  const host = (over: Partial<Host> = {}): Host => ({ workspace: work, repository: 'acme/orders', path: process.env.PATH ?? '', runnerTemp: work, docker: () => false, ...over });
  const python3 = onPath('python3')!;

  it.each([
    ['3.11', '3.11.2', true],
    ['3.11.2', '3.11.2', true],
    ['3.x', '3.11.2', true],
    ['3', '3.11.2', true],
    ['3.9', '3.11.2', false],
    ['v22', '22.1.0', true],
    ['>=3.9', '3.11.2', undefined],
    ['lts/*', '22.1.0', undefined],
  ])('version %s with %s on the machine: %s', (wanted, actual, want) => {
    expect(versionMatches(wanted, actual)).toBe(want);
  });

  it('checkout is the working tree; another repository is not run locally', () => {
    expect(mapNotOurs('actions/checkout@v4', { 'fetch-depth': '0' }, host())).toEqual({ done: true, notes: ['the working tree'] });
    expect(mapNotOurs('actions/checkout@v4', { repository: 'ACME/orders' }, host())).toEqual({ done: true, notes: ['the working tree'] });
    expect(mapNotOurs('actions/checkout@v4', { repository: 'acme/charts' }, host())).toEqual({ done: false, notLocal: 'checks out another repository (acme/charts)' });
  });

  it("setup-python: this machine's python when the version matches, else a note and the python on PATH", () => {
    const version = /(\d+\.\d+\.\d+)/.exec(execFileSync(python3, ['--version']).toString())![1];
    const minor = version.split('.').slice(0, 2).join('.');
    const hit = mapNotOurs('actions/setup-python@v5', { 'python-version': minor }, host());
    expect(hit).toMatchObject({ done: true, notes: [expect.stringMatching(new RegExp(`^python ${version} from this machine`))], outputs: { 'python-version': version } });
    const miss = mapNotOurs('actions/setup-python@v5', { 'python-version': '3.4' }, host());
    expect(miss).toMatchObject({ done: true, notes: [expect.stringMatching(new RegExp(`^python 3.4 is not on this machine: the steps after this use python ${version} `))] });
    expect(mapNotOurs('actions/setup-python@v5', { 'python-version': '3.11' }, host({ path: '/nonexistent' }))).toEqual({ done: false, notLocal: 'python is not on this machine' });
  });

  it('setup-python puts the matching python first on PATH when `python` is not it (as the action does)', () => {
    const only = mkdtempSync(join(tmpdir(), 'pa-py-'));
    const exact = onPath(`python3.${/Python 3\.(\d+)/.exec(execFileSync(python3, ['--version']).toString())![1]}`)!;
    symlinkSync(exact, join(only, `${exact.split('/').pop()}`));
    const minor = exact.split('python').pop()!;
    const r = mapNotOurs('actions/setup-python@v5', { 'python-version': minor }, host({ path: only }));
    expect(r.done && 'path' in r && r.path).toHaveLength(1);
    const shims = (r as { path: string[] }).path[0];
    expect(readlinkSync(join(shims, 'python'))).toBe(join(only, exact.split('/').pop()!));
    expect(existsSync(join(shims, 'pip'))).toBe(true);
    expect(dirname(shims)).toBe(work);
  });

  it('docker/build-push-action is a docker build of the same context, file, tags and build args when Docker runs, never a push', () => {
    const r = mapNotOurs(
      'docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83',
      {
        context: 'service',
        file: 'service/Dockerfile',
        tags: 'ghcr.io/acme/orders:1\nghcr.io/acme/orders:latest',
        'build-args': 'A=1\nB=2',
        push: 'true',
        platforms: 'linux/amd64,linux/arm64',
      },
      host({ docker: () => true }),
    );
    expect(r).toMatchObject({
      done: true,
      command: {
        bin: 'docker',
        args: [
          'build',
          '--file',
          'service/Dockerfile',
          '--tag',
          'ghcr.io/acme/orders:1',
          '--tag',
          'ghcr.io/acme/orders:latest',
          '--build-arg',
          'A=1',
          '--build-arg',
          'B=2',
          '--iidfile',
          expect.any(String),
          'service',
        ],
      },
      notes: ['push: true is not done from a laptop: the image is only built here', "built for this machine's platform only, not linux/amd64, linux/arm64"],
    });
    expect(mapNotOurs('docker/build-push-action@v6', {}, host())).toEqual({ done: false, notLocal: 'needs Docker, which is not running here' });
  });

  it.each([
    ['actions/cache@v4', 'no cache on a laptop: the steps after it find what this machine has'],
    ['actions/upload-artifact@v4', 'no artifacts from a laptop: the files stay where the steps wrote them'],
    ['github/codeql-action/upload-sarif@v3', 'nothing is uploaded to code scanning from a laptop (the stage reports its findings here)'],
    ['github/codeql-action/analyze@v3', 'CodeQL runs on GitHub'],
    ['actions/setup-java@v4', 'installs a tool on the runner: the steps after it use what this machine has'],
    ['docker/login-action@v3', 'no registry login from a laptop'],
    ['slackapi/slack-github-action@v2', "someone else's action (slackapi/slack-github-action): its outputs are empty here"],
    ['docker://alpine:3', 'a Docker container action'],
    ['./.github/actions/node-thing', 'a local JavaScript or Docker action that is not ours'],
  ])('%s: %s', (uses, why) => {
    expect(mapNotOurs(uses, {}, host())).toEqual({ done: false, notLocal: why });
  });

  it.each([
    ['docker build -t x .', true],
    ['set -e\ndocker compose up -d', true],
    ['make && docker push x', true],
    ['if true; then docker build .; fi', true],
    ['sudo docker info', true],
    ['echo docker build', false],
    ['./build-docker.sh', false],
    ['DOCKER_HOST=x make', false],
  ])('%j calls docker: %s', (script, want) => {
    expect(callsDocker(script)).toBe(want);
  });
});

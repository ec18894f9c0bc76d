// The jobs the five starters added for issue 28 — build and scan, Python and front-end checks, SAST,
// notifications, releases, Render, cleanup and rollback — as GitHub runs them, encoded as rules over the
// workflows we ship, each quoting the GitHub documentation it encodes; and their scripts run as the runner
// runs them (test/helpers/workflows.ts: runStep), against real git repositories and a real HTTP receiver.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { condition, type Value } from '@platform-actions/expressions';
import { errorLines, load, needsOf, ourWorkflow, permissionsOf, reusable, runStep, shipped, stepNamed, templates, type Job, type Step } from '../helpers/workflows.js';

const jobsOf = (files: string[]) => files.flatMap((f) => Object.entries(load(f).jobs ?? {}).map(([id, job]) => ({ f, id, job })));
const usesIn = (job: Job) => (job.steps ?? []).map((s) => s.uses ?? '').filter(Boolean);
const runsIn = (job: Job) => (job.steps ?? []).map((s) => s.run ?? '').join('\n');

describe('permissions: each job asks only for what its steps use', () => {
  // "You can use permissions to modify the default permissions granted to the GITHUB_TOKEN ... allowing
  // only the minimum required access." — https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions
  // What needs which write scope (each action's README): pushing an image or deleting a package version
  // (packages), code scanning uploads and CodeQL (security-events), our actions' sticky PR comments
  // (pull-requests; the verdict's is the one comment of a fanned-out workflow), pushing a tag (contents), OIDC (id-token).
  const commenting = ['trivy-scan', 'gitleaks-scan', 'helm-validate', 'tf-lock-check', 'migration-test', 'test-report', 'verdict'];
  const needs: Record<string, (job: Job) => boolean> = {
    packages: (j) => usesIn(j).some((u) => /^(docker\/login-action|actions\/delete-package-versions)@/.test(u)),
    'security-events': (j) => usesIn(j).some((u) => u.startsWith('github/codeql-action/')),
    'pull-requests': (j) => usesIn(j).some((u) => commenting.some((a) => u.replace(/@.*$/, '').endsWith(`/actions/${a}`))) || /gh pr comment|issues\/.*\/comments/.test(runsIn(j)),
    contents: (j) =>
      /\bgit push\b|gh release|git tag -a|--method PATCH/.test(runsIn(j)) || usesIn(j).some((u) => u.startsWith('actions/create-github-app-token') || u.startsWith('softprops/')),
    'id-token': (j) => usesIn(j).some((u) => u.startsWith('aws-actions/configure-aws-credentials@') || u.startsWith('actions/attest-build-provenance@')),
  };
  const stepJobs = jobsOf(shipped).filter(({ job }) => job.steps);

  test('every job with steps in our workflows and starters sets its own permissions', () => {
    const ours = new Set([...reusable, ...templates]);
    const bad = stepJobs.filter(({ f, job }) => ours.has(f) && job.permissions === undefined).map(({ f, id }) => `${f} ${id}`);
    expect(bad).toEqual([]);
  });

  test('no job holds a write scope none of its steps uses', () => {
    const bad: string[] = [];
    for (const { f, id, job } of stepJobs) {
      for (const [scope, level] of Object.entries(permissionsOf(job))) {
        if (level !== 'write' || !(scope in needs)) continue;
        if (!needs[scope](job)) bad.push(`${f} ${id}: ${scope}: write without a step that needs it`);
      }
    }
    expect(bad).toEqual([]);
    expect(stepJobs.length).toBeGreaterThanOrEqual(40);
  });

  test('container-image: the job that runs the Dockerfile cannot push; the job that pushes runs after the scan', () => {
    const wf = load('.github/workflows/container-image.yml');
    expect(permissionsOf(wf.jobs.build)).toEqual({ contents: 'read', 'security-events': 'write', actions: 'read', 'pull-requests': 'write' });
    expect(permissionsOf(wf.jobs.push)).toEqual({ contents: 'read', packages: 'write' });
    expect(needsOf(wf.jobs.push)).toEqual(['build']);
    // No status function: "A default status check of success() is applied" — a failed scan skips the push.
    // https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#status-check-functions
    expect(wf.jobs.push.if).toBe('inputs.push');
  });
});

describe('gates block', () => {
  // "continue-on-error: Prevents a job from failing when a step fails." — https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepscontinue-on-error
  test('no job or step of any workflow we ship continues on error', () => {
    const bad: string[] = [];
    for (const { f, id, job } of jobsOf(shipped)) {
      if (job['continue-on-error'] !== undefined) bad.push(`${f} ${id}`);
      for (const s of job.steps ?? []) if ((s as Step & { 'continue-on-error'?: unknown })['continue-on-error'] !== undefined) bad.push(`${f} ${id} ${s.name ?? s.uses}`);
    }
    expect(bad).toEqual([]);
  });

  test('the image scan fails the build job at the fail-on threshold, before any push', () => {
    const build = load('.github/workflows/container-image.yml').jobs.build.steps!;
    const scan = build.findIndex((s) => s.id === 'scan');
    expect(build[scan].uses).toBe('$/actions/trivy-scan');
    expect(build[scan].with).toMatchObject({ targets: 'image-input:.platform-actions-image', 'fail-on': '${{ inputs.scan-fail-on }}' });
    // The scanned image is the build step's OCI layout, in the workspace where trivy-scan reads paths.
    const img = build.findIndex((s) => s.id === 'build');
    expect(img).toBeLessThan(scan);
    expect(String(build[img].with?.outputs)).toContain('type=oci,dest=.platform-actions-image,tar=false');
    expect(build[img].with?.push).toBe(false);
    expect(build.some((s) => s.uses?.startsWith('docker/login-action@'))).toBe(false);
  });

  test('python-ci, node-ci and sast gate in their tools and in test-report; every check is a job of its own', () => {
    const py = load('.github/workflows/python-ci.yml');
    expect(Object.keys(py.jobs)).toEqual(['lint', 'types', 'audit', 'tests']);
    const report = py.jobs.tests.steps!.find((s) => s.id === 'report')!;
    expect(report.with).toMatchObject({
      'min-coverage': '${{ inputs.min-coverage }}',
      'min-pass-rate': '${{ inputs.min-pass-rate }}',
      'fail-on-decrease': '${{ inputs.fail-on-decrease }}',
    });
    expect(py.jobs.tests.strategy).toMatchObject({ 'fail-fast': false, matrix: { python: '${{ fromJSON(inputs.python-versions) }}' } });
    const node = load('.github/workflows/node-ci.yml');
    expect(node.jobs.tests.steps!.find((s) => s.id === 'report')!.with).toMatchObject({
      'min-coverage': '${{ inputs.min-coverage }}',
      'min-pass-rate': '${{ inputs.min-pass-rate }}',
    });
    expect(node.jobs.lint.steps!.map((s) => s.name).filter(Boolean)).toEqual(['npm ci', 'eslint', 'prettier']);
    expect(Object.keys(load('.github/workflows/sast.yml').jobs)).toEqual(['bandit', 'semgrep', 'codeql']);
    expect(stepNamed('.github/workflows/sast.yml', 'semgrep', 'semgrep').run).toContain('--error');
  });
});

describe('what each team asked for, in its starter', () => {
  const starter = (name: string) => load(`workflows-templates/${name}.yml`);
  const call = (name: string, job: string) => starter(name).jobs[job];

  test.each([
    // [starter, job, min-coverage, min-pass-rate, python versions]
    ['hardened-python-service', 'python', '40', undefined, '["3.11", "3.9"]'],
    ['flask-react-ci-cd', 'backend', '80', '95', '["3.12"]'],
    ['flask-react-ci-cd', 'frontend', '80', '95', undefined],
    ['ml-staged-deploy', 'python', '70', undefined, '["3.12"]'],
    ['helm-terraform-platform', 'tests', '90', undefined, '["3.12"]'],
    ['versioned-k8s-release', 'python', undefined, undefined, '["3.11"]'],
  ])('%s %s: coverage gate %s, pass rate %s, Python %s', (name, job, coverage, passRate, versions) => {
    const w = call(name, job).with ?? {};
    expect(w['min-coverage']).toBe(coverage);
    expect(w['min-pass-rate']).toBe(passRate);
    if (versions) expect(w['python-versions']).toBe(versions);
  });

  test('hardened service: seven blocking checks (lint+format, types, pip-audit, Bandit, tests on 3.9 and 3.11) plus security, migrations and the image — all needed by ready', () => {
    const wf = starter('hardened-python-service');
    expect(ourWorkflow(wf.jobs.python.uses!)![0]).toBe('.github/workflows/python-ci.yml');
    const py = call('hardened-python-service', 'python').with ?? {};
    expect(py.lint ?? 'black isort flake8').toBe('black isort flake8');
    expect(py.mypy ?? true).toBe(true);
    expect(py['pip-audit'] ?? true).toBe(true);
    expect(JSON.parse(String(py['python-versions'])).sort()).toEqual(['3.11', '3.9']);
    expect(wf.jobs.bandit.with).toMatchObject({ 'bandit-targets': 'app' });
    expect(needsOf(wf.jobs.ready).sort()).toEqual(['bandit', 'image', 'migrations', 'python', 'security']);
    expect(wf.jobs.image.with).toMatchObject({ 'scan-fail-on': 'high' });
  });

  test('ML platform: Black, isort, Flake8, MyPy, pip-audit, Bandit, Semgrep, CodeQL security-and-quality, PostgreSQL 15 and Redis 7', () => {
    const wf = starter('ml-staged-deploy');
    expect(wf.jobs.python.with).toMatchObject({ 'postgres-image': 'postgres:15', 'redis-image': 'redis:7', 'min-coverage': '70' });
    expect(wf.jobs.python.with?.lint).toBeUndefined(); // the default: black isort flake8
    expect(wf.jobs.sast.with).toMatchObject({ 'codeql-languages': 'python', 'codeql-queries': 'security-and-quality', 'bandit-targets': 'ml' });
    expect(wf.jobs.image.with).toMatchObject({ 'scan-scanners': 'vuln,secret,misconfig', latest: "${{ github.ref == 'refs/heads/main' }}" });
  });

  test('Flask + React: Node 20 with eslint, prettier, jest; black and flake8; migrations applied before the backend tests', () => {
    const wf = starter('flask-react-ci-cd');
    expect(wf.jobs.frontend.with).toMatchObject({ 'node-version': '20', 'working-directory': 'frontend' });
    expect(load('.github/workflows/node-ci.yml').jobs.lint.steps!.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with).toMatchObject({ cache: 'npm' });
    expect(wf.jobs.backend.with).toMatchObject({ lint: 'black flake8', 'postgres-image': 'postgres:15', 'before-tests': 'alembic upgrade head' });
  });

  test('realtime service: multi-arch amd64/arm64 image tagged with the computed version, deployed with it', () => {
    const wf = starter('versioned-k8s-release');
    expect(wf.jobs.image.with).toMatchObject({
      platforms: 'linux/amd64,linux/arm64',
      version: '${{ needs.version.outputs.version }}',
      tag: '${{ needs.version.outputs.version || github.sha }}',
    });
    expect(wf.jobs.deploy.with).toMatchObject({ version: '${{ needs.version.outputs.version }}' });
    expect(needsOf(wf.jobs.deploy)).toEqual(expect.arrayContaining(['ready', 'version', 'image']));
    expect(ourWorkflow(wf.jobs.version.uses!)![0]).toBe('.github/workflows/release-version.yml');
    expect(permissionsOf(wf.jobs.version)).toEqual({ contents: 'write' });
    // QEMU for the foreign platform in both the scan build and the push.
    const ci = load('.github/workflows/container-image.yml');
    for (const j of ['build', 'push']) expect(usesIn(ci.jobs[j]).some((u) => u.startsWith('docker/setup-qemu-action@'))).toBe(true);
  });

  // "When a workflow is triggered by the schedule event, github.event.schedule holds the cron string that
  // triggered it" — https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#schedule
  test.each([
    ['a pull request', { event_name: 'pull_request', event: {} }, ['charts', 'tests', 'security', 'image', 'infra-staging']],
    ['the daily schedule', { event_name: 'schedule', event: { schedule: '0 4 * * *' } }, ['tests']],
    ['the weekly schedule', { event_name: 'schedule', event: { schedule: '0 5 * * 1' } }, ['security']],
  ])('Helm + Terraform: %s runs %j', (_what, github, expected) => {
    const wf = starter('helm-terraform-platform');
    const crons = (wf.on as { schedule: Array<{ cron: string }> }).schedule.map((s) => s.cron);
    expect(crons).toEqual(['0 4 * * *', '0 5 * * 1']);
    const runs = Object.entries(wf.jobs)
      .filter(([id]) => !['ready', 'deploy', 'notify'].includes(id))
      .filter(([, job]) => job.if === undefined || condition(job.if, { github: github as Record<string, Value> }))
      .map(([id]) => id);
    expect(runs).toEqual(expected);
  });

  test('develop as well as main where the teams use it; daily and weekly security runs', () => {
    const on = (n: string) => starter(n).on as Record<string, { branches?: string[]; cron?: string } | Array<{ cron: string }>>;
    expect((on('helm-terraform-platform').push as { branches: string[] }).branches).toEqual(['$default-branch', 'develop']);
    expect((on('ml-staged-deploy').push as { branches: string[] }).branches).toEqual(['$default-branch', 'develop']);
    expect((on('ml-staged-deploy').pull_request as { branches: string[] }).branches).toEqual(['$default-branch', 'develop']);
    expect((on('versioned-k8s-release').pull_request as { branches: string[] }).branches).toEqual(['$default-branch', 'develop']);
    expect(on('ml-staged-deploy').schedule).toEqual([{ cron: '30 2 * * *' }]);
    expect(on('hardened-python-service').schedule).toEqual([{ cron: '17 3 * * 1' }]);
  });

  test('every starter notifies on a failed check and on every deploy, through the one webhook secret', () => {
    for (const f of templates) {
      const wf = load(f);
      const notify = wf.jobs.notify;
      expect([f, notify && ourWorkflow(notify.uses!)?.[0]]).toEqual([f, '.github/workflows/notify.yml']);
      expect([f, notify.secrets]).toEqual([f, { NOTIFY_WEBHOOK_URL: '${{ secrets.NOTIFY_WEBHOOK_URL }}' }]);
      expect([f, notify.with?.needs]).toEqual([f, '${{ toJSON(needs) }}']);
      const deployJob = wf.jobs.deploy ? 'deploy' : undefined;
      expect([f, needsOf(notify)]).toEqual([f, expect.arrayContaining(['ready', deployJob])]);
      const ctx = (ready: string, deploy: string) => ({ needs: { ready: { result: ready }, deploy: { result: deploy }, rollback: { result: 'skipped' } } });
      // success() is not implied: the condition starts with always().
      expect([f, String(notify.if).startsWith('always() &&')]).toEqual([f, true]);
      expect([f, condition(notify.if, ctx('failure', 'skipped'))]).toEqual([f, true]);
      expect([f, condition(notify.if, ctx('success', 'success'))]).toEqual([f, true]);
      expect([f, condition(notify.if, ctx('success', 'failure'))]).toEqual([f, true]);
      expect([f, condition(notify.if, ctx('success', 'skipped'))]).toEqual([f, false]);
    }
  });
});

describe('notify: one Slack-compatible message', () => {
  // A receiver in its own process: runStep blocks this one while the step runs.
  let receiver: ChildProcess;
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'pa-notify-'));
  beforeAll(async () => {
    writeFileSync(
      join(dir, 'server.mjs'),
      `import { createServer } from 'node:http'; import { appendFileSync } from 'node:fs';
       const s = createServer((req, res) => { let b = ''; req.on('data', (d) => (b += d)); req.on('end', () => {
         appendFileSync(process.argv[2], JSON.stringify({ path: req.url, type: req.headers['content-type'], body: b }) + '\\n');
         res.statusCode = req.url.includes('/down') ? 500 : 200; res.end('ok'); }); });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    );
    receiver = spawn(process.execPath, [join(dir, 'server.mjs'), join(dir, 'requests.jsonl')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((res) => receiver.stdout!.once('data', (d: Buffer) => res(d.toString().trim())));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => void receiver?.kill());
  const step = () => stepNamed('.github/workflows/notify.yml', 'notify', 'send');
  const needs = (r: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { result: v, outputs: {} }])));
  const base = {
    TITLE: 'ml-api deploy',
    DETAILS: '',
    REPOSITORY: 'acme/ml-platform',
    REF_NAME: 'main',
    SHA: 'abcdef1234567890',
    RUN_URL: 'https://github.com/acme/ml-platform/actions/runs/42',
  };
  const received = () =>
    readFileSync(join(dir, 'requests.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; type: string; body: string });

  test('a deploy that succeeded: one success message naming the repository, ref and run; the URL never printed', () => {
    const r = runStep(step(), { ...base, NEEDS: needs({ ready: 'success', deploy: 'success' }), WEBHOOK_URL: `${url}/hooks/T000/B000/secret-part` });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.output).toBe('status=success\n');
    const [req] = received().slice(-1);
    expect(req.path).toBe('/hooks/T000/B000/secret-part');
    expect(req.type).toBe('application/json');
    const { text } = JSON.parse(req.body) as { text: string };
    expect(text).toContain(':white_check_mark: *ml-api deploy* succeeded — acme/ml-platform@main (abcdef1)');
    expect(text).toContain('<https://github.com/acme/ml-platform/actions/runs/42|the run>');
    expect(r.stdout.replace(/^::add-mask::.*$/m, '')).not.toContain('secret-part');
  });

  test('a failed check: a failure message naming each failed or cancelled job', () => {
    const r = runStep(step(), { ...base, NEEDS: needs({ ready: 'failure', deploy: 'skipped', image: 'cancelled' }), WEBHOOK_URL: `${url}/hook` });
    expect(r.status).toBe(0);
    expect(r.output).toBe('status=failure\n');
    expect((JSON.parse(received().slice(-1)[0].body) as { text: string }).text).toContain(':x: *ml-api deploy* failed: ready failure, image cancelled');
  });

  test('no webhook: a notice, and the job passes (a fork pull request has no secrets)', () => {
    const before = received().length;
    const r = runStep(step(), { ...base, NEEDS: needs({ ready: 'failure' }), WEBHOOK_URL: '' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^::notice title=notify::no message sent \(ml-api deploy failed: ready failure\): the NOTIFY_WEBHOOK_URL secret is empty/m);
    expect(received().length).toBe(before);
  });

  test('a receiver that fails, a URL that is not https, needs that are not toJSON(needs): one error line each', () => {
    const down = runStep(step(), { ...base, NEEDS: needs({ deploy: 'success' }), WEBHOOK_URL: `${url}/down` });
    expect([down.status, errorLines(down.stdout)]).toEqual([1, ['::error title=notify::the webhook answered HTTP 500']]);
    const plain = runStep(step(), { ...base, NEEDS: needs({ deploy: 'success' }), WEBHOOK_URL: 'http://hooks.example.com/x' });
    expect([plain.status, errorLines(plain.stdout)]).toEqual([1, ['::error title=NOTIFY_WEBHOOK_URL::the NOTIFY_WEBHOOK_URL secret is not an https:// URL']]);
    const bad = runStep(step(), { ...base, NEEDS: 'deploy', WEBHOOK_URL: `${url}/hook` });
    expect([bad.status, errorLines(bad.stdout).length]).toEqual([1, 1]);
  });
});

describe('release-version: the next version from Conventional Commits, on real repositories', () => {
  const git = (cwd: string, ...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...a], { cwd, encoding: 'utf8' }).trim();
  const repo = (tag: string | undefined, messages: string[]) => {
    const d = mkdtempSync(join(tmpdir(), 'pa-semver-'));
    git(d, 'init', '-q', '-b', 'main');
    git(d, 'commit', '-q', '--allow-empty', '-m', 'chore: start');
    if (tag) git(d, 'tag', '-a', tag, '-m', tag);
    for (const m of messages) git(d, 'commit', '-q', '--allow-empty', '-m', m);
    return d;
  };
  const next = (d: string, initial = '0.1.0') => {
    const r = runStep(stepNamed('.github/workflows/release-version.yml', 'version', 'next'), { INITIAL_VERSION: initial }, { cwd: d });
    expect(r.stderr).toBe('');
    return Object.fromEntries(
      r.output
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  };

  test.each([
    ['v1.4.2', ['fix: round prices', 'docs: readme'], 'v1.4.3', 'patch'],
    ['v1.4.2', ['fix: a', 'feat(signals): RSI', 'chore: deps'], 'v1.5.0', 'minor'],
    ['v1.4.2', ['perf: cache the window'], 'v1.4.3', 'patch'],
    ['v1.4.2', ['feat!: drop the v1 API'], 'v2.0.0', 'major'],
    ['v1.4.2', ['refactor: engine\n\nBREAKING CHANGE: the config file moved'], 'v2.0.0', 'major'],
    // 0.x may break in a minor release (semver.org item 4).
    ['v0.3.1', ['feat(api)!: new order schema'], 'v0.4.0', 'minor'],
  ])('after %s, %j → %s (%s)', (tag, messages, version, bump) => {
    expect(next(repo(tag, messages))).toEqual({ released: 'true', version, previous: tag, bump });
  });

  test('only docs, chore, ci, test or style since the last release: no release, the version stays', () => {
    expect(next(repo('v1.4.2', ['docs: x', 'ci: y', 'test: z', 'style: w', 'chore(deps): bump']))).toEqual({
      released: 'false',
      version: 'v1.4.2',
      previous: 'v1.4.2',
      bump: 'none',
    });
  });

  test('no release yet: the initial version; a pre-release tag is not a release', () => {
    expect(next(repo(undefined, ['feat: first']), '1.0.0')).toEqual({ released: 'true', version: 'v1.0.0', previous: '', bump: 'initial' });
    const d = repo('v1.0.0', ['feat: x']);
    git(d, 'tag', '-a', 'v1.1.0-rc.1', '-m', 'rc');
    git(d, 'commit', '-q', '--allow-empty', '-m', 'fix: y');
    expect(next(d)).toMatchObject({ version: 'v1.1.0', previous: 'v1.0.0' });
  });

  test('a bad initial-version is one line', () => {
    const r = runStep(stepNamed('.github/workflows/release-version.yml', 'version', 'next'), { INITIAL_VERSION: 'one' }, { cwd: repo(undefined, []) });
    expect([r.status, errorLines(r.stdout)]).toEqual([1, ["::error title=initial-version::initial-version 'one' is not X.Y.Z"]]);
  });

  test('the tag is pushed with the token in an http header from git’s environment, never in a URL or argv', () => {
    const d = repo('v1.4.2', ['feat: x']);
    const remote = mkdtempSync(join(tmpdir(), 'pa-remote-'));
    git(remote, 'init', '-q', '--bare', 'acme/svc.git');
    const r = runStep(
      stepNamed('.github/workflows/release-version.yml', 'version', 'Tag the release'),
      { VERSION: 'v1.5.0', PREVIOUS: 'v1.4.2', GH_TOKEN: 'ghs_tagtoken123', SERVER_URL: `file://${remote}`, REPOSITORY: 'acme/svc' },
      { cwd: d },
    );
    expect(r.status).toBe(0);
    expect(git(join(remote, 'acme/svc.git'), 'tag', '-l')).toBe('v1.5.0');
    expect(git(join(remote, 'acme/svc.git'), 'tag', '-l', '-n9', 'v1.5.0')).toContain('- feat: x');
    expect(r.stdout + r.stderr).not.toContain('ghs_tagtoken123');
    expect(stepNamed('.github/workflows/release-version.yml', 'version', 'Tag the release').run).not.toMatch(/https:\/\/[^"]*\$GH_TOKEN|x-access-token:\$/);
  });
});

describe('Render: deploy hook, smoke test, rollback hook (hardened service)', () => {
  let receiver: ChildProcess;
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'pa-render-'));
  beforeAll(async () => {
    // A stand-in for Render's deploy hook and for the service it deploys (/healthz names the running version).
    writeFileSync(
      join(dir, 'server.mjs'),
      `import { createServer } from 'node:http'; import { appendFileSync } from 'node:fs';
       const s = createServer((req, res) => { appendFileSync(process.argv[2], req.method + ' ' + req.url + '\\n');
         if (req.url.startsWith('/deploy/')) { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ deploy: { id: 'dep-1' } })); return; }
         if (req.url === '/healthz') { res.end('{"status":"ok","version":"abc123"}'); return; }
         res.statusCode = 404; res.end(); });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    );
    receiver = spawn(process.execPath, [join(dir, 'server.mjs'), join(dir, 'requests.log')], { stdio: ['ignore', 'pipe', 'inherit'] });
    url = `http://127.0.0.1:${await new Promise<string>((res) => receiver.stdout!.once('data', (d: Buffer) => res(d.toString().trim())))}`;
  });
  afterAll(() => void receiver?.kill());
  const deploy = load('workflows-templates/hardened-python-service.yml').jobs.deploy;
  const requests = () => readFileSync(join(dir, 'requests.log'), 'utf8').trim().split('\n');

  test('the deploy hook gets the image, URL-encoded, and its key is never printed', () => {
    const r = runStep(deploy.steps![0], { HOOK_NAME: 'RENDER_STAGING_DEPLOY_HOOK', DEPLOY_HOOK: `${url}/deploy/srv-1?key=hook-key-1`, IMAGE: 'ghcr.io/acme/orders-api:abc123' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(requests()).toContain('POST /deploy/srv-1?key=hook-key-1&imgURL=ghcr.io%2Facme%2Forders-api%3Aabc123');
    expect(r.stdout).toContain('Render accepted the deploy of ghcr.io/acme/orders-api:abc123 (deploy dep-1)');
    expect(r.stdout.replace(/^::add-mask::.*$/m, '')).not.toContain('hook-key-1');
  });

  test('an empty hook secret is one line naming it and where it goes', () => {
    const r = runStep(deploy.steps![0], { HOOK_NAME: 'RENDER_STAGING_DEPLOY_HOOK', DEPLOY_HOOK: '', IMAGE: 'x' });
    expect([r.status, errorLines(r.stdout)]).toEqual([
      1,
      [expect.stringContaining('RENDER_STAGING_DEPLOY_HOOK is empty: add the Render hook URL as a secret of the staging environment')],
    ]);
  });

  test('the smoke test passes when /healthz names the new version, fails when it names another; a failure runs the rollback hook', () => {
    const smoke = deploy.steps!.find((s) => s.id === 'smoke')!;
    expect(runStep(smoke, { URL: url, EXPECT: 'abc123', SMOKE_ATTEMPTS: '2', SMOKE_INTERVAL: '0' }).status).toBe(0);
    const stale = runStep(smoke, { URL: url, EXPECT: 'def456', SMOKE_ATTEMPTS: '2', SMOKE_INTERVAL: '0' });
    expect([stale.status, errorLines(stale.stdout)]).toEqual([1, [expect.stringContaining('/healthz did not answer 200 with def456')]]);
    const rollback = deploy.steps![2];
    expect(rollback.if).toBe("failure() && steps.smoke.outcome == 'failure'");
    expect(rollback.env).toMatchObject({ HOOK_NAME: 'RENDER_STAGING_ROLLBACK_HOOK', DEPLOY_HOOK: '${{ secrets.RENDER_STAGING_ROLLBACK_HOOK }}', IMAGE: '' });
    const r = runStep(rollback, { HOOK_NAME: 'RENDER_STAGING_ROLLBACK_HOOK', DEPLOY_HOOK: `${url}/deploy/srv-1?key=rollback-key`, IMAGE: '' });
    expect(r.status).toBe(0);
    expect(requests()).toContain('POST /deploy/srv-1?key=rollback-key');
  });

  test('the deploy binds the staging environment (its secrets) and needs the gate and the image', () => {
    expect(deploy.environment).toMatchObject({ name: 'staging' });
    expect(needsOf(deploy)).toEqual(['ready', 'image']);
    expect(deploy.if).toBe("github.event_name == 'push'");
  });
});

// Every reusable workflow these rules range over.
test('the new reusable workflows are covered', () => {
  expect(reusable).toEqual(expect.arrayContaining(['notify', 'python-ci', 'node-ci', 'sast', 'release-version', 'k8s-rollback'].map((n) => `.github/workflows/${n}.yml`)));
});

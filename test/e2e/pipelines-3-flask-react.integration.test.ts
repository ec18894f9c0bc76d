// scenario 3: Flask + React (examples/flask-react-app): push to main, then a pull request.
// The pipeline runs end to end with act; pipelines-harness.ts says what is real and what act cannot do.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toolBin } from '../harness/tools.js';
import { pgBinDir, startPostgres, type Postgres } from '../harness/services/postgres.js';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
import { startFakePypiFeed, type FakePypiFeed } from '../harness/services/fake-pypi-feed.js';
import { type KubeCluster } from '../harness/services/kube.js';
import {
  work,
  warmSecurityTools,
  callerRepo,
  pullRequestEvent,
  pushEvent,
  type ActRun,
  type ActOptions,
  act,
  outputs,
  allPassed,
  stepRan,
  builds,
  pushed,
  sarifs,
  artifacts,
  show,
  perJobDatabases,
  sharedKube,
  type Webhook,
  startWebhook,
} from './pipelines-harness.js';

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

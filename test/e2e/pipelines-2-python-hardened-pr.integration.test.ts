// scenario 2: the hardened Python service (examples/python-service-hardened), pull requests.
// The pipeline runs end to end with act; pipelines-harness.ts says what is real and what act cannot do.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pgBinDir, startPostgres, type Postgres } from '../harness/services/postgres.js';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
import { startFakePypiFeed, type FakePypiFeed } from '../harness/services/fake-pypi-feed.js';
import { startRedis, type Redis } from '../harness/services/redis.js';
import {
  work,
  warmSecurityTools,
  callerRepo,
  pullRequestEvent,
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
  type Webhook,
  startWebhook,
  runWorkflowStep,
} from './pipelines-harness.js';

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

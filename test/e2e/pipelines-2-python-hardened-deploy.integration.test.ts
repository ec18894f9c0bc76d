// scenario 2: the hardened Python service, push to main: Render deploy whose new release never goes live.
// The pipeline runs end to end with act; pipelines-harness.ts says what is real and what act cannot do.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { pgBinDir, startPostgres, type Postgres } from '../harness/services/postgres.js';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
import { startFakePypiFeed, type FakePypiFeed } from '../harness/services/fake-pypi-feed.js';
import { startRedis, type Redis } from '../harness/services/redis.js';
import {
  work,
  warmSecurityTools,
  callerRepo,
  pushEvent,
  type ActRun,
  act,
  escape,
  allPassed,
  stepRan,
  pushed,
  show,
  type Webhook,
  startWebhook,
  type FakeRender,
  startFakeRender,
} from './pipelines-harness.js';

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

// scenario 1: Helm + Terraform microservices (examples/sentiment-platform): push to main, then a pull request.
// The pipeline runs end to end with act; pipelines-harness.ts says what is real and what act cannot do.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toolBin } from '../harness/tools.js';
import { startLockStores, type LockStores } from '../harness/services/lockstores.js';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
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
  finished,
  stepRan,
  builds,
  pushed,
  sarifs,
  artifacts,
  show,
  sharedKube,
  type Webhook,
  startWebhook,
} from './pipelines-harness.js';

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

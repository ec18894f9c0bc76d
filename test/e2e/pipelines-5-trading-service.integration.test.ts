// scenario 5: versioned release to a small cluster (examples/trading-service), pushes to main.
// The pipeline runs end to end with act; pipelines-harness.ts says what is real and what act cannot do.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toolBin } from '../harness/tools.js';
import { startFakeGitHub, type FakeGitHub } from '../harness/services/fake-github.js';
import { type KubeCluster } from '../harness/services/kube.js';
import {
  work,
  warmSecurityTools,
  callerRepo,
  pushEvent,
  type ActRun,
  type ActOptions,
  act,
  outputs,
  finished,
  jsonLines,
  builds,
  pushed,
  show,
  sharedKube,
  type Webhook,
  startWebhook,
} from './pipelines-harness.js';

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

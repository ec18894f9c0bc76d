// readSettings over INPUT_* variables, as the runner sets them: the defaults, a chart deploy, a rollback on
// demand, and the one-line error for each input combination it refuses.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../src/settings.js';

beforeAll(() => {
  process.env.GITHUB_WORKSPACE = mkdtempSync(join(tmpdir(), 'k8s-settings-'));
});
const inputName = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
const setInputs = (inputs: Record<string, string>): void => {
  for (const [k, v] of Object.entries(inputs)) process.env[inputName(k)] = v;
};
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
});

// What a deploy of manifests gets when only manifests is set.
const DEFAULTS = {
  mode: 'deploy',
  strategy: 'manifests',
  manifests: ['k8s'],
  'values-files': [],
  set: [],
  'pending-release': 'fail',
  images: [],
  placeholders: [],
  'server-side': true,
  'field-manager': 'k8s-deploy-rollback',
  'force-conflicts': true,
  timeoutMs: 600_000,
  readinessGraceMs: 60_000,
  'crashloop-restarts': 3,
  rollback: true,
  smoke: { status: 200, retries: 5, timeoutMs: 30_000 },
  kubectl: 'kubectl',
  helm: 'helm',
  'github-deployment': false,
  'webhook-on': 'always',
  annotate: true,
};

describe('readSettings', () => {
  test.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['manifests alone: every default', { manifests: 'k8s' }, DEFAULTS],
    [
      'a chart from a registry: helm, values files by URL, set entries, a namespace',
      { chart: 'oci://registry.example/charts/web', release: 'web', 'values-files': 'https://example.invalid/v.yaml', set: 'image.tag=1.2\nreplicas=2', namespace: 'prod' },
      {
        ...DEFAULTS,
        strategy: 'helm',
        manifests: [],
        chart: 'oci://registry.example/charts/web',
        release: 'web',
        'values-files': ['https://example.invalid/v.yaml'],
        set: ['image.tag=1.2', 'replicas=2'],
        namespace: 'prod',
      },
    ],
    [
      'a rollback of one workload to a revision',
      { mode: 'rollback', workloads: 'deployment/web', revision: '3' },
      { ...DEFAULTS, mode: 'rollback', manifests: [], workloads: { kind: 'workloads', workloads: [{ kind: 'Deployment', name: 'web' }] }, revision: 3 },
    ],
    [
      'a rollback of a Helm release goes through helm',
      { mode: 'rollback', workloads: 'release/web' },
      { ...DEFAULTS, mode: 'rollback', strategy: 'helm', manifests: [], workloads: { kind: 'release', release: 'web' } },
    ],
    [
      'a smoke test and a GitHub deployment',
      { manifests: 'k8s', 'smoke-url': 'https://user:pw@example.invalid/health', 'smoke-body': '^ok$', 'github-deployment': 'true', environment: 'prod' },
      { ...DEFAULTS, smoke: { ...DEFAULTS.smoke, url: 'https://user:pw@example.invalid/health', body: /^ok$/ }, 'github-deployment': true, environment: 'prod' },
    ],
  ])('%s', (_name, inputs, want) => {
    setInputs(inputs);
    expect(readSettings()).toEqual(want);
  });

  test.each<[Record<string, string>, string]>([
    [{ manifests: 'k8s', chart: 'oci://r/c', release: 'web' }, 'input "chart" cannot be combined with manifests: deploy either manifests or a Helm chart'],
    [{}, 'input "manifests" is required (files, directories, globs or kustomize directories), unless chart is set'],
    [{ manifests: 'k8s', workloads: 'deployment/web' }, 'input "workloads" is for mode: rollback (a rollback on demand); a deploy takes manifests or chart'],
    [{ manifests: 'k8s', revision: '2' }, 'input "revision" is for mode: rollback (a rollback on demand); a deploy takes manifests or chart'],
    [{ chart: 'oci://r/c' }, 'input "release" is required with chart (the Helm release name)'],
    [{ manifests: 'k8s', release: 'Web_1' }, 'input "release" must be a Helm release name (lowercase letters, digits and -); got "Web_1"'],
    [{ manifests: 'k8s', namespace: 'Prod' }, 'input "namespace" must be a Kubernetes namespace name; got "Prod"'],
    [{ manifests: 'k8s', 'smoke-url': 'ftp://user:pw@example.invalid/' }, 'input "smoke-url" must be an http(s) URL; got "ftp://***@example.invalid/"'],
    [{ manifests: 'k8s', 'smoke-url': 'not a url' }, 'input "smoke-url" must be an http(s) URL; got "not a url"'],
    [{ manifests: 'k8s', 'smoke-body': '(' }, 'input "smoke-body" must be a regular expression; got "("'],
    [{ manifests: 'k8s', 'github-deployment': 'true' }, 'input "environment" is required with github-deployment: true (the GitHub environment to record the deployment in)'],
    [{ manifests: 'k8s', set: 'novalue' }, 'input "set" entries must look like key=value; got "novalue"'],
    [
      { mode: 'rollback', manifests: 'k8s', workloads: 'deployment/web' },
      'input "manifests" does not go with mode: rollback, which rolls back what is deployed: name it in workloads (deployment/<name>, release/<name>)',
    ],
    [
      { mode: 'rollback', chart: 'oci://r/c', workloads: 'deployment/web' },
      'input "chart" does not go with mode: rollback, which rolls back what is deployed: name it in workloads (deployment/<name>, release/<name>)',
    ],
  ])('refuses %j', (inputs, message) => {
    setInputs(inputs);
    expect(() => readSettings()).toThrow(message);
  });
});

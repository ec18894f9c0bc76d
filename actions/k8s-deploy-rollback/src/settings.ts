// Every input, validated before anything touches the cluster; each error names the input and what was
// expected. Field names equal the action.yml input names.
import { addSecret, addUrlSecret, addUrlSecretsIn, core, InputError, inputs, readYaml, redactUrl, resolveRepoPath, workspace, YamlError } from '@platform-actions/kit';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { type ImageRule, parseImageRules, parsePlaceholders, parseWorkloads, type Placeholder, type RollbackTargets } from './manifests.js';
import { checkWebhookUrl, WEBHOOK_ON, type WebhookOn } from './notify.js';
import { parseCommand } from './smoke.js';

export const PENDING = ['fail', 'rollback'] as const;
const MODES = ['deploy', 'rollback'] as const;

export interface Settings {
  /** deploy: manifests or a chart; rollback: workloads back to a recorded revision, on demand. */
  mode: (typeof MODES)[number];
  /** How the cluster is changed: kubectl (manifests, workloads) or helm (chart, release/<name>). */
  strategy: 'manifests' | 'helm';
  /** mode rollback: what goes back, and to which revision (undefined: each one's previous). */
  workloads?: RollbackTargets;
  revision?: number;
  manifests: string[];
  chart?: string;
  release?: string;
  'chart-version'?: string;
  'values-files': string[];
  set: string[];
  'pending-release': (typeof PENDING)[number];
  namespace?: string;
  images: ImageRule[];
  placeholders: Placeholder[];
  'server-side': boolean;
  'field-manager': string;
  'force-conflicts': boolean;
  timeoutMs: number;
  readinessGraceMs: number;
  'crashloop-restarts': number;
  rollback: boolean;
  smoke: { url?: string; status: number; body?: RegExp; retries: number; command?: string[]; timeoutMs: number };
  kubectl: string;
  helm: string;
  environment?: string;
  'environment-url'?: string;
  'github-deployment': boolean;
  token?: string;
  'webhook-url'?: string;
  'webhook-on': WebhookOn;
  annotate: boolean;
}

export const DEFAULT_READINESS_GRACE = '60s';

export function readSettings(): Settings {
  const mode = inputs.oneOf('mode', MODES, { default: 'deploy' });
  const manifests = inputs.list('manifests', { separators: 'newline' });
  const chart = inputs.string('chart');
  if (mode === 'deploy') checkDeployInputs(manifests, chart);
  const rollback = mode === 'rollback' ? rollbackTargets(manifests, chart) : undefined;
  const release = checkedName('release', 'must be a Helm release name (lowercase letters, digits and -)');
  if (chart && !release) throw new InputError('release', 'is required with chart (the Helm release name)');
  const namespace = checkedName('namespace', 'must be a Kubernetes namespace name');
  const smokeUrl = checkedSmokeUrl();
  const body = smokeBody();
  const allowLoopback = inputs.boolean('webhook-allow-http-loopback', { default: false });
  const webhook = inputs.secret('webhook-url');
  if (webhook) addUrlSecret(webhook);
  const githubDeployment = inputs.boolean('github-deployment', { default: false });
  const environment = inputs.string('environment');
  if (githubDeployment && !environment) throw new InputError('environment', 'is required with github-deployment: true (the GitHub environment to record the deployment in)');
  return {
    mode,
    strategy: chart || rollback?.workloads.kind === 'release' ? 'helm' : 'manifests',
    workloads: rollback?.workloads,
    revision: rollback?.revision,
    manifests,
    chart: chart && checkedChart(chart),
    release,
    'chart-version': inputs.string('chart-version'),
    'values-files': inputs.list('values-files', { separators: 'newline' }).map(checkedValuesFile),
    set: inputs.list('set', { separators: 'newline' }).map(checkedSetEntry),
    'pending-release': inputs.oneOf('pending-release', PENDING, { default: 'fail' }),
    namespace,
    images: parseImageRules(inputs.list('images', { separators: 'newline' })),
    placeholders: parsePlaceholders(inputs.list('placeholders', { separators: 'newline' })),
    'server-side': inputs.boolean('server-side', { default: true }),
    'field-manager': inputs.string('field-manager', { default: 'k8s-deploy-rollback' })!,
    'force-conflicts': inputs.boolean('force-conflicts', { default: true }),
    timeoutMs: inputs.duration('timeout', { default: '10m', minMs: 10_000, maxMs: 6 * 3_600_000 }),
    readinessGraceMs: inputs.duration('readiness-grace', { default: DEFAULT_READINESS_GRACE, minMs: 0, maxMs: 3_600_000 }),
    'crashloop-restarts': inputs.integer('crashloop-restarts', { default: 3, min: 1, max: 100 }),
    rollback: inputs.boolean('rollback', { default: true }),
    smoke: {
      url: smokeUrl,
      status: inputs.integer('smoke-status', { default: 200, min: 100, max: 599 }),
      body,
      retries: inputs.integer('smoke-retries', { default: 5, min: 0, max: 20 }),
      command: parseCommand(inputs.string('smoke-command')),
      timeoutMs: inputs.duration('smoke-timeout', { default: '30s', minMs: 1000, maxMs: 3_600_000 }),
    },
    kubectl: inputs.string('kubectl', { default: 'kubectl' })!,
    helm: inputs.string('helm', { default: 'helm' })!,
    environment,
    'environment-url': inputs.string('environment-url'),
    'github-deployment': githubDeployment,
    token: inputs.secret('token'),
    'webhook-url': checkWebhookUrl(webhook, allowLoopback),
    'webhook-on': inputs.oneOf('webhook-on', WEBHOOK_ON, { default: 'always' }),
    annotate: inputs.boolean('annotate', { default: true }),
  };
}

/** mode: deploy — manifests or a chart, one of them; the rollback-on-demand inputs do not go with it. */
function checkDeployInputs(manifests: string[], chart: string | undefined): void {
  if (manifests.length && chart) throw new InputError('chart', 'cannot be combined with manifests: deploy either manifests or a Helm chart');
  if (!manifests.length && !chart) throw new InputError('manifests', 'is required (files, directories, globs or kustomize directories), unless chart is set');
  for (const name of ['workloads', 'revision'])
    if (inputs.string(name)) throw new InputError(name, 'is for mode: rollback (a rollback on demand); a deploy takes manifests or chart');
}

/** A Helm release or namespace name: both are DNS labels (lowercase letters, digits and -). */
function checkedName(input: 'release' | 'namespace', expected: string): string | undefined {
  const name = inputs.string(input);
  if (name && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new InputError(input, expected, name);
  return name;
}

function checkedSmokeUrl(): string | undefined {
  const smokeUrl = inputs.string('smoke-url');
  if (!smokeUrl) return undefined;
  addUrlSecret(smokeUrl); // credentials in it are masked before the URL is ever checked or printed
  try {
    const u = new URL(smokeUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new InputError('smoke-url', 'must be an http(s) URL', redactUrl(smokeUrl));
  }
  return smokeUrl;
}

function smokeBody(): RegExp | undefined {
  const bodyText = inputs.string('smoke-body');
  if (!bodyText) return undefined;
  try {
    return new RegExp(bodyText);
  } catch {
    throw new InputError('smoke-body', 'must be a regular expression', bodyText);
  }
}

function checkedSetEntry(entry: string): string {
  if (!/^[^=\s]+=/.test(entry)) throw new InputError('set', 'entries must look like key=value', entry);
  return entry;
}

/** mode: rollback — the workloads (or Helm release) and the revision; a deploy's inputs do not go with it. */
function rollbackTargets(manifests: string[], chart: string | undefined): { workloads: RollbackTargets; revision?: number } {
  if (manifests.length || chart)
    throw new InputError(
      manifests.length ? 'manifests' : 'chart',
      'does not go with mode: rollback, which rolls back what is deployed: name it in workloads (deployment/<name>, release/<name>)',
    );
  const revision = inputs.string('revision') ? inputs.integer('revision', { min: 1, max: 2_147_483_647 }) : undefined;
  return { workloads: parseWorkloads(inputs.list('workloads', { separators: 'newline' }), revision), revision };
}

/**
 * `chart` as given, once a chart helm would read from disk — a path form (./x, ../x, /x) or an existing
 * path in the workspace — is inside the workspace by real path with no link inside it leading out (kit).
 * `repo/chart` and `oci://…` are helm's to fetch.
 */
function checkedChart(chart: string): string {
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(chart) && (chart.startsWith('.') || isAbsolute(chart) || existsSync(join(workspace(), chart)));
  if (local) resolveRepoPath(chart, { input: 'chart', tree: true });
  return chart;
}

/** A values file helm reads, inside the workspace by real path (kit); a URL is helm's to fetch. */
function checkedValuesFile(file: string): string {
  if (!/^https?:\/\//i.test(file)) resolveRepoPath(file, { input: 'values-files', mustExist: 'file' });
  return file;
}

export interface Kubeconfig {
  /** KUBECONFIG for kubectl and helm. */
  path: string;
  cleanup: () => void;
}

/**
 * The kubeconfig from the input (masked line by line, written to a 0600 file in a private folder), or
 * the KUBECONFIG the job already has. Checked for readability and shape before any kubectl call.
 */
export function kubeconfigFromInputs(): Kubeconfig {
  const text = core.getInput('kubeconfig', { trimWhitespace: false });
  if (text.trim()) {
    // Register every credential-looking value (masked in the log, scrubbed from the summary and outputs):
    // kubectl errors quote single fields, never the whole document.
    for (const line of text.split('\n')) {
      const v = line.replace(/^\s*[\w-]+:\s*/, '').trim();
      if (v.length >= 8 && /(data|token|password|key)/i.test(line)) addSecret(v);
    }
    addUrlSecretsIn(text); // a server or proxy URL with user:password@ in it
    checkKubeconfigText(text, 'kubeconfig');
    const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'k8s-deploy-'));
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, text, { mode: 0o600 });
    return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const env = process.env.KUBECONFIG;
  const path = env ? env.split(':')[0] : join(homedir(), '.kube', 'config');
  if (!existsSync(path))
    throw new InputError('kubeconfig', `is empty and ${env ? `KUBECONFIG (${path})` : `~/.kube/config`} does not exist; pass the kubeconfig as a secret or set KUBECONFIG`);
  try {
    accessSync(path, constants.R_OK);
    const text = readFileSync(path, 'utf8');
    addUrlSecretsIn(text);
    checkKubeconfigText(text, `kubeconfig (KUBECONFIG=${path})`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('kubeconfig', `is empty and ${path} cannot be read`);
  }
  return { path: env ?? path, cleanup: () => undefined };
}

function checkKubeconfigText(text: string, what: string): void {
  let doc: unknown;
  try {
    doc = readYaml(text, { file: what });
  } catch (e) {
    // The kit's bounded reader: a bomb or deep nesting is refused like any text that is not a kubeconfig.
    const why = e instanceof YamlError && e.kind === 'limit' ? e.reason.replace(/; it is not read$/, '') : 'is not valid YAML';
    throw new InputError(what, `must be a kubeconfig (YAML with clusters, users and contexts); it ${why}`);
  }
  const d = doc as { clusters?: unknown; kind?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(d.clusters) || d.clusters.length === 0) {
    throw new InputError(what, 'must be a kubeconfig (YAML with clusters, users and contexts); it has no clusters');
  }
}

export const workspaceDir = (): string => workspace();

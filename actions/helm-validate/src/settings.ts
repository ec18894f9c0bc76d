// Inputs → one validated configuration, before any work starts. Every mistake is one line naming the input.
import { type FailOn, inputs, InputError, workspace } from '@platform-actions/kit';
import { parseHelmVersion } from './helm.js';
import { type Overrides, parseOverrides } from './rules.js';
import type { KubeSchema, SchemaStore } from './schema/store.js';

export interface Settings {
  workspace: string;
  charts: string[];
  valuesPatterns: string[];
  /** True when the caller set values-files (not the default patterns): then a pattern matching nothing in a chart is worth a warning. */
  valuesExplicit: boolean;
  validateDefaults: boolean;
  targets: KubeSchema[];
  helmVersion: string;
  helmMirror?: string;
  lint: boolean;
  release: string;
  namespace: string;
  apiVersions: string[];
  schemas: string[];
  unknownKinds: 'notice' | 'fail';
  overrides: Overrides;
  exceptionsFile?: { abs: string; label: string };
  failOn: FailOn;
  dependencyBuild: 'auto' | 'never';
  timeoutMs: number;
  /** base-ref: compare with this revision (changed charts, version bumps). */
  baseRef?: string;
  /** changed-only: with base-ref, validate only the charts that changed. */
  changedOnly: boolean;
  comment: boolean;
  token?: string;
  sarifFile: string;
  sarifCategory: string;
  reportFile: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Used when `values-files` is empty (a reusable workflow passing '' gets the same as leaving it out); `none` means no extra files. */
const DEFAULT_VALUES_PATTERNS = ['values-*.yaml', 'values-*.yml', 'ci/*-values.yaml'];

/** The target versions: each must be a minor this action ships schemas for; default the four newest. */
function parseTargets(items: readonly string[], store: SchemaStore): KubeSchema[] {
  const shipped = store.versions.map((v) => v.split('.').slice(0, 2).join('.'));
  if (!items.length) return shipped.slice(-4).map((m) => store.get(m)!);
  const picked = new Map<string, KubeSchema>();
  for (const item of items) {
    const m = /^v?(1\.\d+)(\.\d+)?$/.exec(item.trim());
    const s = m ? store.get(m[1]) : undefined;
    if (!s) throw new InputError('kubernetes-versions', `must list Kubernetes versions this action has schemas for (${shipped.join(', ')})`, item);
    picked.set(s.minor, s);
  }
  return [...picked.values()].sort((a, b) => Number(a.minor.split('.')[1]) - Number(b.minor.split('.')[1]));
}

function helmVersionInput(): string {
  const v = inputs.string('helm-version', { default: 'system' })!;
  return v === 'system' ? v : parseHelmVersion(v);
}

/** A revision for git: a branch, tag, remote branch or SHA, never an option. */
function baseRefInput(): string | undefined {
  const v = inputs.string('base-ref');
  if (!v) return undefined;
  if (v.startsWith('-') || !/^[A-Za-z0-9][A-Za-z0-9._/@{}^~+-]*$/.test(v)) throw new InputError('base-ref', 'must be a git revision such as origin/main, main or a commit SHA', v);
  return v;
}

function commentAndToken(): { comment: boolean; token?: string } {
  const c = inputs.comment();
  return { comment: c.enabled, ...(c.token ? { token: c.token } : {}) };
}

export function readSettings(store: SchemaStore): Settings {
  const ws = workspace();
  const release = inputs.string('release-name', { default: 'release' })!;
  if (!DNS_LABEL.test(release) || release.length > 53) throw new InputError('release-name', 'must be a lower-case DNS label of at most 53 characters (as helm requires)', release);
  const namespace = inputs.string('namespace', { default: 'default' })!;
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) throw new InputError('namespace', 'must be a lower-case DNS label of at most 63 characters', namespace);
  const exceptions = inputs.string('exceptions-file');
  const failOn = inputs.failOn('high');
  const listed = inputs.list('values-files');
  const valuesPatterns = !listed.length ? DEFAULT_VALUES_PATTERNS : listed.length === 1 && listed[0] === 'none' ? [] : listed;
  for (const p of valuesPatterns)
    if (p.startsWith('/') || p.split('/').includes('..')) throw new InputError('values-files', 'must hold patterns relative to each chart directory', p);
  const valuesExplicit = valuesPatterns.join('\n') !== DEFAULT_VALUES_PATTERNS.join('\n');
  const sarifCategory = inputs.string('sarif-category', { default: 'helm-validate' })!;
  const baseRef = baseRefInput();
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(sarifCategory))
    throw new InputError('sarif-category', 'must be letters, digits, ".", "_", "-" and "/" (a code scanning category)', sarifCategory);
  return {
    workspace: ws,
    charts: inputs.list('charts'),
    valuesPatterns,
    valuesExplicit,
    validateDefaults: inputs.boolean('validate-default-values', { default: true }),
    targets: parseTargets(inputs.list('kubernetes-versions'), store),
    // Checked here, before any work, with helm's own floor (3.8.0) in the message.
    helmVersion: helmVersionInput(),
    helmMirror: inputs.mirror('helm-mirror'),
    lint: inputs.boolean('lint', { default: true }),
    release,
    namespace,
    apiVersions: inputs.list('api-versions'),
    schemas: inputs.list('schemas'),
    unknownKinds: inputs.oneOf('unknown-kinds', ['notice', 'fail'] as const, { default: 'notice' }),
    overrides: parseOverrides('severity-overrides', inputs.list('severity-overrides')),
    ...(exceptions ? { exceptionsFile: { abs: inputs.checkPath('exceptions-file', exceptions, { mustExist: 'file' }), label: exceptions } } : {}),
    failOn,
    dependencyBuild: inputs.oneOf('dependency-build', ['auto', 'never'] as const, { default: 'auto' }),
    timeoutMs: inputs.duration('timeout', { default: '5m', minMs: 1000, maxMs: 3_600_000 }),
    ...(baseRef ? { baseRef } : {}),
    changedOnly: inputs.boolean('changed-only', { default: true }),
    ...commentAndToken(),
    sarifFile: inputs.outputFile('sarif-file', 'helm-validate.sarif'),
    sarifCategory,
    reportFile: inputs.outputFile('report-file', 'helm-validate-report.json'),
  };
}

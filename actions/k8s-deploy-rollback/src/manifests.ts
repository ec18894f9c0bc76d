// Manifests: find the files, parse every YAML document, substitute images and placeholders (the guard
// against leftovers is placeholders.ts). Pure apart from reading files, so it is tested
// with tables; kustomize directories are rendered by kubectl (see kubectl.ts) and come back through
// parseDocuments().
import { globToRegExp, InputError, isInside, readRepoFile, readYamlDocuments, resolveRepoPath, UserError, yamlValue } from '@platform-actions/kit';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { LineCounter } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface LoadedObject {
  obj: K8sObject;
  /** Workspace-relative file (or kustomize directory) it came from, and its document index there. */
  source: string;
  doc: number;
}

/** A manifest source: one file, or a kustomize directory rendered as a whole. */
export interface ManifestSource {
  kind: 'file' | 'kustomize';
  path: string;
}

const YAML_FILE = /\.(ya?ml|json)$/i;
const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export const isKustomizeDir = (dir: string): boolean => KUSTOMIZATION.some((f) => existsSync(join(dir, f)));

/** Manifest files under `dir`; a manifest symlink that leads outside `ws` goes to `outside` (never read). */
function walk(dir: string, out: string[], ws?: string, outside?: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (ws && e.isSymbolicLink() && YAML_FILE.test(e.name) && !isInside(ws, p)) outside?.push(p);
    if (e.isDirectory()) walk(p, out, ws, outside);
    else if (e.isFile() && YAML_FILE.test(e.name)) out.push(p);
  }
}

/** A manifest linked out of the workspace is refused loudly: deploying less than was asked, silently, is worse. */
function refuseLinksOut(links: readonly string[], ws: string): void {
  if (links.length) throw new UserError(`manifests: ${relative(ws, links[0])} is a symlink that leads outside the workspace; it is not read`);
}

/**
 * Resolves the `manifests` entries (files, directories, globs; a directory with a kustomization is one
 * kustomize source) into sources, in the order given. Every entry must match something: a typo that
 * silently deploys less is worse than an error.
 */
export function findSources(entries: readonly string[], workspace: string): ManifestSource[] {
  if (entries.length === 0) throw new InputError('manifests', 'must list at least one file, directory or glob (or set chart for a Helm release)');
  const ws = resolve(workspace);
  const seen = new Set<string>();
  const out: ManifestSource[] = [];
  const add = (s: ManifestSource): void => {
    if (seen.has(s.path)) return;
    seen.add(s.path);
    out.push(s);
  };
  for (const entry of entries) {
    const abs = resolve(ws, entry);
    const rel = relative(ws, abs);
    // By real path (kit): a manifest, folder or kustomization linked out of the workspace is never read.
    if (!/[*?]/.test(entry)) resolveRepoPath(entry, { input: 'manifests', root: ws });
    else if (rel.startsWith('..')) throw new InputError('manifests', `must name paths inside the workspace (${ws})`, entry);
    if (/[*?]/.test(entry)) {
      const re = globToRegExp(rel.split('\\').join('/'));
      const all: string[] = [];
      const outside: string[] = [];
      walk(ws, all, ws, outside);
      refuseLinksOut(
        outside.filter((f) => re.test(relative(ws, f).split('\\').join('/'))),
        ws,
      );
      const hits = all.filter((f) => re.test(relative(ws, f).split('\\').join('/')));
      if (hits.length === 0) throw new InputError('manifests', 'matched no .yaml, .yml or .json file', entry);
      hits.forEach((f) => add({ kind: 'file', path: f }));
      continue;
    }
    if (!existsSync(abs)) throw new InputError('manifests', 'must name an existing file, directory or glob', entry);
    if (statSync(abs).isDirectory()) {
      if (isKustomizeDir(abs)) {
        add({ kind: 'kustomize', path: abs });
        continue;
      }
      const files: string[] = [];
      const outside: string[] = [];
      walk(abs, files, ws, outside);
      refuseLinksOut(outside, ws);
      if (files.length === 0) throw new InputError('manifests', 'names a directory with no .yaml, .yml or .json file', entry);
      files.forEach((f) => add({ kind: 'file', path: f }));
      continue;
    }
    add({ kind: 'file', path: abs });
  }
  return out;
}

/** Parses a multi-document YAML (or JSON) stream into objects; `List` kinds are flattened. */
export function parseDocuments(text: string, source: string): LoadedObject[] {
  const lines = new LineCounter();
  // The kit's bounded reader: an alias bomb or deep nesting ends as one line naming the file.
  const docs = readYamlDocuments(text, { file: `manifests: ${source}`, prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const out: LoadedObject[] = [];
  docs.forEach((d, i) => {
    if (d.errors.length) {
      const e = d.errors[0];
      const line = lines.linePos(e.pos[0]).line;
      throw new UserError(`manifests: ${source}${line ? `:${line}` : ''} is not valid YAML: ${e.message.split('\n')[0]}`);
    }
    const value: unknown = yamlValue(d, `manifests: ${source}`);
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    const items = isList(value) ? value.items : [value];
    for (const item of items) out.push({ obj: checkObject(item, source, i + 1), source, doc: i + 1 });
  });
  return out;
}

function isList(v: unknown): v is { items: unknown[] } {
  const o = v as { kind?: unknown; items?: unknown };
  return typeof o === 'object' && o !== null && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items);
}

function checkObject(v: unknown, source: string, doc: number): K8sObject {
  const where = `manifests: ${source} document ${doc}`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${where} is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)`);
  const o = v as Partial<K8sObject>;
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) throw new UserError(`${where} has no apiVersion`);
  if (typeof o.kind !== 'string' || !o.kind) throw new UserError(`${where} has no kind`);
  if (typeof o.metadata !== 'object' || o.metadata === null) throw new UserError(`${where} (${o.kind}) has no metadata`);
  if (!o.metadata.name && !o.metadata.generateName) throw new UserError(`${where} (${o.kind}) has no metadata.name`);
  return o as K8sObject;
}

/** Reads and parses every file source. */
export function loadFiles(sources: readonly ManifestSource[], workspace: string): LoadedObject[] {
  const out: LoadedObject[] = [];
  for (const s of sources) {
    if (s.kind !== 'file') continue;
    const rel = relative(workspace, s.path);
    out.push(...parseDocuments(readRepoFile(s.path, { root: workspace, label: `manifests: ${rel}` }), rel));
  }
  return out;
}

// ---- substitution ----------------------------------------------------------------------------------

export interface ImageRule {
  /** The image name to match: repository without tag or digest, e.g. "ghcr.io/acme/api" or "api". */
  name: string;
  /** The full replacement, e.g. "ghcr.io/acme/api:1.4.2". */
  image: string;
}

/** Parses `images` entries `name=registry/name:tag`. */
export function parseImageRules(entries: readonly string[]): ImageRule[] {
  return entries.map((e) => {
    const i = e.indexOf('=');
    const name = i > 0 ? e.slice(0, i).trim() : '';
    const image = i > 0 ? e.slice(i + 1).trim() : '';
    if (!name || !image || /\s/.test(image) || /[:@]/.test(name.split('/').pop() ?? '')) {
      throw new InputError('images', 'entries must look like name=registry/name:tag (name without tag or digest)', e);
    }
    return { name, image };
  });
}

/** The repository part of an image reference (no tag, no digest). */
export function imageName(ref: string): string {
  const noDigest = ref.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** A rule matches an image when the names are equal, or the rule's name is the image's last path segment(s). */
export function imageMatches(rule: string, ref: string): boolean {
  const n = imageName(ref);
  return n === rule || n.endsWith(`/${rule}`);
}

export interface Placeholder {
  token: string;
  value: string;
}

/** Parses `placeholders` entries `TOKEN=value`. */
export function parsePlaceholders(entries: readonly string[]): Placeholder[] {
  return entries.map((e) => {
    const i = e.indexOf('=');
    const token = i > 0 ? e.slice(0, i).trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(token)) throw new InputError('placeholders', 'entries must look like TOKEN=value, e.g. VERSION_PLACEHOLDER=v1.4.2', e);
    const value = e.slice(i + 1).trim();
    if (value === '') throw new InputError('placeholders', `gives ${token} an empty value`, e);
    return { token, value };
  });
}

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The pod spec of a workload-like object, if it has one. */
export function podSpec(o: K8sObject): Record<string, unknown> | undefined {
  const path = POD_SPEC_PATHS[o.kind] ?? ['spec', 'template', 'spec'];
  let cur: unknown = o;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>) : undefined;
}

export interface Substituted {
  objects: LoadedObject[];
  /** Which image rules were used, and how often. */
  imagesReplaced: Array<{ rule: string; object: string; container: string; from: string; to: string }>;
}

/** Replaces placeholders in every string value and images in every container; returns new objects. */
export function substitute(loaded: readonly LoadedObject[], rules: readonly ImageRule[], placeholders: readonly Placeholder[]): Substituted {
  const imagesReplaced: Substituted['imagesReplaced'] = [];
  const replaceStrings = (v: unknown): unknown => {
    if (typeof v === 'string') return placeholders.reduce((s, p) => s.split(p.token).join(p.value), v);
    if (Array.isArray(v)) return v.map(replaceStrings);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [replaceStrings(k) as string, replaceStrings(x)]));
    return v;
  };
  const objects = loaded.map((l) => {
    const obj = replaceStrings(l.obj) as K8sObject;
    const spec = podSpec(obj);
    if (spec && rules.length) {
      for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
        const cs = spec[field];
        if (!Array.isArray(cs)) continue;
        for (const c of cs as Array<{ name?: string; image?: string }>) {
          if (typeof c.image !== 'string') continue;
          const rule = rules.find((r) => imageMatches(r.name, c.image!));
          if (!rule) continue;
          imagesReplaced.push({ rule: rule.name, object: objectId(obj), container: c.name ?? '?', from: c.image, to: rule.image });
          c.image = rule.image;
        }
      }
    }
    return { ...l, obj };
  });
  return { objects, imagesReplaced };
}

// ---- identity ----------------------------------------------------------------------------------------

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export const refId = (r: WorkloadRef): string => `${r.kind}/${r.namespace}/${r.name}`;

/** What a rollback on demand targets: workloads by kind/name as kubectl names them, or one Helm release. */
export type RollbackTargets = { kind: 'workloads'; workloads: Array<{ kind: WorkloadKind; name: string }> } | { kind: 'release'; release: string };

const KIND_NAMES: Record<string, WorkloadKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  'deployment.apps': 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  'statefulset.apps': 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
  'daemonset.apps': 'DaemonSet',
};

/**
 * Parses the `workloads` input: `deployment/api` lines (kubectl's kind names and short names), or a single
 * `release/<name>` for a Helm release. A revision number belongs to one workload, so `revision` allows
 * one line only.
 */
export function parseWorkloads(lines: readonly string[], revision: number | undefined): RollbackTargets {
  const expected = 'entries must look like deployment/<name>, statefulset/<name> or daemonset/<name>, or one release/<name> for a Helm release';
  if (lines.length === 0) throw new InputError('workloads', `is required with mode: rollback (${expected.replace('entries must look like ', '')})`);
  const parsed = lines.map((line) => {
    const m = /^([a-z.]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(line.trim());
    if (!m || (m[1] !== 'release' && !KIND_NAMES[m[1]])) throw new InputError('workloads', expected, line);
    return { kind: m[1], name: m[2] };
  });
  if (revision !== undefined && parsed.length > 1)
    throw new InputError(
      'workloads',
      `names ${parsed.length} workloads, but a revision number belongs to one: name one workload with revision, or leave revision empty (each goes back to its previous revision)`,
    );
  const releases = parsed.filter((p) => p.kind === 'release');
  if (releases.length) {
    if (parsed.length > 1) throw new InputError('workloads', 'names a Helm release with other entries: roll back one release, or workloads, per step', lines.join(', '));
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(releases[0].name))
      throw new InputError('workloads', 'names a release that is not a Helm release name (lowercase letters, digits and -)', lines[0]);
    return { kind: 'release', release: releases[0].name };
  }
  return { kind: 'workloads', workloads: parsed.map((p) => ({ kind: KIND_NAMES[p.kind], name: p.name })) };
}
export const objectId = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? o.metadata.generateName}`;

const isWorkload = (o: K8sObject): boolean => (WORKLOAD_KINDS as readonly string[]).includes(o.kind) && /^apps\//.test(o.apiVersion);

/**
 * Gives objects without a namespace the target namespace (never overriding one an object declares),
 * except cluster-scoped kinds the server would reject a namespace on. Returns the workloads touched.
 */
export function placeInNamespace(objects: LoadedObject[], namespace: string, clusterScoped: (o: K8sObject) => boolean): WorkloadRef[] {
  const refs: WorkloadRef[] = [];
  for (const l of objects) {
    if (!l.obj.metadata.namespace && !clusterScoped(l.obj)) l.obj.metadata.namespace = namespace;
    if (isWorkload(l.obj)) refs.push({ kind: l.obj.kind as WorkloadKind, namespace: l.obj.metadata.namespace ?? namespace, name: l.obj.metadata.name ?? '' });
  }
  return refs;
}

/** Kinds that are cluster-scoped in every Kubernetes release (for the namespace default; CRDs are looked up in the cluster). */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
]);

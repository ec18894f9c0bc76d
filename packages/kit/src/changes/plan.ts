// The work a change calls for: the items of one kind (charts, Terraform roots, images, migration
// folders) that exist at the head, and of those, the ones the change touched — with the reasons, so a
// reviewer can see why each item is (or is not) checked. Pure over a repository snapshot and a change
// set, so every shape (renames, deletions, a library chart used by three charts, a module used by
// several roots, a shared .tfbackend) is a table test.
import { posix } from 'node:path';
import { InputError } from '../errors.js';
import { globToRegExp } from '../gate.js';
import { type Cause, describeCauses, ownerOf, touched, under } from './affected.js';
import type { ChangeSet } from './changeset.js';
import { type ChartNode, discoverCharts } from './charts.js';
import type { FileChange } from './diff.js';
import type { RepoSnapshot } from './snapshot.js';
import { discoverTerraform, modulesOf } from './terraform.js';

export const ITEM_KINDS = ['charts', 'terraform', 'images', 'migrations'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** Each kind's noun, singular and plural, for the lines that count items (the plan's summary, the CLI). */
export const ITEM_NOUNS: Record<ItemKind, [string, string]> = {
  charts: ['chart', 'charts'],
  terraform: ['Terraform root', 'Terraform roots'],
  images: ['image', 'images'],
  migrations: ['migration folder', 'migration folders'],
};
/** `3 charts`, `1 Terraform root`. */
export const itemCount = (kind: ItemKind, n: number): string => `${n} ${ITEM_NOUNS[kind][n === 1 ? 0 : 1]}`;

/**
 * Most items one shard's action takes, per kind: trivy-scan writes one SARIF run (and category) per
 * target, and a SARIF file holds at most 20 runs.
 */
export const MAX_ITEMS_PER_SHARD: Partial<Record<ItemKind, number>> = { images: 20 };

export interface WorkItem {
  /** `<kind>:<path>`: stable across runs (durations are recorded under it). */
  id: string;
  kind: ItemKind;
  /** Repository folder (chart, root, migrations), image reference or image tarball path. */
  path: string;
  /** The line the shard's action takes for this item: a chart folder, a root, a trivy target, a migrations folder. */
  input: string;
  /** Size estimate for balancing shards: objects a chart renders, .tf files of a root with its modules, KiB of an image tarball, files of a migration folder. */
  size: number;
  /** Why it is in the plan. */
  reasons: string[];
  /**
   * Its own files changed, not only what it uses or shares (set only when the plan covers a change): a
   * chart that needs a new version, where its users do not.
   */
  direct?: true;
}

export interface RemovedItem {
  id: string;
  kind: ItemKind;
  path: string;
  reason: string;
}

export interface WorkPlan {
  kind: ItemKind;
  /** The range the change set covers, or everything. */
  scope: { label: string; reason: string; everything: boolean; changedFiles: number };
  /** The items to check, by id. */
  items: WorkItem[];
  /** Items that exist but the change did not touch. */
  unchanged: WorkItem[];
  /** Items the change deleted: nothing to check, said so. */
  removed: RemovedItem[];
}

export interface PlanRequest {
  kind: ItemKind;
  /** Folder globs narrowing the items (charts, roots, migration folders); empty: every chart or root. */
  paths: readonly string[];
  /** images: one per line, `<reference>` or `<tarball path>`, optionally followed by the folder it is built from. */
  images?: readonly string[];
  /** A change to any of these files (globs) checks everything. */
  globalFiles?: readonly string[];
}

interface Candidate {
  item: Omit<WorkItem, 'reasons'>;
  /** Folder whose changes (and whose dependencies' changes) touch the item; undefined: always checked. */
  dir?: string;
  /** Extra paths that touch it (an image's tarball). */
  files?: string[];
}

const id = (kind: ItemKind, path: string) => `${kind}:${path}`;
const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '') || '.';

function matcher(patterns: readonly string[], strip?: RegExp): (dir: string) => boolean {
  if (!patterns.length) return () => true;
  const res = patterns.map((p) => ({ p, re: globToRegExp(norm(strip ? p.replace(strip, '') : p)) }));
  return (dir) => res.some((r) => r.re.test(dir));
}

function requireMatches(input: string, patterns: readonly string[], dirs: readonly string[], what: string, strip?: RegExp): void {
  for (const p of patterns) {
    const re = globToRegExp(norm(strip ? p.replace(strip, '') : p));
    if (!dirs.some((d) => re.test(d))) throw new InputError(input, `matches no ${what}`, p);
  }
}

/**
 * A chart's size: the objects it renders (its templates and its file:// dependencies' templates, once per
 * values variant) plus a dependency build per file:// dependency, which costs about as much as rendering
 * 30 objects (measured with helm-validate: ~0.45 s against ~15 ms per object).
 */
export const DEPENDENCY_BUILD_OBJECTS = 30;
function chartSize(c: ChartNode, all: readonly ChartNode[]): number {
  const depTemplates = c.deps.reduce((n, d) => n + (all.find((x) => x.dir === d)?.templates ?? 0), 0);
  return Math.max(1, c.renders * (c.templates + depTemplates) + DEPENDENCY_BUILD_OBJECTS * c.deps.length);
}

function chartCandidates(snap: RepoSnapshot, req: PlanRequest): { candidates: Candidate[]; nodes: Map<string, string[]> } {
  const charts = discoverCharts(snap);
  const strip = /\/Chart\.yaml$/;
  requireMatches(
    'paths',
    req.paths,
    charts.map((c) => c.dir),
    'chart folder (no Chart.yaml there)',
    strip,
  );
  const wanted = matcher(req.paths, strip);
  return {
    candidates: charts
      .filter((c) => wanted(c.dir))
      .map((c) => ({ item: { id: id('charts', c.dir), kind: 'charts', path: c.dir, input: c.dir, size: chartSize(c, charts) }, dir: c.dir })),
    nodes: new Map(charts.map((c) => [c.dir, c.deps])),
  };
}

function terraformCandidates(snap: RepoSnapshot, req: PlanRequest): { candidates: Candidate[]; nodes: Map<string, string[]>; roots: string[] } {
  const tf = discoverTerraform(snap);
  requireMatches('paths', req.paths, tf.roots, 'Terraform root folder');
  const wanted = matcher(req.paths);
  const roots = tf.roots.filter(wanted);
  const files = (dir: string) => tf.dirs.get(dir)?.tfFiles.length ?? 0;
  return {
    candidates: roots.map((r) => ({
      item: { id: id('terraform', r), kind: 'terraform', path: r, input: r, size: Math.max(1, files(r) + modulesOf(tf, r).reduce((n, m) => n + files(m), 0)) },
      dir: r,
    })),
    nodes: new Map([...tf.dirs.values()].map((d) => [d.dir, d.modules])),
    roots,
  };
}

function folders(files: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of files) for (let d = posix.dirname(f); d !== '.' && !out.has(d); d = posix.dirname(d)) out.add(d);
  return [...out].sort();
}

function migrationCandidates(snap: RepoSnapshot, req: PlanRequest): Candidate[] {
  if (!req.paths.length) throw new InputError('paths', 'must name the migration folders (globs such as db/migrations or services/*/migrations) when kind is migrations');
  const dirs = folders(snap.files);
  requireMatches('paths', req.paths, dirs, 'folder');
  const wanted = matcher(req.paths);
  // A folder inside another matched folder is part of it (alembic's versions/ under migrations/).
  const matched = dirs.filter(wanted);
  const top = matched.filter((d) => !matched.some((p) => p !== d && under(p, d)));
  return top.map((d) => ({ item: { id: id('migrations', d), kind: 'migrations', path: d, input: d, size: Math.max(1, snap.files.filter((f) => under(d, f)).length) }, dir: d }));
}

const TARBALL = /\.(tar|tar\.gz|tgz|oci)$/;

/** images: `<ref>` or `<tarball>` (a repository file), optionally `image:`/`image-input:` as trivy-scan writes them, then an optional build folder. */
export function imageCandidates(snap: RepoSnapshot, lines: readonly string[]): Candidate[] {
  const files = new Set(snap.files);
  const seen = new Set<string>();
  return lines.map((line) => {
    const words = line.trim().split(/\s+/);
    if (words.length > 2) throw new InputError('images', 'must hold one image per line: a reference or a tarball path, optionally followed by the folder it is built from', line);
    let [value] = words;
    const context = words[1] ? norm(words[1]) : undefined;
    let type: 'image' | 'image-input' | undefined;
    const m = /^(image|image-input):(.+)$/.exec(value);
    if (m) [, type, value] = m as unknown as [string, 'image' | 'image-input', string];
    if (!type) type = files.has(norm(value)) || TARBALL.test(value) ? 'image-input' : 'image';
    if (type === 'image-input') {
      value = norm(value);
      if (!files.has(value)) throw new InputError('images', 'names an image tarball that is not in the repository', line);
    }
    if (context !== undefined && context !== '.' && !snap.files.some((f) => under(context, f)))
      throw new InputError('images', `names a build folder ${context} that holds no files`, line);
    if (seen.has(value)) throw new InputError('images', 'lists the same image twice', line);
    seen.add(value);
    // A tarball's KiB: what trivy unpacks and reads (a remote image counts as one unit; nothing tells its size).
    const size = type === 'image-input' ? Math.max(1, Math.round(snap.size(value) / 1024)) : 1;
    return {
      item: { id: id('images', value), kind: 'images', path: value, input: `${type}:${value}`, size },
      dir: context,
      files: type === 'image-input' ? [value] : undefined,
    };
  });
}

/** Removed charts, roots and migration folders: folders whose defining files the change deleted (or moved away). */
function removedItems(kind: ItemKind, snap: RepoSnapshot, changes: readonly FileChange[], keep: (dir: string) => boolean): RemovedItem[] {
  const defining = kind === 'charts' ? /(^|\/)Chart\.yaml$/ : kind === 'terraform' ? /\.tf(\.json)?$/ : undefined;
  if (!defining) return [];
  const present = new Set(snap.files.filter((f) => defining.test(f)).map((f) => posix.dirname(f)));
  const out = new Map<string, RemovedItem>();
  for (const c of changes) {
    const old = c.status === 'deleted' ? c.path : c.status === 'renamed' ? c.from : undefined;
    if (!old || !defining.test(old)) continue;
    const dir = posix.dirname(old);
    if (present.has(dir) || !keep(dir) || out.has(dir)) continue;
    // A subchart vendored in a chart that is still here: that chart changed, and is in the plan.
    const parent = posix.dirname(dir);
    if (kind === 'charts' && posix.basename(parent) === 'charts' && present.has(posix.dirname(parent))) continue;
    const to = c.status === 'renamed' ? posix.dirname(c.path) : undefined;
    out.set(dir, { id: id(kind, dir), kind, path: dir, reason: to ? `moved to ${to}` : `deleted (${posix.basename(old)} removed)` });
  }
  return [...out.values()];
}

/** Each kind's items at the head, and the graph a change is traced through (what charts and roots use). */
interface Candidates {
  candidates: Candidate[];
  nodes?: Map<string, string[]>;
  /** terraform: the roots in the plan, which a shared backend or variables file outside them reaches. */
  roots?: string[];
}
const CANDIDATES: Record<ItemKind, (snap: RepoSnapshot, req: PlanRequest) => Candidates> = {
  charts: chartCandidates,
  terraform: terraformCandidates,
  migrations: (snap, req) => ({ candidates: migrationCandidates(snap, req) }),
  images: (snap, req) => ({ candidates: imageCandidates(snap, req.images ?? []) }),
};

export function planWork(snap: RepoSnapshot, changes: ChangeSet, req: PlanRequest): WorkPlan {
  const { candidates, nodes = new Map<string, string[]>(), roots = [] } = CANDIDATES[req.kind](snap, req);
  candidates.sort((a, b) => (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));
  const scope = scopeOf(changes, req.globalFiles);
  if (scope.everything) return { kind: req.kind, scope, items: candidates.map((c) => ({ ...c.item, reasons: [scope.reason] })), unchanged: [], removed: [] };

  const files = changes.files!;
  // Each candidate's folder is a node, so a change inside it is its own even when nothing depends on it.
  for (const c of candidates) if (c.dir !== undefined && !nodes.has(c.dir)) nodes.set(c.dir, []);
  const causes = touched(nodes, files);
  if (req.kind === 'terraform') addSharedConfig(causes, files, nodes, roots);
  const items: WorkItem[] = [];
  const unchanged: WorkItem[] = [];
  const noun = req.kind === 'charts' ? 'chart' : 'module';
  for (const c of candidates) {
    const item = withReasons(c, causes, files, noun);
    (item.reasons.length ? items : unchanged).push(item);
  }
  const keep = req.kind === 'charts' ? matcher(req.paths, /\/Chart\.yaml$/) : matcher(req.paths);
  return { kind: req.kind, scope, items, unchanged, removed: removedItems(req.kind, snap, files, keep) };
}

/** The range the plan covers: everything when there is no change set, or when a global file changed. */
function scopeOf(changes: ChangeSet, globalFiles: readonly string[] | undefined): WorkPlan['scope'] {
  const files = changes.files;
  const global = files && globalFiles?.length ? globalChange(files, globalFiles) : undefined;
  return {
    label: changes.label,
    reason: global ? `${global.path} changed, and a change to it (global-files) checks everything` : changes.reason,
    everything: files === null || Boolean(global),
    changedFiles: files?.length ?? 0,
  };
}

/** The first changed file a global-files glob matches, where it is now or where it was renamed from. */
function globalChange(files: readonly FileChange[], globs: readonly string[]): FileChange | undefined {
  return files.find((f) => globs.some((g) => globToRegExp(norm(g)).test(f.path) || (f.from && globToRegExp(norm(g)).test(f.from))));
}

/** A candidate with why the change touches it (none: unchanged), and whether its own files changed. */
function withReasons(c: Candidate, causes: ReadonlyMap<string, Cause[]>, files: readonly FileChange[], noun: string): WorkItem {
  const reasons: string[] = [];
  const own = c.dir === undefined ? undefined : (causes.get(c.dir) ?? []);
  if (c.dir === undefined && !c.files) reasons.push('listed, and nothing in the repository tells whether it changed');
  if (c.dir !== undefined) reasons.push(...describeCauses(c.dir, own!, noun));
  for (const f of c.files ?? []) if (files.some((x) => x.path === f || x.from === f)) reasons.push(`${f} changed`);
  const direct = own !== undefined && own.some((x) => x.kind === 'files');
  return { ...c.item, reasons, ...(direct ? { direct: true as const } : {}) };
}

const SHARED_TF = /\.(tfbackend|tfvars|tfvars\.json)$|(^|\/)\.(terraform|opentofu)-version$/;

/**
 * A backend or variables file outside every Terraform folder (backends/prod.tfbackend, common.tfvars) is
 * passed to roots by CI (`-backend-config=../../backends/prod.tfbackend`), which the plan cannot see:
 * it touches every root under the nearest folder above it that holds roots.
 */
function addSharedConfig(causes: Map<string, Cause[]>, files: readonly FileChange[], nodes: ReadonlyMap<string, readonly string[]>, roots: readonly string[]): void {
  const dirs = [...new Set([...nodes.keys(), ...[...nodes.values()].flat()])];
  for (const f of files) {
    if (!SHARED_TF.test(f.path) || ownerOf(dirs, f.path) !== undefined) continue;
    let folder = posix.dirname(f.path);
    let reached = roots.filter((r) => under(folder, r));
    while (!reached.length && folder !== '.') {
      folder = posix.dirname(folder);
      reached = roots.filter((r) => under(folder, r));
    }
    for (const r of reached) causes.set(r, [...(causes.get(r) ?? []), { kind: 'shared', path: f.path }]);
  }
}

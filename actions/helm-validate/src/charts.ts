// Finding charts, their values matrix, their subcharts and their dependencies. Everything here reads the
// checkout only; helm runs elsewhere.
import { core, globToRegExp, InputError, isInside, UserError } from '@platform-actions/kit';
import { type Dirent, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseYaml } from './yaml.js';

export interface Dependency {
  name: string;
  alias?: string;
  repository?: string;
}

export interface Chart {
  /** Absolute directory. */
  dir: string;
  /** Repository-relative directory with forward slashes ('.' for the root). */
  rel: string;
  /** `name` from Chart.yaml: what helm prints in `# Source:`. */
  name: string;
  type: string;
  dependencies: Dependency[];
  /** The chart's templates use .Capabilities or it declares kubeVersion: render once per target version. */
  perVersion: boolean;
  /**
   * Dependencies this run built into charts/ (removed again at the end): name → the chart folder of a
   * file:// dependency, where its findings point, or undefined (a downloaded chart: findings point at Chart.yaml).
   */
  built?: Map<string, string | undefined>;
}

export interface ValuesEntry {
  /** Shown in reports: the values file relative to the chart ('values.yaml' for the chart's defaults). */
  label: string;
  /** Extra values files passed to helm with -f (absolute); empty for the defaults. */
  files: string[];
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.github', 'dist', '.build', 'tmpcharts']);
const toPosix = (p: string) => p.split(sep).join('/');

/** Repository-relative path with forward slashes; '.' for the workspace itself. */
export const relPath = (workspace: string, abs: string): string => toPosix(relative(workspace, abs)) || '.';

function readChartYaml(dir: string, workspace: string): Record<string, unknown> {
  const file = join(dir, 'Chart.yaml');
  const parsed = parseYaml(readFileSync(file, 'utf8'), relPath(workspace, file));
  if (parsed.error || typeof parsed.value !== 'object' || parsed.value === null) {
    throw new UserError(`${relPath(workspace, file)} is not a valid Chart.yaml${parsed.error ? `: line ${parsed.error.line ?? '?'}: ${parsed.error.message}` : ''}`);
  }
  return parsed.value as Record<string, unknown>;
}

/** True when `abs` exists and, with every symlink resolved (the kit's check), is `root` or inside it; a dangling link is not. */
export const insideRealPath = (root: string, abs: string): boolean => existsSync(abs) && isInside(root, abs);

const warnedLinks = new Set<string>();

/**
 * What a directory entry is, following symlinks that stay inside the workspace (a chart or values file
 * shared by linking it into place is validated like any other). A link that leads outside the workspace is
 * never read: one warning names it.
 */
function entryKind(workspace: string, dir: string, e: Dirent): 'file' | 'dir' | undefined {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'dir';
  if (!e.isSymbolicLink()) return undefined;
  const p = join(dir, e.name);
  if (!insideRealPath(workspace, p)) {
    const rel = relPath(workspace, p);
    if (!warnedLinks.has(rel)) {
      warnedLinks.add(rel);
      core.warning(`${rel} is a symlink that leads outside the workspace (or nowhere); it is not read.`);
    }
    return undefined;
  }
  const st = statSync(p);
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : undefined;
}

/** Every directory with a Chart.yaml under `root` (depth-limited; skips VCS and dependency folders). */
function findChartDirs(root: string, maxDepth = 10): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    // A directory reached twice through links (or a link cycle) is walked once.
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const kinds = entries.map((e) => ({ e, kind: entryKind(root, dir, e) }));
    if (kinds.some((k) => k.kind === 'file' && k.e.name === 'Chart.yaml')) out.push(dir);
    if (depth >= maxDepth) return;
    for (const { e, kind } of kinds) if (kind === 'dir' && !SKIP_DIRS.has(e.name)) walk(join(dir, e.name), depth + 1);
  };
  walk(root, 0);
  return out.sort();
}

/** Drops charts vendored inside another chart's charts/ folder: they are validated as part of their parent. */
function topLevel(dirs: readonly string[]): string[] {
  return dirs.filter((d) => !dirs.some((p) => p !== d && toPosix(d).startsWith(`${toPosix(p)}/charts/`)));
}

function templatesUseCapabilities(dir: string): boolean {
  const stack = [join(dir, 'templates'), join(dir, 'charts')];
  while (stack.length) {
    const d = stack.pop()!;
    if (!existsSync(d)) continue;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      // Links were checked by linkOutside() first: the ones left stay inside the workspace.
      const st = e.isSymbolicLink() ? statSync(p, { throwIfNoEntry: false }) : undefined;
      if (e.isDirectory() || st?.isDirectory()) stack.push(p);
      else if (!e.isFile() && !st?.isFile()) continue;
      else if (/\.tgz$/.test(e.name))
        return true; // a packaged subchart: we cannot tell, so assume it does
      else if (/\.(ya?ml|tpl|txt)$/.test(e.name) && readFileSync(p, 'utf8').includes('.Capabilities')) return true;
    }
  }
  return false;
}

/** The first symlink inside a chart that leads outside the workspace: helm would read what it points at. */
function linkOutside(dir: string, workspace: string, depth = 6): string | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink() && !insideRealPath(workspace, p)) return p;
    if (e.isDirectory() && depth > 0 && !SKIP_DIRS.has(e.name)) {
      const found = linkOutside(p, workspace, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

export function loadChart(dir: string, workspace: string): Chart {
  const outside = linkOutside(dir, workspace);
  if (outside)
    throw new UserError(
      `${relPath(workspace, outside)} is a symlink that leads outside the workspace; helm would read it, so chart ${relPath(workspace, dir)} is not rendered. Replace the link with the file, or link to a file inside the repository.`,
    );
  const y = readChartYaml(dir, workspace);
  let deps = Array.isArray(y.dependencies) ? y.dependencies : [];
  const req = join(dir, 'requirements.yaml');
  if (!deps.length && existsSync(req)) {
    const r = parseYaml(readFileSync(req, 'utf8'), relPath(workspace, req)).value as { dependencies?: unknown[] } | null;
    deps = Array.isArray(r?.dependencies) ? r.dependencies : [];
  }
  const dependencies: Dependency[] = deps
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
    .map((d) => ({ name: String(d.name ?? ''), ...(d.alias ? { alias: String(d.alias) } : {}), ...(d.repository ? { repository: String(d.repository) } : {}) }))
    .filter((d) => d.name);
  return {
    dir,
    rel: relPath(workspace, dir),
    name: String(y.name ?? basename(dir)),
    type: String(y.type ?? 'application'),
    dependencies,
    perVersion: Boolean(y.kubeVersion) || templatesUseCapabilities(dir),
  };
}

/** The charts to validate: from `charts` patterns (directories, Chart.yaml paths or globs), else every top-level chart. */
export function discoverCharts(workspace: string, patterns: readonly string[]): Chart[] {
  const all = findChartDirs(workspace);
  let dirs: string[];
  if (!patterns.length) {
    dirs = topLevel(all);
    if (!dirs.length) throw new UserError('no Helm chart found: no Chart.yaml anywhere in the repository (set the "charts" input to the chart directories)');
  } else {
    const picked = new Set<string>();
    for (const raw of patterns) {
      const pat =
        raw
          .replace(/\\/g, '/')
          .replace(/\/Chart\.yaml$/, '')
          .replace(/\/+$/, '')
          .replace(/^\.\//, '') || '.';
      if (/[*?[]/.test(pat)) {
        const re = globToRegExp(pat);
        const hits = all.filter((d) => re.test(relPath(workspace, d)));
        if (!hits.length) throw new InputError('charts', `matches no chart directory (no Chart.yaml under "${pat}")`, raw);
        hits.forEach((h) => picked.add(h));
      } else {
        // Inside the workspace first (real paths): nothing outside it is even probed for a Chart.yaml.
        const abs = resolve(workspace, pat);
        if (!isInside(workspace, abs)) {
          const lexicallyInside = !relative(workspace, abs).startsWith('..');
          throw new InputError('charts', `must be a path inside the workspace${lexicallyInside ? ' (it is a symlink that leads outside)' : ''}`, raw);
        }
        if (!existsSync(join(abs, 'Chart.yaml'))) throw new InputError('charts', `must name chart directories; "${pat}" has no Chart.yaml`, raw);
        if (!insideRealPath(workspace, join(abs, 'Chart.yaml')))
          throw new InputError('charts', 'must name charts inside the workspace (a symlink that leads outside it is not followed)', raw);
        picked.add(abs);
      }
    }
    dirs = [...picked].sort();
  }
  return dirs.map((d) => loadChart(d, workspace));
}

function filesUnder(dir: string, workspace: string, maxDepth = 3): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const kind = entryKind(workspace, d, e);
      if (kind === 'file') out.push(p);
      else if (kind === 'dir' && depth < maxDepth && !['templates', 'charts', 'crds', '.git', 'node_modules'].includes(e.name)) walk(p, depth + 1);
    }
  };
  walk(dir, 0);
  return out;
}

const isGlob = (pattern: string): boolean => /[*?[]/.test(pattern);

export interface ValuesMatrix {
  entries: ValuesEntry[];
  /** Patterns (with wildcards) that matched no file in this chart. */
  unmatched: string[];
  /** Literal file names (no wildcard) that this chart does not have. */
  missing: string[];
}

/**
 * The values matrix of a chart: its defaults (when wanted) and one entry per values file matching `patterns`
 * (relative to the chart), plus the patterns that matched nothing, so a typo is never skipped in silence.
 */
export function valuesMatrix(chart: Chart, patterns: readonly string[], withDefaults: boolean, workspace = chart.dir): ValuesMatrix {
  const entries: ValuesEntry[] = [];
  if (withDefaults) entries.push({ label: existsSync(join(chart.dir, 'values.yaml')) ? 'values.yaml' : '(chart defaults)', files: [] });
  const pats = patterns.map((p) => ({ p, re: globToRegExp(p.replace(/^\.\//, '')), hits: 0 }));
  const seen = new Set<string>();
  for (const f of filesUnder(chart.dir, workspace).sort()) {
    const rel = toPosix(relative(chart.dir, f));
    const matching = pats.filter((x) => x.re.test(rel));
    matching.forEach((x) => x.hits++);
    if (rel === 'values.yaml' || seen.has(rel) || !matching.length) continue;
    seen.add(rel);
    entries.push({ label: rel, files: [f] });
  }
  const zero = pats.filter((x) => !x.hits).map((x) => x.p);
  return { entries, unmatched: zero.filter(isGlob), missing: zero.filter((p) => !isGlob(p)) };
}

/** Declared dependencies that charts/ does not hold (neither unpacked nor packaged). */
export function missingDependencies(chart: Chart): Dependency[] {
  const dir = join(chart.dir, 'charts');
  const names = new Set<string>();
  const archives: string[] = [];
  if (existsSync(dir)) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && existsSync(join(p, 'Chart.yaml'))) {
        const n = parseYaml(readFileSync(join(p, 'Chart.yaml'), 'utf8'), join(p, 'Chart.yaml')).value as { name?: string } | null;
        names.add(String(n?.name ?? e.name));
      } else if (e.isFile() && e.name.endsWith('.tgz') && statSync(p).size > 0) archives.push(e.name);
    }
  }
  return chart.dependencies.filter((d) => !names.has(d.name) && !archives.some((a) => a.startsWith(`${d.name}-`) && /^\d/.test(a.slice(d.name.length + 1))));
}

export interface SourceLocation {
  /** Repository-relative file the finding points to. */
  path: string;
  /** True when `path` is the template itself (not a packaged subchart archive or the chart's Chart.yaml). */
  isTemplate: boolean;
  /** The template inside a packaged subchart, when `path` is the archive. */
  inArchive?: string;
}

/**
 * Maps helm's `# Source: <chart>/charts/<sub or alias>/templates/x.yaml` to the file in the repository,
 * following subcharts (by alias or name) into unpacked folders, or to the archive when packaged.
 */
export function resolveSource(chart: Chart, source: string, workspace: string): SourceLocation {
  const fallback: SourceLocation = { path: `${chart.rel === '.' ? '' : `${chart.rel}/`}Chart.yaml`, isTemplate: false };
  if (!source) return fallback;
  const parts = source.split('/');
  let dir = chart.dir;
  let deps = chart.dependencies;
  let i = 1; // parts[0] is the chart's name
  while (parts[i] === 'charts' && i + 1 < parts.length) {
    const key = parts[i + 1];
    const dep = deps.find((d) => (d.alias ?? d.name) === key);
    const name = dep?.name ?? key;
    if (i === 1 && chart.built?.has(name)) {
      // Built by this run: the archive will be gone, so point at the file:// source folder instead.
      const from = chart.built.get(name);
      if (!from) return fallback;
      dir = from;
      try {
        deps = loadChart(dir, workspace).dependencies;
      } catch {
        deps = [];
      }
      i += 2;
      continue;
    }
    const sub = findSubchart(join(dir, 'charts'), name, key);
    if (!sub) return fallback;
    if (sub.archive) return { path: relPath(workspace, sub.archive), isTemplate: false, inArchive: parts.slice(i + 2).join('/') };
    dir = sub.dir!;
    try {
      deps = loadChart(dir, workspace).dependencies;
    } catch {
      deps = [];
    }
    i += 2;
  }
  const file = join(dir, ...parts.slice(i));
  if (!existsSync(file)) return fallback;
  return { path: relPath(workspace, file), isTemplate: true };
}

function findSubchart(chartsDir: string, name: string, alias: string): { dir?: string; archive?: string } | undefined {
  if (!existsSync(chartsDir)) return undefined;
  const entries = readdirSync(chartsDir, { withFileTypes: true });
  for (const e of entries) {
    const p = join(chartsDir, e.name);
    if (!e.isDirectory() || !existsSync(join(p, 'Chart.yaml'))) continue;
    const y = parseYaml(readFileSync(join(p, 'Chart.yaml'), 'utf8'), join(p, 'Chart.yaml')).value as { name?: string } | null;
    if (y?.name === name) return { dir: p };
  }
  for (const cand of [alias, name])
    if (entries.some((e) => e.isDirectory() && e.name === cand && existsSync(join(chartsDir, cand, 'Chart.yaml')))) return { dir: join(chartsDir, cand) };
  const archive = entries.find((e) => e.isFile() && e.name.startsWith(`${name}-`) && e.name.endsWith('.tgz'));
  return archive ? { archive: join(chartsDir, archive.name) } : undefined;
}

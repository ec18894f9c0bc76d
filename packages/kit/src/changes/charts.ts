// Helm charts as change detection needs them: where each chart lives, how much rendering it takes (its
// size for balancing shards), and which other charts of the repository it is built from — `file://`
// dependencies in Chart.yaml (or requirements.yaml, apiVersion v1), typically library charts. A chart
// vendored in another chart's `charts/` folder is part of that chart, as helm-validate treats it.
import { posix } from 'node:path';
import { readYaml } from '../yaml.js';
import { under } from './affected.js';
import type { RepoSnapshot } from './snapshot.js';

export interface ChartNode {
  /** Repository-relative folder ('.' for a chart at the root). */
  dir: string;
  /** `type` from Chart.yaml: application or library. */
  type: string;
  /** Folders of the charts it depends on through file:// (repository-relative, possibly missing). */
  deps: string[];
  /** Files in the chart folder, subcharts included. */
  files: number;
  /** Template files (templates/, subcharts' included). */
  templates: number;
  /** Values variants helm-validate renders with its default patterns: values.yaml, values-*.y(a)ml, ci/*-values.yaml. */
  renders: number;
}

// helm-validate's default `values-files` patterns, relative to the chart.
const VALUES_VARIANT = /^(values-[^/]+\.ya?ml|ci\/[^/]+-values\.yaml)$/;

const dirOf = (p: string): string => posix.dirname(p);

/**
 * The parsed YAML mapping of a small file, or undefined when it is not one (helm-validate reports why).
 * Read with the kit's bounded reader: a Chart.yaml comes from the pull request.
 */
function mapping(text: string | undefined, file: string): Record<string, unknown> | undefined {
  if (!text?.trim()) return undefined;
  try {
    const v = readYaml(text, { file });
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Repository-relative folder a `file://` repository of chart `dir` points at; undefined when it is not local or leaves the repository. */
export function fileDependency(dir: string, repository: unknown): string | undefined {
  if (typeof repository !== 'string' || !repository.startsWith('file://')) return undefined;
  const target = posix.normalize(posix.join(dir, repository.slice('file://'.length)));
  if (target === '..' || target.startsWith('../') || posix.isAbsolute(target)) return undefined;
  return target.replace(/\/+$/, '') || '.';
}

function dependencies(snap: RepoSnapshot, dir: string, chartYaml: Record<string, unknown> | undefined): string[] {
  let deps = chartYaml?.dependencies;
  if (!Array.isArray(deps) || !deps.length) deps = mapping(snap.read(join(dir, 'requirements.yaml')), join(dir, 'requirements.yaml'))?.dependencies;
  if (!Array.isArray(deps)) return [];
  const out = new Set<string>();
  for (const d of deps) {
    const target = d && typeof d === 'object' ? fileDependency(dir, (d as Record<string, unknown>).repository) : undefined;
    if (target !== undefined && target !== dir) out.add(target);
  }
  return [...out].sort();
}

const join = (dir: string, name: string): string => (dir === '.' ? name : `${dir}/${name}`);

/** Every chart of the repository that is not vendored inside another chart's charts/ folder. */
export function discoverCharts(snap: RepoSnapshot): ChartNode[] {
  const all = snap.files.filter((f) => f === 'Chart.yaml' || f.endsWith('/Chart.yaml')).map(dirOf);
  const top = all.filter((d) => !all.some((p) => p !== d && under(join(p, 'charts'), d)));
  return top.map((dir) => {
    const y = mapping(snap.read(join(dir, 'Chart.yaml')), join(dir, 'Chart.yaml'));
    const files = snap.files.filter((f) => under(dir, f)).map((f) => (dir === '.' ? f : f.slice(dir.length + 1)));
    return {
      dir,
      type: typeof y?.type === 'string' ? y.type : 'application',
      deps: dependencies(snap, dir, y),
      files: files.length,
      templates: files.filter((f) => /(^|\/)templates\//.test(f)).length,
      renders: 1 + files.filter((f) => VALUES_VARIANT.test(f)).length,
    };
  });
}

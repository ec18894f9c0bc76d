// Declared dependencies that charts/ lacks. helm's own words for this ("no cached repository for
// helm-manager-…") name neither the dependency nor the fix, so we build them ourselves: the repositories
// from Chart.lock (or Chart.yaml) are added to a private helm configuration in RUNNER_TEMP, `helm
// dependency build` runs, and whatever it wrote into the checkout (Chart.lock, charts/*.tgz, tmpcharts/)
// is removed again when the run ends, so the user's checkout is left as it was found.
import { addSecret, core, exec, scrub } from '@platform-actions/kit';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Chart, Dependency } from './charts.js';
import { dependencyBuildArgs, type Helm, helmErrorText } from './helm.js';
import { parseYaml } from './yaml.js';

export interface DependencyContext {
  dependencyBuild: 'auto' | 'never';
  helmTimeoutMs: number;
  tempDir: string;
}

/**
 * A repository URL as we print it: credentials in it (https://user:token@host/…) are registered as secrets,
 * so helm's own output is masked too, and left out of every line we write.
 */
export function shown(url: string): string {
  const m = /^(\w+:\/\/)([^/@]*)@(.*)$/.exec(url);
  if (!m) return url;
  const [user, pass] = m[2].split(':');
  addSecret(pass ? decodeURIComponent(pass) : decodeURIComponent(user));
  return `${m[1]}${m[3]}`;
}

const label = (d: Dependency) => `${d.name}${d.repository ? ` (${shown(d.repository)})` : ''}`;

/** The two ways out, worded for this chart. */
export function waysOut(chart: Chart, remote: readonly string[]): string {
  const reach = remote.length ? `let this job reach ${remote.map(shown).join(', ')}` : 'make the file:// paths in Chart.yaml point at charts inside the repository';
  return `Either vendor them (run "helm dependency build ${chart.rel}" where the repositories are reachable and commit charts/*.tgz), or ${reach} with dependency-build: auto, which adds the repositories from Chart.lock itself.`;
}

/** Repository URLs helm must know by name: from Chart.lock when present (what was locked), else Chart.yaml. */
export function repositoriesOf(chart: Chart, missing: readonly Dependency[]): string[] {
  const urls = new Set<string>();
  const lock = join(chart.dir, 'Chart.lock');
  if (existsSync(lock)) {
    const y = parseYaml(readFileSync(lock, 'utf8'), lock).value as { dependencies?: Array<{ repository?: unknown }> } | null;
    for (const d of y?.dependencies ?? []) if (typeof d.repository === 'string') urls.add(d.repository);
  }
  for (const d of missing) if (d.repository) urls.add(d.repository);
  return [...urls].filter((u) => /^https?:\/\//.test(u));
}

/** Undoes what `helm dependency build` writes into a chart folder. */
function snapshot(chart: Chart): () => void {
  const lock = join(chart.dir, 'Chart.lock');
  const lockText = existsSync(lock) ? readFileSync(lock) : undefined;
  const chartsDir = join(chart.dir, 'charts');
  const before = existsSync(chartsDir) ? new Set(readdirSync(chartsDir)) : undefined;
  return () => {
    if (lockText) writeFileSync(lock, lockText);
    else rmSync(lock, { force: true });
    if (!before) rmSync(chartsDir, { recursive: true, force: true });
    else if (existsSync(chartsDir)) for (const e of readdirSync(chartsDir)) if (!before.has(e)) rmSync(join(chartsDir, e), { recursive: true, force: true });
    rmSync(join(chart.dir, 'tmpcharts'), { recursive: true, force: true });
  };
}

/**
 * Builds the missing dependencies of `chart` into its charts/ folder (undone by the function pushed to
 * `restores`). Returns undefined on success, else one line naming the dependencies and the two ways out.
 */
export async function buildDependencies(
  chart: Chart,
  missing: readonly Dependency[],
  helm: Helm,
  ctx: DependencyContext,
  restores: Array<() => void>,
): Promise<string | undefined> {
  // helm's words may repeat a repository URL with its credentials: the line goes to reports and the summary.
  const failure = await build(chart, missing, helm, ctx, restores);
  return failure === undefined ? undefined : scrub(failure);
}

async function build(chart: Chart, missing: readonly Dependency[], helm: Helm, ctx: DependencyContext, restores: Array<() => void>): Promise<string | undefined> {
  const names = missing.map(label).join(', ');
  const what = `${chart.rel}: ${missing.length === 1 ? 'dependency' : 'dependencies'} ${names} ${missing.length === 1 ? 'is' : 'are'} not in charts/`;
  const remote = repositoriesOf(chart, missing);
  if (ctx.dependencyBuild === 'never') return `${what} and dependency-build is "never". ${waysOut(chart, remote)}`;
  // "@name" and "alias:name" refer to a repository someone added on their own machine: nothing to add here.
  const named = missing.filter((d) => d.repository && /^(@|alias:)/.test(d.repository));
  if (named.length)
    return `${what}; ${named.map(label).join(', ')} ${named.length === 1 ? 'names a repository' : 'name repositories'} only known to a local "helm repo add". Use the repository URL in Chart.yaml. ${waysOut(chart, remote)}`;

  const home = join(ctx.tempDir, 'helm');
  mkdirSync(home, { recursive: true });
  // A private repository configuration: the user's ~/.config/helm is neither read nor changed.
  const env = { HELM_REPOSITORY_CONFIG: join(home, 'repositories.yaml'), HELM_REPOSITORY_CACHE: join(home, 'repository'), HELM_CACHE_HOME: join(home, 'cache') };
  restores.push(snapshot(chart));
  for (const [i, url] of remote.entries()) {
    core.info(`${chart.rel}: helm repo add ${shown(url)} (a private repository configuration)`);
    const r = await exec(helm.bin, ['repo', 'add', `hv-${chart.name}-${i}`, url, '--force-update'], { timeoutMs: ctx.helmTimeoutMs, env });
    if (r.exitCode !== 0)
      return `${what} and the repository ${shown(url)} could not be added: ${r.timedOut ? 'timed out' : helmErrorText(r.stderr || r.stdout)}. ${waysOut(chart, remote)}`;
  }
  // The indexes were just fetched by `helm repo add`, so no refresh: the build reads them from the private cache.
  core.info(`${chart.rel}: helm dependency build (${names})`);
  const r = await exec(helm.bin, dependencyBuildArgs(chart.dir, true), { timeoutMs: ctx.helmTimeoutMs, env });
  if (r.exitCode !== 0) return `${what} and helm dependency build failed: ${r.timedOut ? 'timed out' : helmErrorText(r.stderr || r.stdout)}. ${waysOut(chart, remote)}`;
  // Built archives may read .Capabilities; like vendored ones, they are rendered once per target version.
  chart.perVersion = true;
  chart.built = new Map(missing.map((d) => [d.name, d.repository?.startsWith('file://') ? resolve(chart.dir, d.repository.slice('file://'.length)) : undefined]));
  return undefined;
}

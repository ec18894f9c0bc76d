// Declared dependencies that charts/ lacks. helm's own words for this ("no cached repository for
// helm-manager-…") name neither the dependency nor the fix, so we build them ourselves: the repositories
// from Chart.lock (or Chart.yaml) are added to a private helm configuration in RUNNER_TEMP, `helm
// dependency build` runs, and whatever it wrote into the checkout (Chart.lock, charts/*.tgz, tmpcharts/)
// is removed again when the run ends, so the user's checkout is left as it was found.
//
// When that fails, the way out depends on where the dependency comes from: an oci:// chart is pulled
// straight from its registry (a private one needs `helm registry login` in an earlier step), an http(s)
// repository is added from Chart.lock, a file:// path must point at a chart in the repository, and a
// dependency without a repository must be vendored.
import { addSecret, core, exec, scrub } from '@platform-actions/kit';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Chart, type Dependency, insideRealPath, relPath } from './charts.js';
import { dependencyBuildArgs, type Helm, helmErrorText } from './helm.js';
import { parseYaml } from './yaml.js';

export interface DependencyContext {
  workspace: string;
  dependencyBuild: 'auto' | 'never';
  helmTimeoutMs: number;
  tempDir: string;
}

/** A chart whose dependencies could not be put in place. */
export interface DependencyFailure {
  /** Short, for the failure line: "redis from oci://registry.example.com/charts: connection refused". */
  what: string;
  /** The way out, worded for where the dependencies come from (summary and the warning at Chart.yaml). */
  advice: string;
  /** helm's own words, flattened (summary only). */
  helm?: string;
}

export type Source = 'oci' | 'http' | 'file' | 'named' | 'none';

export function sourceOf(d: Pick<Dependency, 'repository'>): Source {
  const r = d.repository ?? '';
  if (!r) return 'none';
  if (/^oci:\/\//i.test(r)) return 'oci';
  if (/^https?:\/\//i.test(r)) return 'http';
  if (/^file:\/\//i.test(r)) return 'file';
  return 'named'; // "@name" or "alias:name": a repository someone added with `helm repo add` on their machine
}

/**
 * A repository URL as we print it: credentials in it (https://user:token@host/…) are registered as secrets,
 * so helm's own output is masked too, and left out of every line we write.
 */
function shown(url: string): string {
  const m = /^(\w+:\/\/)([^/@]*)@(.*)$/.exec(url);
  if (!m) return url;
  const [user, pass] = m[2].split(':');
  addSecret(pass ? decodeURIComponent(pass) : decodeURIComponent(user));
  return `${m[1]}${m[3]}`;
}

const host = (url: string) => /^\w+:\/\/(?:[^/@]*@)?([^/]+)/.exec(url)?.[1] ?? url;
const label = (d: Dependency) => `${d.name}${d.repository ? ` from ${shown(d.repository)}` : ''}`;

/** The gist of helm's failure, in a few words. */
export function shortReason(helmText: string): string {
  const t = helmText;
  if (/connection refused/i.test(t)) return 'connection refused';
  if (/no such host|server misbehaving|name resolution|lookup \S+ on /i.test(t)) return 'host not found';
  if (/i\/o timeout|timed out|deadline exceeded|timeout awaiting/i.test(t)) return 'timed out';
  if (/server gave HTTP response to HTTPS client/i.test(t)) return 'the registry answers plain HTTP, not HTTPS';
  if (/x509|certificate/i.test(t)) return 'its TLS certificate is not trusted';
  if (/\b401\b|unauthorized|authentication required/i.test(t)) return 'unauthorized: credentials needed';
  if (/\b403\b|forbidden|denied/i.test(t)) return 'access denied';
  if (/not found/i.test(t)) return 'not found';
  const first = t.replace(/\s+/g, ' ').trim();
  return first.length > 160 ? `${first.slice(0, 157)}…` : first;
}

/** Where a file:// dependency points, and what is wrong there (undefined when it is a chart in the workspace). */
function fileProblem(chart: Chart, d: Dependency, workspace: string): { rel: string; problem?: string } {
  const abs = resolve(chart.dir, (d.repository ?? '').replace(/^file:\/\//i, ''));
  const rel = relPath(workspace, abs);
  if (!existsSync(abs)) return { rel, problem: 'does not exist' };
  if (!insideRealPath(workspace, abs)) return { rel, problem: 'is outside the workspace' };
  if (!existsSync(join(abs, 'Chart.yaml'))) return { rel, problem: 'has no Chart.yaml' };
  return { rel };
}

/** The way out for each kind of source among `deps`, one sentence each. */
export function advice(chart: Chart, deps: readonly Dependency[], workspace: string, opts: { reason?: string; never?: boolean } = {}): string {
  const vendor = `vendor it: run "helm dependency build ${chart.rel}" where the source is reachable and commit charts/*.tgz`;
  const out: string[] = [];
  const of = (s: Source) => deps.filter((d) => sourceOf(d) === s);
  const oci = of('oci');
  if (oci.length) {
    const hosts = [...new Set(oci.map((d) => host(d.repository!)))];
    const notFound = opts.reason === 'not found';
    out.push(
      notFound
        ? `${oci.map((d) => `${d.name} ${d.repository ? shown(d.repository) : ''}`).join(', ')}: the registry has no such chart and version: check name, version and repository in Chart.yaml (helm pulls oci://<repository>/<name>:<version>).`
        : `Charts from oci:// are pulled straight from the registry (there is no repository to add): let this job reach ${hosts.join(', ')}${opts.never ? ' with dependency-build: auto' : ''}, and for a private registry run "helm registry login ${hosts[0]}" in an earlier step; or ${vendor}.`,
    );
  }
  const http = of('http');
  if (http.length) {
    const urls = [...new Set(http.map((d) => shown(d.repository!)))];
    out.push(
      opts.reason?.startsWith('unauthorized') || opts.reason === 'access denied'
        ? `${urls.join(', ')} wants credentials, which the private helm configuration this action builds with does not carry: ${vendor}.`
        : opts.reason === 'not found'
          ? `${urls.join(', ')}: the repository's index has no such chart and version: check name, version and repository in Chart.yaml.`
          : `Let this job reach ${urls.join(', ')}${opts.never ? ' and set dependency-build: auto (it adds the repositories from Chart.lock itself)' : ' (the action adds the repositories from Chart.lock itself)'}; or ${vendor}.`,
    );
  }
  for (const d of of('file')) {
    const f = fileProblem(chart, d, workspace);
    out.push(
      f.problem
        ? `${d.repository} resolves to ${f.rel} (from ${chart.rel}), which ${f.problem}: point it at the chart's folder inside the repository.`
        : `${d.repository} (${f.rel}) is a chart in the repository${opts.never ? ': set dependency-build: auto to build it, or commit the packaged chart in charts/' : `; helm could not package it (${opts.reason ?? 'see helm\u2019s words below'})`}.`,
    );
  }
  const named = of('named');
  if (named.length)
    out.push(
      `${named.map((d) => `${d.name} (${d.repository})`).join(', ')} ${named.length === 1 ? 'names a repository' : 'name repositories'} only known to a local "helm repo add": put the repository URL in Chart.yaml, or ${vendor}.`,
    );
  const none = of('none');
  if (none.length)
    out.push(
      `${none.map((d) => d.name).join(', ')} ${none.length === 1 ? 'has' : 'have'} no repository, so helm expects ${none.length === 1 ? 'it' : 'them'} in charts/: commit ${none.length === 1 ? 'it' : 'them'} there (a folder or a .tgz), or give the repository in Chart.yaml.`,
    );
  return out.join(' ');
}

/** Repository URLs helm must know by name: from Chart.lock when present (what was locked), else Chart.yaml. */
function repositoriesOf(chart: Chart, missing: readonly Dependency[]): string[] {
  const urls = new Set<string>();
  const lock = join(chart.dir, 'Chart.lock');
  if (existsSync(lock)) {
    const y = parseYaml(readFileSync(lock, 'utf8'), lock).value as { dependencies?: Array<{ repository?: unknown }> } | null;
    for (const d of y?.dependencies ?? []) if (typeof d.repository === 'string') urls.add(d.repository);
  }
  for (const d of missing) if (d.repository) urls.add(d.repository);
  return [...urls].filter((u) => /^https?:\/\//i.test(u));
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
 * `restores`). Returns undefined on success, else what failed and the way out.
 */
export async function buildDependencies(
  chart: Chart,
  missing: readonly Dependency[],
  helm: Helm,
  ctx: DependencyContext,
  restores: Array<() => void>,
): Promise<DependencyFailure | undefined> {
  const f = await build(chart, missing, helm, ctx, restores);
  // helm's words may repeat a repository URL with its credentials: these go to reports and the summary.
  return f && { what: scrub(f.what), advice: scrub(f.advice), ...(f.helm ? { helm: scrub(f.helm) } : {}) };
}

async function build(chart: Chart, missing: readonly Dependency[], helm: Helm, ctx: DependencyContext, restores: Array<() => void>): Promise<DependencyFailure | undefined> {
  const names = missing.map(label).join(', ');
  const fail = (reason: string, helmText?: string): DependencyFailure => ({
    what: `${names}: ${reason}`,
    advice: advice(chart, missing, ctx.workspace, { reason, never: ctx.dependencyBuild === 'never' }),
    ...(helmText ? { helm: helmText } : {}),
  });
  if (ctx.dependencyBuild === 'never') return fail('not in charts/, and dependency-build is "never"');
  // Nothing to build from: a repository only a local `helm repo add` knows, a chart vendored by hand, a
  // file:// path that leads nowhere. helm would fail with words that name none of these.
  const unbuildable = missing.filter((d) => ['named', 'none'].includes(sourceOf(d)) || (sourceOf(d) === 'file' && fileProblem(chart, d, ctx.workspace).problem));
  if (unbuildable.length) return { ...fail('nothing to build it from'), advice: advice(chart, unbuildable, ctx.workspace) };

  const home = join(ctx.tempDir, 'helm');
  mkdirSync(home, { recursive: true });
  // A private repository configuration: the user's ~/.config/helm is neither read nor changed (registry
  // logins are: HELM_REGISTRY_CONFIG is left alone, so `helm registry login` in an earlier step counts).
  const env = { HELM_REPOSITORY_CONFIG: join(home, 'repositories.yaml'), HELM_REPOSITORY_CACHE: join(home, 'repository'), HELM_CACHE_HOME: join(home, 'cache') };
  restores.push(snapshot(chart));
  for (const [i, url] of repositoriesOf(chart, missing).entries()) {
    core.info(`${chart.rel}: helm repo add ${shown(url)} (a private repository configuration)`);
    const r = await exec(helm.bin, ['repo', 'add', `hv-${chart.name}-${i}`, url, '--force-update'], { timeoutMs: ctx.helmTimeoutMs, env });
    if (r.exitCode !== 0) {
      const text = r.timedOut ? 'timed out' : helmErrorText(r.stderr || r.stdout);
      return { ...fail(shortReason(text), text), what: `${names}: the repository ${shown(url)} could not be added: ${shortReason(text)}` };
    }
  }
  // The indexes were just fetched by `helm repo add`, so no refresh: the build reads them from the private cache.
  core.info(`${chart.rel}: helm dependency build (${names})`);
  const r = await exec(helm.bin, dependencyBuildArgs(chart.dir, true), { timeoutMs: ctx.helmTimeoutMs, env });
  if (r.exitCode !== 0) {
    const text = r.timedOut ? 'timed out' : helmErrorText(r.stderr || r.stdout);
    return fail(shortReason(text), text);
  }
  // Built archives may read .Capabilities; like vendored ones, they are rendered once per target version.
  chart.perVersion = true;
  chart.built = new Map(missing.map((d) => [d.name, d.repository?.startsWith('file://') ? resolve(chart.dir, d.repository.slice('file://'.length)) : undefined]));
  return undefined;
}

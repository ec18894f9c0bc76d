// What `npm run demo` must provision, and in which order, derived from examples/demo.json and from the
// harness modules each step uses, so the list cannot drift from what those modules look up:
//   - the tools a step names (`tool` or `tool/executable`),
//   - every tool a harness module it starts looks up with toolBin/toolPath/toolDir: the local runner
//     (node24), each service in `services` (services/<name>.ts: kube needs kube, etcd and kwok), and the
//     offline trivy DB when an input uses `{trivy-db}` (trivy-db.ts).
// Plain text reads only (no harness import), so this module and its test run on a fresh clone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoStep {
  title: string;
  action: string;
  /** Example repository under examples/. */
  workspace: string;
  event?: { name: string; payload?: Record<string, unknown> };
  inputs?: Record<string, string>;
  /** Harness tools put first on PATH, as a setup step would: `tool` or `tool/executable` (e.g. `pyenv/alembic`). */
  tools?: string[];
  /**
   * Services the step needs, as a workflow's `services:` would give it; `{postgres-url}` in inputs gets the URL.
   * `{trivy-db}` gets a cache folder holding the harness's offline vulnerability database (no network here);
   * `kube` starts the harness's Kubernetes control plane and `{kubeconfig}` gets its kubeconfig (content).
   */
  services?: Array<'postgres' | 'kube'>;
  env?: Record<string, string>;
}

export const loadSteps = (root: string): DemoStep[] => JSON.parse(readFileSync(join(root, 'examples', 'demo.json'), 'utf8')) as DemoStep[];

/** Harness modules every step runs through: the local runner puts the bundle under the harness's Node 24. */
const RUNNER = ['test/runner/runner.ts'];
const serviceModule = (service: string): string => `test/harness/services/${service}.ts`;
const TRIVY_DB = 'test/harness/trivy-db.ts';

/** The harness modules a step starts, as paths relative to the repository root. */
export function stepModules(step: DemoStep): string[] {
  const uses = [...RUNNER, ...(step.services ?? []).map(serviceModule)];
  if (Object.values(step.inputs ?? {}).some((v) => v.includes('{trivy-db}'))) uses.push(TRIVY_DB);
  return uses;
}

const LOOKUP = /\btool(?:Bin|Path|Dir)\(\s*['"]([a-z0-9-]+)['"]/g;
/** The tools a harness module looks up (toolBin('kube', 'kube-apiserver') → kube). */
export function moduleTools(root: string, module: string): string[] {
  const file = join(root, module);
  if (!existsSync(file)) throw new Error(`demo: ${module} does not exist (a demo step starts it)`);
  return [...new Set([...readFileSync(file, 'utf8').matchAll(LOOKUP)].map((m) => m[1]))];
}

/** Every tool a step needs, its own first, then those of the modules it starts. */
export function stepTools(root: string, step: DemoStep): string[] {
  const own = (step.tools ?? []).map((t) => t.split('/')[0]);
  return [...new Set([...own, ...stepModules(step).flatMap((m) => moduleTools(root, m))])];
}

/** Seconds a cold build of `tool` takes on 2 cores, from its provision script's `# cold-build-seconds:` header. */
export function coldBuildSeconds(root: string, tool: string): number {
  const script = join(root, 'test', 'harness', 'provision', `${tool}.sh`);
  if (!existsSync(script)) throw new Error(`demo: tool ${tool} has no provision script (test/harness/provision/${tool}.sh)`);
  const m = /^# cold-build-seconds: (\d+)$/m.exec(readFileSync(script, 'utf8'));
  return m ? Number(m[1]) : 60;
}

export interface DemoPlan {
  /** Per step (same order as the steps), the tools it needs. */
  needs: string[][];
  /** Step indexes, cheapest first: the order their prerequisites are prepared in. */
  order: number[];
  /** Every tool to provision, in the order to provision them: those of the cheapest steps first. */
  tools: string[];
}

/**
 * Orders provisioning so the first results come early: steps sorted by what their missing tools cost
 * (`cost(tool)`: 0 when cached, else the cold build time), and each step's tools queued in that order.
 */
export function planDemo(root: string, steps: DemoStep[], cost: (tool: string) => number): DemoPlan {
  const needs = steps.map((s) => stepTools(root, s));
  const stepCost = needs.map((ts) => ts.reduce((sum, t) => sum + cost(t), 0));
  const byCost = steps.map((_, i) => i).sort((a, b) => stepCost[a] - stepCost[b] || a - b);
  const tools: string[] = [];
  for (const i of byCost) for (const t of [...needs[i]].sort((a, b) => cost(a) - cost(b))) if (!tools.includes(t)) tools.push(t);
  return { needs, order: byCost, tools };
}

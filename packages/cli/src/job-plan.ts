// Which jobs `check --run-steps` runs, in what order, and what each needs before anything runs: pure
// decisions over the discovered jobs (workflows.ts JobNode), tested as tables. jobs.ts runs them.
import { ExpressionSyntaxError, type Value } from '@platform-actions/expressions';
import { planServices, SERVICE_FLAG, type ServicePlan, type Starters } from './job-services.js';
import type { JobNode, JobStep, Stage, WorkflowNode } from './workflows.js';

// Write permissions a job asks for when it changes the repository (tags, releases, pushes), publishes
// (packages, pages, attestations), deploys, or gets a cloud identity. On a laptop such steps would act
// with the developer's own credentials (git, docker, npm, cloud CLIs), so the job is not run. Reporting
// permissions (pull-requests, checks, security-events, statuses) are fine: no token reaches a step here.
const WRITES_OUTSIDE = ['contents', 'packages', 'deployments', 'id-token', 'pages', 'attestations'];

/** Why a job would change something outside the laptop (a deploy, a write permission), or undefined. */
export function changesTheWorld(node: Pick<JobNode, 'environment' | 'permissions'>): string | undefined {
  if (node.environment !== undefined && node.environment !== null && node.environment !== '') {
    const env = typeof node.environment === 'object' ? (node.environment as { name?: unknown }).name : node.environment;
    return `it deploys (environment: ${String(env)})`;
  }
  const p = node.permissions;
  if (p === 'write-all') return 'it asks for write access to everything (permissions: write-all)';
  if (p && typeof p === 'object') {
    const w = Object.entries(p as Record<string, unknown>).filter(([k, v]) => v === 'write' && WRITES_OUTSIDE.includes(k));
    if (w.length) return `it changes things on GitHub or elsewhere (permissions: ${w.map(([k]) => `${k}: write`).join(', ')})`;
  }
  return undefined;
}

/** The jobs of one workflow in `needs` order; throws Error naming an unknown need or a cycle. */
export function jobOrder(nodes: Pick<JobNode, 'id' | 'needs'>[], where: string): string[] {
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) for (const d of n.needs) if (!ids.has(d)) throw new Error(`${where}: job ${n.id} needs ${d}, which is not a job of this workflow`);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`${where}: jobs need each other in a circle (${[...path, id].join(' → ')})`);
    state.set(id, 'visiting');
    for (const d of byId.get(id)!.needs) visit(d, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const n of nodes) visit(n.id, []);
  return order;
}

/**
 * Before anything runs: every problem with the selected jobs (a need that is not there or a circle, a
 * service that needs --postgres or --redis, a server binary missing, an expression that is not valid).
 */
export function jobProblems(workflows: WorkflowNode[], selected: Set<string>, starters: Starters, evaluate: (node: JobNode, v: unknown) => Value): string[] {
  const problems: string[] = [];
  const walk = (nodes: JobNode[], where: string) => {
    try {
      jobOrder(nodes, where);
    } catch (e) {
      problems.push((e as Error).message);
    }
    for (const n of nodes) {
      if (!selected.has(n.key)) continue;
      if (n.call) walk(n.call.jobs, n.call.uses);
      let plans: ServicePlan[] = [];
      try {
        plans = planServices(n.services, (v) => evaluate(n, v));
      } catch (e) {
        if (e instanceof ExpressionSyntaxError) problems.push(`${n.workflow}: job ${n.id}: services: ${e.message}`);
      }
      for (const p of plans) {
        if (p.kind && !starters[p.kind])
          problems.push(`${n.workflow}: job ${n.id} uses the service ${p.id} (${p.image}): pass ${SERVICE_FLAG[p.kind]} to start a throwaway one here`);
      }
    }
  };
  for (const wf of workflows) walk(wf.jobs, wf.file);
  return [...new Set(problems)];
}

/** Every job of these workflows, called workflows' jobs included. */
export function allJobs(nodes: JobNode[]): JobNode[] {
  return nodes.flatMap((n) => [n, ...allJobs(n.call?.jobs ?? [])]);
}

/** Stages in a job (and in its composites and called jobs). */
function stagesOf(n: JobNode): Stage[] {
  const walk = (steps: JobStep[]): Stage[] => steps.flatMap((s) => [...(s.stage ? [s.stage] : []), ...(s.composite ? walk(s.composite.steps) : [])]);
  return [...walk(n.steps), ...(n.call?.jobs ?? []).flatMap(stagesOf)];
}

/**
 * The keys of the jobs that take part. `--only`/`--skip` name a job id, or a stage or action (its job then).
 * A job taken whole takes the jobs of the workflow it calls; a called job taken needs its calling job.
 * Throws Error for a name that matches nothing.
 */
export function selectJobs(workflows: WorkflowNode[], only: string[], skip: string[]): Set<string> {
  const roots = workflows.flatMap((w) => w.jobs);
  const matches = (n: JobNode, sel: string) => n.id === sel || stagesOf(n).some((s) => s.name === sel || s.action === sel);
  const all = allJobs(roots);
  for (const sel of [...only, ...skip])
    if (!all.some((n) => matches(n, sel))) throw new Error(`--only/--skip: no job, stage or action "${sel}" (jobs: ${[...new Set(all.map((n) => n.id))].join(', ') || 'none'})`);
  const chosen = new Set<string>();
  const take = (nodes: JobNode[], inherited: boolean): boolean => {
    let any = false;
    for (const n of nodes) {
      if (skip.some((x) => matches(n, x) && (n.id === x || !n.call))) continue;
      const self = inherited || !only.length || only.some((o) => n.id === o || (!n.call && matches(n, o)));
      const below = take(n.call?.jobs ?? [], self);
      if (self || below) {
        chosen.add(n.key);
        any = true;
      }
    }
    return any;
  };
  take(roots, false);
  return chosen;
}

// Finds the stages `platform-actions check` runs: every workflow step in the repository that uses one of
// our actions, and the steps of every reusable workflow of ours that a job calls (expanded in place, with
// the caller's `with:` as the callee's `inputs`). Values stay unevaluated here, with the contexts they
// will be evaluated in, so that check.ts can report every expression it cannot evaluate before it runs
// anything.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { readYaml, YamlError } from '@platform-actions/kit';
import { repoRoot } from './runner.js';
import type { Value } from './expressions.js';

/** A CLI error the user can fix: printed as one line, exit code 2. */
export class UsageError extends Error {}

export interface Stage {
  /** Unique short name: the action's name, or `<job>/<action>` when several steps use the same action. */
  name: string;
  action: string;
  /** Workflow file (relative to the repository) and job id, for messages. */
  workflow: string;
  job: string;
  /** Step id, for steps.<id>.outputs.* in later stages of the same job. */
  stepId?: string;
  /** Raw `with:` values (may contain `${{ }}`). */
  with: Record<string, unknown>;
  /** Raw env of workflow, job and step, merged in that order. */
  env: Record<string, unknown>;
  /** Raw `if:` of the job(s) and the step, all of which must hold. */
  conditions: unknown[];
  /** The `inputs` context of the workflow the step is in (callee inputs for reusable workflows). */
  inputs: Record<string, Value>;
  /** Unevaluated `inputs` of a reusable workflow: the caller's expression, evaluated in the caller's context. */
  callChain: string[];
  /** The job declares service containers (e.g. PostgreSQL) that a URL in `with:` may point at. */
  services: string[];
  /** Key shared by stages of one job run, for steps.<id> lookups. */
  jobKey: string;
}

interface Workflow {
  on?: unknown;
  env?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  if?: unknown;
  env?: Record<string, unknown>;
  services?: Record<string, unknown>;
  steps?: Array<{ id?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, unknown>; if?: unknown; name?: string }>;
}

/** Our action names: the folders under actions/ that have an action.yml. */
export function ourActions(): string[] {
  const dir = join(repoRoot, 'actions');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((d) => existsSync(join(dir, d, 'action.yml')))
        .sort()
    : [];
}

/** Which of our actions a `uses:` names, if any: `*\/*\/actions/<name>@ref`, `./actions/<name>`, `$/actions/<name>`, `$/<name>`. */
export function actionOf(uses: string, ours: readonly string[]): string | undefined {
  const m = /^(?:[^/@\s]+\/[^/@\s]+\/actions\/([A-Za-z0-9._-]+)@\S+|\.\/actions\/([A-Za-z0-9._-]+)\/?|\$\/(?:actions\/)?([A-Za-z0-9._-]+)\/?)$/.exec(uses.trim());
  const name = m?.[1] ?? m?.[2] ?? m?.[3];
  return name && ours.includes(name) ? name : undefined;
}

/** The file of one of our reusable workflows that a job's `uses:` names, if any. */
export function reusableOf(uses: string, callerRepo: string): string | undefined {
  const t = uses.trim();
  const remote = /^(?:[^/@\s]+\/[^/@\s]+|\$)\/\.github\/workflows\/([A-Za-z0-9._-]+\.ya?ml)(?:@\S+)?$/.exec(t);
  if (remote) {
    // Published under .github/workflows/; the sources are in workflows-templates/ in a checkout.
    for (const dir of ['.github/workflows', 'workflows-templates']) {
      const p = join(repoRoot, dir, remote[1]);
      if (existsSync(p)) return p;
    }
    return undefined;
  }
  const local = /^\.\/(\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml)$/.exec(t);
  if (local && existsSync(join(callerRepo, local[1]))) return join(callerRepo, local[1]);
  return undefined;
}

function readWorkflow(file: string, label: string): Workflow {
  let doc: unknown;
  try {
    // The kit's bounded reader (js-yaml 5, YAML 1.2 core as GitHub reads it, several times faster than
    // `yaml` here; the time to the first stage counts in a pre-push hook). An alias bomb or deep nesting
    // ends in one line naming the file instead of hanging every push.
    const text = readFileSync(file, 'utf8');
    doc = readYaml(text, { file: label });
  } catch (e) {
    if (e instanceof YamlError && e.kind === 'limit') throw new UsageError(e.message);
    throw new UsageError(`${label}: not valid YAML (${(e instanceof YamlError ? e.reason : (e as Error).message).split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object') throw new UsageError(`${label}: not a workflow (expected a mapping with jobs:)`);
  return doc as Workflow;
}

const triggers = (on: unknown): string[] => (typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : on && typeof on === 'object' ? Object.keys(on) : []);

/** Default values of a workflow's declared inputs (workflow_call or workflow_dispatch), typed. */
function inputDefaults(wf: Workflow): Record<string, Value> {
  const on = wf.on && typeof wf.on === 'object' && !Array.isArray(wf.on) ? (wf.on as Record<string, { inputs?: Record<string, { default?: unknown }> } | null>) : {};
  const out: Record<string, Value> = {};
  for (const kind of ['workflow_dispatch', 'workflow_call']) {
    for (const [k, spec] of Object.entries(on[kind]?.inputs ?? {})) if (!(k in out)) out[k] = (spec?.default ?? null) as Value;
  }
  return out;
}

export interface Discovery {
  stages: Stage[];
  workflows: string[];
}

/**
 * Walks .github/workflows/*.yml|yaml of `repo`. Workflows that are only `workflow_call` are skipped at the top
 * level (they run when called). `evalWith` evaluates a reusable workflow call's `with:` in the caller's context.
 */
export function discover(repo: string, evalWith: (raw: Record<string, unknown>, stage: Omit<Stage, 'name' | 'action' | 'with' | 'stepId'>) => Record<string, Value>): Discovery {
  const dir = join(repo, '.github', 'workflows');
  if (!existsSync(dir)) throw new UsageError(`${repo}: no .github/workflows folder (run check at the root of a repository with workflows, or pass --repo)`);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const ours = ourActions();
  const stages: Omit<Stage, 'name'>[] = [];

  const walk = (
    file: string,
    label: string,
    wf: Workflow,
    inputs: Record<string, Value>,
    inherited: { env: Record<string, unknown>; conditions: unknown[]; chain: string[]; keyPrefix: string },
  ) => {
    for (const [jobId, job] of Object.entries(wf.jobs ?? {})) {
      if (!job || typeof job !== 'object') continue;
      const conditions = [...inherited.conditions, ...(job.if !== undefined ? [job.if] : [])];
      const jobKey = `${inherited.keyPrefix}${label}#${jobId}`;
      if (typeof job.uses === 'string') {
        const callee = reusableOf(job.uses, repo);
        if (!callee) continue;
        if (inherited.chain.length >= 10) throw new UsageError(`${label}: job ${jobId}: reusable workflows nest more than 10 levels`);
        // Ours are named as the package ships them; a caller-local reusable workflow by its path in the caller.
        const calleeLabel = callee.startsWith(repo + '/') ? relative(repo, callee) : `platform-actions/${relative(repoRoot, callee)}`;
        const calleeWf = readWorkflow(callee, calleeLabel);
        // The callee's inputs: its declared defaults, overridden by what the caller passes.
        const given = evalWith(job.with ?? {}, {
          workflow: label,
          job: jobId,
          env: { ...inherited.env, ...(wf.env ?? {}) },
          conditions,
          inputs,
          callChain: inherited.chain,
          services: [],
          jobKey,
        });
        // A called workflow does not see the caller's env (GitHub does not pass it in).
        walk(
          callee,
          calleeLabel,
          calleeWf,
          { ...inputDefaults(calleeWf), ...given },
          { env: {}, conditions, chain: [...inherited.chain, `${label}#${jobId}`], keyPrefix: `${jobKey}>` },
        );
        continue;
      }
      for (const step of job.steps ?? []) {
        const action = typeof step?.uses === 'string' ? actionOf(step.uses, ours) : undefined;
        if (!action) continue;
        stages.push({
          action,
          workflow: label,
          job: jobId,
          stepId: step.id,
          with: step.with ?? {},
          env: { ...inherited.env, ...(wf.env ?? {}), ...(job.env ?? {}), ...(step.env ?? {}) },
          conditions: [...conditions, ...(step.if !== undefined ? [step.if] : [])],
          inputs,
          callChain: inherited.chain,
          services: Object.keys(job.services ?? {}),
          jobKey,
        });
      }
    }
  };

  const used: string[] = [];
  for (const f of files) {
    const label = `.github/workflows/${f}`;
    const wf = readWorkflow(join(dir, f), label);
    const on = triggers(wf.on);
    if (on.length === 1 && on[0] === 'workflow_call') continue;
    used.push(label);
    walk(join(dir, f), label, wf, inputDefaults(wf), { env: {}, conditions: [], chain: [], keyPrefix: '' });
  }
  return { stages: nameStages(stages), workflows: used };
}

/** Stage names: the action's name; `<job>/<action>` when the name repeats; then `-2`, `-3`… when that repeats too. */
export function nameStages(stages: Omit<Stage, 'name'>[]): Stage[] {
  const count = new Map<string, number>();
  for (const s of stages) count.set(s.action, (count.get(s.action) ?? 0) + 1);
  const seen = new Map<string, number>();
  return stages.map((s) => {
    let name = count.get(s.action)! > 1 ? `${s.job}/${s.action}` : s.action;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name}-${n}`;
    return { ...s, name };
  });
}

export const workflowName = (file: string): string => basename(file);

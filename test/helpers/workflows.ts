// The workflow files this repository ships, read as GitHub reads them, for the structural tests
// (test/e2e/workflows.integration.test.ts, test/workflows/org-semantics.test.ts and release.test.ts): this repository's reusable
// workflows, CI and release (.github/workflows), the starters (workflows-templates) and the example callers
// (examples/*/.github/workflows). Also: running one `run:` step of a workflow the way the runner does
// (bash -eo pipefail, env from the step, GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STEP_SUMMARY as files), so a
// test checks what the shipped script does, not a copy of it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ymls = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];
export const own = ymls('.github/workflows');
export const templates = ymls('workflows-templates');
export const exampleWorkflows = readdirSync('examples')
  .sort()
  .flatMap((d) => ymls(join('examples', d, '.github', 'workflows')));
export const all = [...own, ...templates, ...exampleWorkflows];

// The "before" workflow tf-lock-check's example finds fault with (per-commit concurrency,
// cancel-in-progress, -lock=false): deliberately what teams write, so the rules for shipped files do not
// apply to it.
const LEGACY = new Set(['examples/sentiment-terraform/.github/workflows/deploy.yml']);
export const shipped = all.filter((f) => !LEGACY.has(f));

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
export interface Job {
  name?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  steps?: Step[];
  outputs?: Record<string, string>;
  permissions?: Record<string, string> | string;
  needs?: string | string[];
  environment?: string | { name?: string; url?: string };
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean | string } | string;
  'runs-on'?: unknown;
  [k: string]: unknown;
}
export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: unknown;
  jobs: Record<string, Job>;
}
export interface CallSpec {
  inputs: Record<string, { required?: boolean; default?: unknown; type?: string; description?: string }>;
  outputs: Record<string, { value?: string; description?: string }>;
  secrets: Record<string, { required?: boolean; description?: string } | null>;
}

export const load = (f: string) => parse(readFileSync(f, 'utf8')) as Workflow;
export const callSpec = (wf: Workflow): CallSpec | undefined => {
  const on = wf.on as Record<string, unknown> | undefined;
  if (!on || typeof on !== 'object' || !('workflow_call' in on)) return undefined;
  const c = (on.workflow_call ?? {}) as Partial<CallSpec>;
  return { inputs: c.inputs ?? {}, outputs: c.outputs ?? {}, secrets: c.secrets ?? {} };
};
export const reusable = own.filter((f) => callSpec(load(f)));

/** Our action a step `uses:`, if any: `$/actions/<name>`, `./actions/<name>` or `<owner>/platform-actions/actions/<name>@ref`. */
export const ourAction = (uses: string) => /^(?:\$\/|\.\/|[\w.-]+\/platform-actions\/)actions\/([\w.-]+?)(?:@\S+)?$/.exec(uses)?.[1];
/** Our reusable workflow a job calls: [file, pinned commit or undefined for ./ calls]. */
export const ourWorkflow = (uses: string): [string, string | undefined] | undefined => {
  const m = /^(?:[\w.-]+\/platform-actions|\.)\/\.github\/workflows\/([\w.-]+\.ya?ml)(?:@(\S+))?$/.exec(uses);
  return m ? [join('.github/workflows', m[1]), m[2]] : undefined;
};
export const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
export const environmentOf = (job: Job): string | undefined => (typeof job.environment === 'object' ? job.environment?.name : job.environment);

/** The permissions a job asks for, as a map (a string form such as read-all is spelled out as itself). */
export const permissionsOf = (job: Job): Record<string, string> => (typeof job.permissions === 'object' && job.permissions ? job.permissions : {});

/** Every `secrets.<NAME>` a value reads. */
export const secretReads = (value: unknown) => [...JSON.stringify(value ?? null).matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);

export function stepNamed(file: string, job: string, name: string): Step {
  const step = (load(file).jobs[job]?.steps ?? []).find((s) => s.name === name || s.id === name);
  if (!step) throw new Error(`${file}: job ${job} has no step ${name}`);
  return step;
}

export interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Lines the step wrote to $GITHUB_OUTPUT / $GITHUB_ENV / $GITHUB_STEP_SUMMARY. */
  output: string;
  envFile: string;
  summary: string;
  dir: string;
}

/**
 * One `run:` step as the runner runs it: `bash --noprofile --norc -eo pipefail`, the step's own `env:` with
 * every `${{ … }}` replaced by the value `env` gives for that variable (the expressions themselves are the
 * structural tests' business), in `cwd`, with the runner's files in a temp folder.
 */
export function runStep(step: Step, env: Record<string, string>, opts: { cwd?: string; path?: string[] } = {}): StepRun {
  if (!step.run) throw new Error(`step ${step.name ?? step.id} has no run:`);
  const dir = mkdtempSync(join(tmpdir(), 'pa-step-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_ENV: join(dir, 'env'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(join(dir, 'step.sh'), step.run);
  const stepEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = typeof v === 'string' && v.includes('${{') ? (env[k] ?? '') : String(v);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
    cwd: opts.cwd ?? dir,
    encoding: 'utf8',
    env: {
      PATH: [...(opts.path ?? []), process.env.PATH].join(':'),
      HOME: dir,
      RUNNER_TEMP: dir,
      GITHUB_JOB: 'job',
      ...files,
      ...stepEnv,
      ...Object.fromEntries(Object.entries(env).filter(([k]) => !(k in stepEnv))),
    },
  });
  const read = (f: string) => readFileSync(f, 'utf8');
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    output: read(files.GITHUB_OUTPUT),
    envFile: read(files.GITHUB_ENV),
    summary: read(files.GITHUB_STEP_SUMMARY),
    dir,
  };
}

/** `::error …::message` lines a step printed. */
export const errorLines = (out: string) => out.split('\n').filter((l) => l.startsWith('::error'));

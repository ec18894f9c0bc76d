// The local input rules, as data: what each input gets on a laptop instead of its CI value, which tool an
// action installs, which steps are not checks, and the `run:` steps of our own workflows whose outputs the
// CLI computes. The pipeline (pipeline.ts) applies them the same way for `check` and `run`; every value
// here can still be overridden with --input. README "Local adjustments" documents each row.
import type { ItemKind } from '@platform-actions/kit';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What a rule needs to decide. */
export interface RuleContext {
  stage: string;
  /** The run's temp folder (RUNNER_TEMP), removed at the end. */
  runnerTemp: string;
  /** Only unpushed commits are in scope (--changed, pre-push). */
  unpushed: boolean;
  /** The checked folder is the root of a git repository (not a folder inside a larger one). */
  gitRoot: boolean;
  /** --database-url, or a database on the --postgres server. */
  databaseUrl?: string;
  postgres: boolean;
  /** The job's service containers, for the message when no database was given. */
  services: string[];
  /** --run-steps: the job's PostgreSQL service is a throwaway server this run started for the job. */
  jobDatabase?: boolean;
  /** --changed: the merge base of HEAD and the upstream, from which the change is counted (changed.ts). */
  changedBase?: string;
}

/** A local value, or a problem that stops the run before anything runs (one line), or nothing (keep CI's). */
export type Local = string | { problem: string } | undefined;
type InputRule = (c: RuleContext) => Local;

export interface ToolRule {
  input: string;
  bin: string;
  /** The release installed when the tool is not on PATH; by default the input's default in action.yml. */
  release?: string;
  /** Oldest release the action accepts on PATH (its own check), for the "put it on PATH" line. */
  min: string;
  /** Where the release is downloaded from (for the offline test before a stage needs it). */
  host: string;
}

export interface ActionRules {
  /** Inputs replaced locally (never evaluated, so they never need --input). */
  inputs?: Record<string, InputRule>;
  /** A release input: `system` when the tool is on PATH, else the pinned release through the action's installer. */
  tool?: ToolRule;
  /** Why this step is not a check (check lists it as skipped; `run` runs it on purpose). */
  notACheck?: string;
  /**
   * Why this step is a check only with --run-steps (undefined: it is one anyway): it reads what earlier
   * steps of its job made (test reports, a built image), which check alone never runs; --run-steps runs
   * those steps first and gives it the job's matrix. `with` is the step's raw `with:`, `repo` the checked folder.
   */
  afterRunSteps?: (step: { with: Record<string, unknown> }, repo: string) => string | undefined;
  /** A step that is a check only for some values of one input (tf-lock-check: command lint). */
  checkOnly?: { input: string; default: string; values: string[] };
  /** Environment for the bundle (what the laptop knows that GitHub's event does not). */
  env?: (c: RuleContext) => Record<string, string>;
  /**
   * An action that checks only what changed when given a base (its `base-ref` rule): with --changed the
   * stage names those items, from the plan of this kind over the items its `input` lists (changed.ts).
   */
  changed?: { kind: ItemKind; input: string };
}

const temp =
  (suffix: string): InputRule =>
  (c) =>
    join(c.runnerTemp, `${c.stage.replace(/[^A-Za-z0-9_.-]+/g, '-')}${suffix}`);

/** Inputs every action that declares them gets locally. */
export const COMMON_INPUTS: Record<string, InputRule> = {
  // No PR comment from a laptop.
  comment: () => 'false',
  // Reports go to the run's temp folder, not into the working tree (unless --input asks for a path).
  'sarif-file': temp('.sarif'),
  'report-file': temp('-report.json'),
  'report-dir': temp('-reports'),
};

// migration-test migrates up and down in the database it is given, so locally it only ever gets one the
// user named (--database-url, --input) or a throwaway one (--postgres), never the workflow's localhost URL,
// which on a laptop may be a database with real data in it — unless (--run-steps) that URL leads to the
// job's own service, which this run started as a throwaway server: then the steps after it (integration
// tests) find the database migrated, as in CI.
const database: InputRule = (c) =>
  c.jobDatabase
    ? undefined
    : (c.databaseUrl ??
      (c.postgres
        ? 'postgres://started-with--postgres'
        : {
            problem: `stage ${c.stage}: needs an empty PostgreSQL database${c.services.length ? ` (in CI, the job's service container${c.services.length > 1 ? 's' : ''}: ${c.services.join(', ')})` : ''}; pass --database-url postgres://… or --postgres`,
          }));

export const ACTION_RULES: Record<string, ActionRules> = {
  'gitleaks-scan': {
    tool: { input: 'version', bin: 'gitleaks', min: '8.24.0', host: 'https://github.com' },
    inputs: {
      // Only the commits being pushed; in a folder inside a larger repository, the files (not that repository's history).
      mode: (c) => (c.unpushed ? 'range' : c.gitRoot ? undefined : 'dir'),
    },
    // The commits in range have not left this machine: the finding says so instead of "others may have it".
    env: (c): Record<string, string> => (c.unpushed ? { PLATFORM_ACTIONS_UNPUSHED: 'true' } : {}),
  },
  'trivy-scan': {
    tool: { input: 'version', bin: 'trivy', min: '0.67.0', host: 'https://github.com' },
    // An image the job builds first (container-image.yml: docker build into an OCI layout, then the scan).
    afterRunSteps: (step, repo) => {
      const built = /(?:^|[\s,])image-input:([^\s,$]+)/.exec(String(step.with.targets ?? ''))?.[1];
      return built && !existsSync(resolve(repo, built))
        ? `scans the image an earlier step of its job builds (image-input:${built}, not here); platform-actions check --run-steps builds it first (with Docker)`
        : undefined;
    },
  },
  'helm-validate': {
    tool: { input: 'helm-version', bin: 'helm', release: '4.1.4', min: '3.8.0', host: 'https://get.helm.sh' },
    // --changed: the charts changed since the merge base with the upstream (and their file:// users), found
    // by the kit's change detection in the action, as the plan action finds them in CI.
    inputs: { 'base-ref': (c) => c.changedBase },
    changed: { kind: 'charts', input: 'charts' },
  },
  'migration-test': { inputs: { 'database-url': database } },
  // Steps that change something outside the laptop are not checks: a pre-push hook must never deploy or
  // touch a live lock. `platform-actions run` runs them on purpose.
  'tf-lock-check': { checkOnly: { input: 'command', default: 'lint', values: ['lint'] } },
  // Our fan-out workflows' last job: it merges the reports of CI's shards (and says which never came). Here
  // each stage reports its own (and the plan job is computed, not run: fan-out.ts).
  verdict: { notACheck: "the verdict merges the reports of CI's shards into one; here each stage reports its own" },
  // It reads the reports the job's test step wrote (often per matrix combination): without --run-steps no
  // test has run, so there is nothing to read.
  'test-report': { afterRunSteps: () => 'reads the reports of the test run; platform-actions check --run-steps runs the tests first' },
  'k8s-deploy-rollback': { notACheck: 'deploys are not checks; check never runs them (platform-actions run k8s-deploy-rollback runs one on purpose)' },
};

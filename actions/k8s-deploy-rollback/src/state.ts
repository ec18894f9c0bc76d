// What one run of the action knows, filled in phase by phase (strategy, rollout, rollback) so a failure
// part-way still reports everything learnt until then; and the time budget the phases share.
import type { GitHubDeployment } from './github-deployment.js';
import type { Kubectl } from './kubectl.js';
import type { WorkloadRef } from './manifests.js';
import type { ReportFacts } from './report.js';
import type { Settings } from './settings.js';

/** How often the rollout and rollback watches poll the cluster. */
export const POLL_MS = 1000;

/** What went wrong with the deploy (not with the rollback). */
export interface Failure {
  stage: 'apply' | 'rollout' | 'smoke';
  reason: string;
  message: string;
  ref?: WorkloadRef;
  failingPods: string[];
  detectedAt: number;
}

/** Everything the run learns. */
export interface Run {
  s: Settings;
  k: Kubectl;
  /** KUBECONFIG for kubectl and helm. */
  kubeconfig: string;
  started: number;
  applyStarted?: number;
  facts: ReportFacts;
  failure?: Failure;
  rollbackError?: string;
  toolErrors: string[];
  secrets: string[];
  revisionsBefore: Record<string, number>;
  revisionsAfter: Record<string, number>;
  /** The GitHub deployment of this run, once created (github-deployment: true). */
  deployment?: GitHubDeployment;
}

export function newRun(s: Settings, k: Kubectl, kubeconfig: string): Run {
  return {
    s,
    k,
    kubeconfig,
    started: Date.now(),
    toolErrors: [],
    secrets: [s.token ?? '', s['webhook-url'] ?? ''].filter(Boolean),
    revisionsBefore: {},
    revisionsAfter: {},
    facts: { result: 'failed', mode: s.mode, namespaces: [], revisions: [], rollback: [], smoke: [], diagnostics: [], images: [] },
  };
}

/** What this run changes, for titles and messages: "manifests", "Helm release api", "deployment/api". */
export function target(s: Settings): string {
  if (s.workloads?.kind === 'release') return `Helm release ${s.workloads.release}`;
  if (s.workloads) return s.workloads.workloads.map((w) => `${w.kind.toLowerCase()}/${w.name}`).join(', ');
  return s.strategy === 'helm' ? `Helm release ${s.release}` : 'manifests';
}

/** The result a run that did what it was asked ends with: deployed, or rolled back on demand. */
export const successResult = (s: Settings): ReportFacts['result'] => (s.mode === 'rollback' ? 'rolled-back' : 'deployed');

export const thresholds = (s: Settings) => ({ crashLoopRestarts: s['crashloop-restarts'], readinessGraceMs: s.readinessGraceMs });

/** Time kept back from the rollout watch for a rollback: a third of the timeout, at most 2 minutes. */
const reserveMs = (run: Run): number => Math.min(120_000, run.s.timeoutMs / 3);
export const watchDeadline = (run: Run): number => run.started + run.s.timeoutMs - (run.s.rollback ? reserveMs(run) : 0);
export const rollbackDeadline = (run: Run): number => Math.max(run.started + run.s.timeoutMs, Date.now() + 30_000);

// The GitHub deployment of a run (github-deployment: true): created in_progress once the cluster
// answers, closed with success, failure or error; and the run's URL the statuses, the webhook and the
// workloads' change cause link to.
import { currentEvent, oneLine } from '@platform-actions/kit';
import { createDeployment, type GitHubTarget, setDeploymentStatus } from './notify.js';
import type { Settings } from './settings.js';
import { type Run, successResult, target } from './state.js';
import { ACTION } from './action.js';

/** The GitHub deployment of this run (github-deployment: true), once created. */
export interface GitHubDeployment {
  gh: GitHubTarget;
  id: number;
}

/** Creates the GitHub deployment (in_progress) when asked for; undefined when not asked or not created. */
export async function startGitHubDeployment(run: Run): Promise<GitHubDeployment | undefined> {
  const { s } = run;
  const gh = githubTarget(s);
  if (!gh || !s.environment) return undefined;
  const id = await createDeployment(
    gh,
    currentEvent().sha || 'HEAD',
    s.environment,
    `${ACTION} ${s.mode === 'rollback' ? `rollback of ${target(s)}` : s.strategy === 'helm' ? s.release : s.manifests.join(', ')}`.slice(0, 140),
  );
  if (!id) return undefined;
  await setDeploymentStatus(gh, id, 'in_progress', 'deploying', runUrl(), s['environment-url']);
  return { gh, id };
}

/** A configuration problem found late (dry run, pending release): the GitHub deployment must not stay in_progress. */
export async function abandonGitHubDeployment(run: Run, e: unknown): Promise<void> {
  const d = run.deployment;
  if (d) await setDeploymentStatus(d.gh, d.id, 'error', oneLine((e as Error).message), runUrl(), run.s['environment-url']);
}

/** The deployment's final status: success, failure (the deploy failed), or error (a tool failed). */
export async function finishGitHubDeployment(run: Run): Promise<void> {
  const f = run.facts;
  const deployment = run.deployment;
  if (deployment) {
    const ok = f.result === successResult(run.s);
    const state = ok ? 'success' : run.toolErrors.length && !run.failure ? 'error' : 'failure';
    await setDeploymentStatus(deployment.gh, deployment.id, state, ok ? f.result : `${f.result}: ${f.cause ?? run.toolErrors[0] ?? ''}`, runUrl(), run.s['environment-url']);
  }
}

/** The run's URL (the kit's: with the attempt, so a re-run links to itself). */
export const runUrl = (): string | undefined => currentEvent().runUrl;

function githubTarget(s: Settings): GitHubTarget | undefined {
  const e = currentEvent();
  if (!s['github-deployment'] || !s.token || !e.owner || !e.repo) return undefined;
  return { apiUrl: e.apiUrl, owner: e.owner, repo: e.repo, token: s.token };
}

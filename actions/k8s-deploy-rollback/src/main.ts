// k8s-deploy-rollback: deploy, watch, smoke-test, and restore the exact previous state. This file is the
// table of contents; each phase lives in the module named for it:
//   settings.ts            inputs, all validated before the cluster is touched
//   strategy-manifests.ts  manifests read and checked locally, then dry run → record → apply
//   strategy-helm.ts       release history → dry run → helm upgrade
//   cluster.ts             the API server answers; the namespace for objects without one
//   rollout.ts             watch with fail-fast rules → smoke tests → diagnostics
//   on-demand.ts           mode rollback: workloads or a release back to a chosen recorded revision
//   restore.ts             roll back what the change moved, to the recorded revisions
//   github-deployment.ts   the GitHub deployment's statuses, the run's URL
//   conclude.ts            outputs, webhook, summary → pass or fail
import { keepToolError, ToolError } from '@platform-actions/kit';
import { connect, kubectlFor } from './cluster.js';
import { conclude, endedEarly } from './conclude.js';
import { abandonGitHubDeployment, startGitHubDeployment } from './github-deployment.js';
import { rollBackRelease, rollBackWorkloads } from './on-demand.js';
import { kubeconfigFromInputs, readSettings } from './settings.js';
import { newRun, type Run } from './state.js';
import { deployHelm } from './strategy-helm.js';
import { deployManifests, loadManifests } from './strategy-manifests.js';
import { ACTION } from './action.js';

export async function main(): Promise<void> {
  let run: Run | undefined;
  try {
    // 1. Inputs, all validated before the cluster is touched.
    const s = readSettings();
    const kc = kubeconfigFromInputs();
    run = newRun(s, kubectlFor(s, kc.path), kc.path);
    try {
      await deploy(run);
    } finally {
      kc.cleanup();
    }
  } catch (e) {
    // Refused before the reports (an input, a manifest, the cluster): result and failure-reason say so too.
    endedEarly(run, e);
    throw e;
  }
  // 8. Outputs, notifications, reports; then pass or fail.
  await conclude(run);
}

async function deploy(run: Run): Promise<void> {
  const { s } = run;
  // 2. Manifests read and checked locally, then the cluster answers (bounded retries) and gives the
  // namespace for objects that declare none.
  const objects = s.mode === 'deploy' && s.strategy === 'manifests' ? await loadManifests(run) : [];
  const namespace = await connect(run);
  run.deployment = await startGitHubDeployment(run);
  // 3–7. Deploy (or roll back on demand), watch, smoke-test; on failure roll back to the recorded
  // revisions. ToolErrors are kept so reports still go out.
  try {
    if (s.workloads?.kind === 'release') await rollBackRelease(run, namespace, s.workloads.release);
    else if (s.workloads) await rollBackWorkloads(run, namespace, s.workloads.workloads);
    else if (s.strategy === 'helm') await deployHelm(run, namespace);
    else await deployManifests(run, namespace, { objects });
  } catch (e) {
    if (!(e instanceof ToolError)) {
      await abandonGitHubDeployment(run, e);
      throw e;
    }
    keepToolError(ACTION, e, run.toolErrors);
  }
}

// k8s-deploy-rollback: deploy, watch, smoke-test, and restore the exact previous state. This file is the
// table of contents; each phase lives in the module named for it:
//   settings.ts            inputs, all validated before the cluster is touched
//   strategy-manifests.ts  manifests read and checked locally, then dry run → record → apply
//   strategy-helm.ts       release history → dry run → helm upgrade
//   cluster.ts             the API server answers; the namespace for objects without one
//   rollout.ts             watch with fail-fast rules → smoke tests → diagnostics
//   restore.ts             roll back what the change moved, to the recorded revisions
//   github-deployment.ts   the GitHub deployment's statuses, the run's URL
//   conclude.ts            outputs, webhook, summary → pass or fail
import { keepToolError, ToolError } from '@platform-actions/kit';
import { connect, kubectlFor } from './cluster.js';
import { conclude } from './conclude.js';
import { abandonGitHubDeployment, type GitHubDeployment, startGitHubDeployment } from './github-deployment.js';
import { kubeconfigFromInputs, readSettings } from './settings.js';
import { ACTION, newRun } from './state.js';
import { deployHelm } from './strategy-helm.js';
import { deployManifests, loadManifests } from './strategy-manifests.js';

export { ACTION };

export async function main(): Promise<void> {
  // 1. Inputs, all validated before the cluster is touched.
  const s = readSettings();
  const kc = kubeconfigFromInputs();
  const run = newRun(s, kubectlFor(s, kc.path), kc.path);
  let deployment: GitHubDeployment | undefined;
  try {
    // 2. Manifests read and checked locally, then the cluster answers (bounded retries) and gives the
    // namespace for objects that declare none.
    const objects = s.mode === 'manifests' ? await loadManifests(run) : [];
    const namespace = await connect(run);
    deployment = await startGitHubDeployment(run);
    // 3–7. Deploy, watch, smoke-test; on failure roll back. ToolErrors are kept so reports still go out.
    try {
      if (s.mode === 'helm') await deployHelm(run, namespace);
      else await deployManifests(run, namespace, { objects });
    } catch (e) {
      if (!(e instanceof ToolError)) {
        await abandonGitHubDeployment(run, deployment, e);
        throw e;
      }
      keepToolError(ACTION, e, run.toolErrors);
    }
  } finally {
    kc.cleanup();
  }

  // 8. Outputs, notifications, reports; then pass or fail.
  await conclude(run, deployment);
}

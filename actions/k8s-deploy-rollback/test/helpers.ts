// Test helpers: build this action's bundle from src/index.ts (so a test never runs a stale bundle), and
// a kubeconfig for an address nothing listens on.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolBin } from '../../../test/harness/tools.js';

export const kubectlBin = (): string => process.env.K8S_TEST_KUBECTL_OVERRIDE ?? toolBin('kube', 'kubectl');

export const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(actionDir, '..', '..');

let built = false;
/** Bundles src/index.ts into dist/k8s-deploy-rollback once per test file, with the repo's bundler. */
export function buildBundle(): void {
  if (built) return;
  const script = `import { bundle } from './scripts/bundle.mjs'; bundle(${JSON.stringify(join(actionDir, 'src', 'index.ts'))}, ${JSON.stringify(join(repoRoot, 'dist', 'k8s-deploy-rollback'))}, ${JSON.stringify(actionDir)});`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/** A syntactically valid kubeconfig whose API server is a closed loopback port. */
export const unreachableKubeconfig = (port = 1): string => `apiVersion: v1
kind: Config
clusters:
  - name: nowhere
    cluster:
      server: https://127.0.0.1:${port}
      insecure-skip-tls-verify: true
users:
  - name: someone
    user:
      token: not-a-real-token-0123456789
contexts:
  - name: nowhere
    context: {cluster: nowhere, user: someone}
current-context: nowhere
`;

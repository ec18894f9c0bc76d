// The cluster before anything changes: kubectl set up from the inputs, then one bounded check that the
// API server answers, and the namespace for objects that declare none.
import { core } from '@platform-actions/kit';
import { Kubectl } from './kubectl.js';
import type { Settings } from './settings.js';
import type { Run } from './state.js';

export const kubectlFor = (s: Settings, kubeconfig: string): Kubectl =>
  new Kubectl({ bin: s.kubectl, env: { KUBECONFIG: kubeconfig }, fieldManager: s['field-manager'], serverSide: s['server-side'], forceConflicts: s['force-conflicts'] });

/** The API server answers (bounded retries); returns the namespace for objects without one. */
export function connect(run: Run): Promise<string> {
  const { s, k } = run;
  return core.group('Cluster', async () => {
    const version = await k.reachable();
    const ns = s.namespace ?? (await k.contextNamespace());
    core.info(`Kubernetes ${version} at ${(await k.serverUrl()) ?? '(server from kubeconfig)'}; namespace for objects without one: ${ns}`);
    return ns;
  });
}

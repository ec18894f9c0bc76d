// The local runner lives in packages/cli/src/runner.ts (the `platform-actions` CLI runs it too). This
// wrapper keeps the same name and meaning (run a bundled action as GitHub's runner does; the kit's
// runAction() is what runs inside the bundle) and the tests' default: bundles run under the harness's
// Node 24, what `runs.using: node24` gets on GitHub (the CLI's own default is the Node that runs it).
import { runBundledAction as runWith, type RunBundledActionOptions, type RunBundledActionResult } from '../../packages/cli/src/runner.js';
import { toolBin } from '../harness/tools.js';

export type { RunBundledActionOptions, RunBundledActionResult } from '../../packages/cli/src/runner.js';

export function runBundledAction(opts: RunBundledActionOptions): Promise<RunBundledActionResult> {
  return runWith({ ...opts, node: opts.node ?? toolBin('node24', 'node') });
}

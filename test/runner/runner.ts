// The local runner lives in packages/cli/src/runner.ts (the `platform-actions` CLI runs it too). This
// re-export keeps the tests' imports unchanged and keeps their default: bundles run under the harness's
// Node 24, what `runs.using: node24` gets on GitHub (the CLI's own default is the Node that runs it).
import { runAction as runWith, type RunActionOptions, type RunActionResult } from '../../packages/cli/src/runner.js';
import { toolBin } from '../harness/tools.js';

export type { RunActionOptions, RunActionResult } from '../../packages/cli/src/runner.js';

export function runAction(opts: RunActionOptions): Promise<RunActionResult> {
  return runWith({ ...opts, node: opts.node ?? toolBin('node24', 'node') });
}

// Command line for the local runner (kept for the README and old habits):
//   npx tsx test/runner/cli.ts <action> [--event pull_request] [--payload event.json] [--workspace dir]
//                              [--input name=value ...] [--env NAME=value ...]
// Same as `platform-actions run`, which now owns it, but under the harness's Node 24.
import { runnerCli } from '../../packages/cli/src/runner-cli.js';
import { toolBin } from '../harness/tools.js';

process.exitCode = await runnerCli(process.argv.slice(2), { node: toolBin('node24', 'node') });

// Entry point of the bundle: only starts the action, so tests can import main() without running it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runAction } from '@platform-actions/kit';
import { main } from './main.js';
import { ACTION } from './action.js';

// lint reads shell with tree-sitter-bash, whose lexer is one very large WebAssembly function: V8's
// optimising tier spends ~0.5 s of CPU and ~500 MB of memory compiling it as soon as it is warm, for
// parses that take milliseconds with the baseline compiler alone. V8 takes no flags once it runs, and
// an action's `runs.main` passes none, so lint starts the bundle once more with --liftoff-only
// (bench repository, Node 24: 580 MB → 85 MB peak, 1.0 s → 0.4 s of CPU). If that start fails, lint
// runs here as before.
const LIFTOFF = '--liftoff-only';
const command = (process.env.INPUT_COMMAND ?? '').trim();
if ((command === '' || command === 'lint') && !process.execArgv.includes(LIFTOFF)) {
  const r = spawnSync(process.execPath, [...process.execArgv, LIFTOFF, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (!r.error) process.exit(r.status ?? 1);
}

await runAction({ name: ACTION, main });

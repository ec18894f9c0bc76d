// The action's main() in-process, the way the runner would start it (test/helpers/main-in-process.ts).
import { type MainRun, runMain as runMainInProcess } from '../../../test/helpers/main-in-process.js';
import { main } from '../src/main.js';
import { ACTION } from '../src/action.js';

export type { MainRun } from '../../../test/helpers/main-in-process.js';

/** main() once with these inputs in `workspace` (test/helpers/main-in-process.ts), the inherited GITHUB_* variables left out. */
export const runMain = (workspace: string, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<MainRun> =>
  runMainInProcess(ACTION, main, {
    workspace,
    inputs: { comment: 'false', ...inputs },
    env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'f'.repeat(40), ...env },
    clear: ['GITHUB_'],
  });

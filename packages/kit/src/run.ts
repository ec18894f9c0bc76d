// run(): the one entry point every action's main calls. Catches everything, so a failure is always a
// single `setFailed` line prefixed with the action name, and outputs set before the failure survive.
import * as core from './core.js';
import { oneLine, ToolError, UserError } from './errors.js';

const POST_STATE = 'isPost';

export interface ActionSteps {
  /** Action name used as the prefix of every failure line, e.g. "helm-validate". */
  name: string;
  main: () => Promise<void>;
  /** Optional `post:` step (cleanup, lock release). Runs from the same bundle. */
  post?: () => Promise<void>;
}

/** Runs main, or post when this bundle is invoked as the action's `post:` step. */
export async function runAction(steps: ActionSteps): Promise<void> {
  const isPost = core.getState(POST_STATE) === 'true';
  if (isPost) {
    if (steps.post) await run(`${steps.name} (post)`, steps.post);
    return;
  }
  core.saveState(POST_STATE, 'true');
  await run(steps.name, steps.main);
}

/** Runs `fn` and turns any error into one failure line; internal errors keep their stack in the debug log. */
export async function run(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    reportFailure(name, err);
  }
}

export function reportFailure(name: string, err: unknown): void {
  if (err instanceof UserError) {
    core.setFailed(`${name}: ${oneLine(err.message)}`);
  } else if (err instanceof ToolError) {
    if (err.detail) {
      core.startGroup(`${name}: tool output`);
      core.info(err.detail);
      core.endGroup();
    }
    core.setFailed(`${name}: ${oneLine(err.message)}`);
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    core.debug(e.stack ?? e.message);
    core.setFailed(`${name}: internal error: ${oneLine(e.message)} (re-run with ACTIONS_STEP_DEBUG=true for the stack; please report it)`);
  }
}

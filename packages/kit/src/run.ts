// run(): the one entry point every action's main calls. Catches everything, so a failure is always a
// single `setFailed` line prefixed with the action name, and outputs set before the failure survive.
//
// The outcome contract lives here: whatever path a run takes, it ends with `outcome` set to one of
// clean | policy-failure | tool-error | config-error, and with the counts set (zero when nothing was
// counted), so a caller's `if: steps.x.outputs.outcome == …` never reads an empty string.
import * as core from './core.js';
import { oneLine, PolicyError, ToolError, UserError } from './errors.js';
import type { Outcome } from './gate.js';
import { ensureStandardOutputs, writtenOutcome } from './report/outputs.js';
import { beginStep, endStep } from './processes.js';
import { finishRun } from './report/run-report.js';
import { scrub } from './secrets.js';

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
    // A post step has no outputs of its own (the runner ignores them), so only the failure line matters.
    if (steps.post) await run(`${steps.name} (post)`, steps.post);
    return;
  }
  core.saveState(POST_STATE, 'true');
  await run(steps.name, steps.main, { outputs: true });
}

/** Runs `fn` and turns any error into one failure line; internal errors keep their stack in the debug log. */
export async function run(name: string, fn: () => Promise<void>, opts: { outputs?: boolean } = {}): Promise<void> {
  beginStep();
  try {
    await fn();
    if (opts.outputs) {
      // A main that returns without publishing (nothing to check) still ends in a documented state.
      const failed = process.exitCode !== undefined && process.exitCode !== 0;
      if (!writtenOutcome()) ensureStandardOutputs(failed ? 'tool-error' : 'clean');
      finishRun(name, writtenOutcome()!);
    }
  } catch (err) {
    const outcome = reportFailure(name, err);
    if (opts.outputs) {
      ensureStandardOutputs(outcome);
      finishRun(name, outcome, failureLine(name, err));
    }
  } finally {
    // Nothing the step started outlives it: a daemon a tool forked, a setsid grandchild of a migration command.
    const left = endStep();
    if (left.length) core.debug(`${name}: ended ${left.length} process(es) the step left running`);
  }
}

/** The one line a failure is reported with (as reportFailure prints it), for the run report. */
function failureLine(name: string, err: unknown): string {
  if (err instanceof UserError || err instanceof PolicyError || err instanceof ToolError) return scrub(`${name}: ${oneLine(err.message)}`);
  return scrub(`${name}: internal error: ${oneLine(err instanceof Error ? err.message : String(err))}`);
}

/** Prints the one failure line for `err` and returns the outcome it means. */
function reportFailure(name: string, err: unknown): Outcome {
  if (err instanceof UserError) {
    core.setFailed(scrub(`${name}: ${oneLine(err.message)}`));
    return 'config-error';
  }
  if (err instanceof PolicyError) {
    core.setFailed(scrub(`${name}: ${oneLine(err.message)}`));
    return 'policy-failure';
  }
  if (err instanceof ToolError) {
    showToolOutput(name, err);
    core.setFailed(scrub(`${name}: ${oneLine(err.message)}`));
    return 'tool-error';
  }
  const e = err instanceof Error ? err : new Error(String(err));
  core.debug(scrub(e.stack ?? e.message));
  core.setFailed(scrub(`${name}: internal error: ${oneLine(e.message)} (re-run with ACTIONS_STEP_DEBUG=true for the stack; please report it)`));
  return 'tool-error';
}

/** The tool's own words, in a log group, with workflow commands off. */
function showToolOutput(name: string, err: ToolError): void {
  if (!err.detail) return;
  core.startGroup(`${name}: tool output`);
  core.untrusted(scrub(err.detail));
  core.endGroup();
}

/**
 * For a run that goes on after a tool fails, so what did run is still published: a ToolError is shown
 * and added to `toolErrors` (for `gate({ toolErrors })`); anything else is rethrown.
 */
export function keepToolError(name: string, err: unknown, toolErrors: string[]): void {
  if (!(err instanceof ToolError)) throw err;
  showToolOutput(name, err);
  toolErrors.push(scrub(err.message));
}

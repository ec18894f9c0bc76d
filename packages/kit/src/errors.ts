// Three kinds of failure, because users need to know whose move it is:
// - UserError: the caller's configuration is wrong (bad input, missing file). One actionable line, no stack.
// - ToolError: a tool we drive failed or could not run. One line plus the tool's own words in the log.
// - anything else is our bug: the stack goes to the debug log.

/** The caller's configuration is wrong. The message names what is wrong and what was expected. */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/** An input has a value the action cannot use. */
export class InputError extends UserError {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    expected: string,
    got?: string,
  ) {
    super(`input "${input}" ${expected}${got === undefined ? '' : `; got ${JSON.stringify(got)}`}`);
  }
}

/**
 * The run completed and a policy the caller chose says fail, but not because of findings: a state lock
 * held while `fail-if-locked` is set, a wait that timed out, a deploy that had to be rolled back. Ends as
 * `policy-failure` with this one line.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** A tool failed, timed out or could not be started. `detail` is the tool's own output, logged but not in the one-liner. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Flatten to one line: GitHub shows the first line of a failure in the checks list. */
export const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

// GitHub Actions expressions (`${{ … }}`), as far as a static check can know them, evaluated by GitHub's own
// engine through packages/expressions (evaluateStatically). Values we can know come from the workflow
// itself: `env` (workflow, job, step), `inputs` defaults (workflow_dispatch and workflow_call), `matrix`
// combinations and `github.event_name` for each event that triggers the workflow. Everything else is
// UNKNOWN, and the three-valued logic never turns an unknown into a "safe" answer.
import { evaluateStatically, truthy as isTruthy, toText, UNKNOWN, Unevaluable, type Contexts, type Value as Known } from '@platform-actions/expressions';
import { WORKSPACE_MARK } from './commands.js';

export { UNKNOWN };
type Value = Known | typeof UNKNOWN;

export interface ExprContext {
  env: Record<string, string>;
  inputs: Record<string, string>;
  matrix: Record<string, string>;
  /** github.event_name when the event is known (one evaluation per event). */
  eventName?: string;
  /** github.ref when it is one of the candidates being tried (see refCandidates in workflows.ts). */
  ref?: string;
}

/** Replaces every `${{ … }}` whose value is known; the others stay as written (one shell word each). */
export function substitute(text: string, ctx: ExprContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (all, inner: string) => {
    const v = evaluate(inner, ctx);
    if (v === UNKNOWN || v === null) return all;
    return toText(v);
  });
}

/** Evaluates an expression (with or without the `${{ }}` wrapper); UNKNOWN also for one that does not parse. */
export function evaluate(text: string, ctx: ExprContext): Value {
  const t = text.trim();
  const inner = t.startsWith('${{') && t.endsWith('}}') && t.indexOf('${{', 3) < 0 ? t.slice(3, -2) : t;
  try {
    return evaluateStatically(inner, contexts(ctx));
  } catch {
    return UNKNOWN;
  }
}

/** Truthiness as GitHub defines it; UNKNOWN stays unknown. */
export function truthy(v: Value): boolean | typeof UNKNOWN {
  return v === UNKNOWN ? UNKNOWN : isTruthy(v);
}

/** A context whose listed names are known: a name it does not list may be set at run time (UNKNOWN). */
const known =
  (name: string, values: Record<string, string>) =>
  ([key, ...more]: string[]): Known => {
    if (key === undefined || !(key in values)) throw new Unevaluable([name, key].filter(Boolean).join('.'));
    return more.length ? null : values[key];
  };

/** The contexts a workflow gives before any run; every other one (secrets, steps, needs, vars…) is UNKNOWN. */
function contexts(ctx: ExprContext): Contexts {
  return {
    env: known('env', ctx.env),
    inputs: known('inputs', ctx.inputs),
    matrix: known('matrix', ctx.matrix),
    github: (path) => {
      const key = path.join('.');
      if (key === 'event_name' && ctx.eventName !== undefined) return ctx.eventName;
      if (key === 'ref' && ctx.ref !== undefined) return ctx.ref;
      if (key === 'workspace') return WORKSPACE_MARK; // the repository root, read by joinRel
      if (path.length === 3 && path[0] === 'event' && path[1] === 'inputs') {
        // Only workflow_dispatch carries event.inputs; its default is what a run without overrides gets.
        if (ctx.eventName && ctx.eventName !== 'workflow_dispatch') return null;
        if (path[2] in ctx.inputs) return ctx.inputs[path[2]];
      }
      throw new Unevaluable(`github.${key}`);
    },
  };
}

// GitHub's expression engine over partly known contexts, as a table: what GitHub would compute for the
// contexts a laptop knows, and Unevaluable (naming the context) for what only GitHub has.
import { describe, expect, it } from '@jest/globals';
import { condition, type Contexts, evaluate, evaluateStatically, ExpressionSyntaxError, interpolate, type Status, UNKNOWN, Unevaluable } from '../src/index.js';

const ctx: Contexts = {
  github: { event_name: 'push', ref: 'refs/heads/main', event: { pull_request: { head: { repo: { fork: false } } } } },
  inputs: { mode: 'auto', 'fail-on': 'high', upload: true, depth: 0 },
  runner: { temp: '/tmp/rt' },
  steps: (path) => {
    if (path[0] === 'helm') return path[1] === 'outputs' ? (({ 'sarif-file': '/tmp/rt/h.sarif' } as Record<string, string>)[path[2]] ?? '') : null;
    throw new Unevaluable(['steps', ...path].join('.'));
  },
  secrets: (path) => {
    throw new Unevaluable(['secrets', ...path].join('.'));
  },
};

describe('evaluate', () => {
  it.each([
    ["github.event_name == 'push'", true],
    ["github.event_name == 'PUSH'", true],
    ["inputs.mode == 'full' || (inputs.mode == 'auto' && contains(fromJSON('[\"schedule\", \"push\"]'), github.event_name))", true],
    ["(inputs.mode == 'full') && '0' || '1'", '1'],
    ["inputs['fail-on']", 'high'],
    ['inputs.depth == 0', true],
    ["inputs.depth == ''", true],
    ['!inputs.upload', false],
    ["format('{0}/{1}.sarif', runner.temp, 'x')", '/tmp/rt/x.sarif'],
    ["startsWith(github.ref, 'refs/heads/')", true],
    ['github.event.pull_request.head.repo.fork != true', true],
    ['github.event.nothing.here', null],
    ["steps.helm.outputs.sarif-file != ''", true],
    ["always() && inputs.upload && steps.helm.outputs['sarif-file'] != ''", true],
    // The right side is never evaluated, so a secret in it does not matter.
    ["github.event_name == 'push' || secrets.TOKEN", true],
    ["github.event_name != 'push' && secrets.TOKEN == 'x'", false],
    ['1 < 2 && 3 >= 3', true],
    ["join(fromJSON('[1,2]'), '-')", '1-2'],
  ])('%s', (expr, want) => {
    expect(evaluate(expr, ctx)).toEqual(want);
  });

  it.each([
    ['secrets.GL_TOKEN', 'secrets.GL_TOKEN'],
    ['matrix.version', 'matrix.version'],
    ['steps.targets.outputs.list', 'steps.targets.outputs.list'],
    ["hashFiles('**/go.sum')", 'hashFiles(…)'],
    ["github.event_name == 'push' && vars.REGION", 'vars.REGION'],
  ])('%s needs GitHub (%s)', (expr, what) => {
    expect(() => evaluate(expr, ctx)).toThrow(new Unevaluable(what));
  });

  it('interpolates strings as GitHub does: one whole expression keeps its type, parts are spliced as text', () => {
    expect(interpolate('${{ inputs.upload }}', ctx)).toBe(true);
    expect(interpolate('depth-${{ inputs.depth }}-${{ inputs.mode }}', ctx)).toBe('depth-0-auto');
    expect(interpolate(5, ctx)).toBe(5);
    expect(condition("${{ github.event_name == 'pull_request' }}", ctx)).toBe(false);
    expect(condition('inputs.upload', ctx)).toBe(true);
    expect(condition(undefined, ctx)).toBe(true);
  });
});

describe("GitHub's engine", () => {
  it.each([
    ["contains(github.*, 'push')", true],
    ['toJSON(fromJSON(\'{"a":[1,2]}\'))', '{\n  "a": [\n    1,\n    2\n  ]\n}'],
    ["case(inputs.mode == 'auto', 'a', 'b')", 'a'],
    ['inputs.missing', null],
    ["format('{0}', 0.5)", '0.5'],
  ])('%s', (expr, want) => {
    expect(evaluate(expr, ctx)).toEqual(want);
  });

  it.each([['github.event_name =='], ['nosuchfunction(1)'], ['nosuchcontext.x'], ["'unterminated"]])('%s is a syntax error, not an internal one', (expr) => {
    expect(() => evaluate(expr, ctx)).toThrow(ExpressionSyntaxError);
  });

  it('a whole context through a function context asks for it, and says what it is when unknown', () => {
    expect(() => evaluate("contains(steps.*.outcome, 'failure')", ctx)).toThrow(new Unevaluable('steps'));
  });
});

describe('status functions', () => {
  const failed: Status = { success: false, failure: true, cancelled: false };
  const ok: Status = { success: true, failure: false, cancelled: false };
  // GitHub: an if: that calls none of success(), always(), failure(), cancelled() holds only while success() does.
  it.each([
    [undefined, ok, true],
    [undefined, failed, false],
    ['true', failed, false],
    [true, failed, false],
    ["github.event_name == 'push'", failed, false],
    ["github.event_name == 'push'", ok, true],
    ['failure()', failed, true],
    ['failure()', ok, false],
    ['always()', failed, true],
    ['${{ always() }}', failed, true],
    ['!cancelled()', failed, true],
    ['success() || failure()', failed, true],
    ["failure() && steps.helm.outputs['sarif-file'] != ''", failed, true],
    ['(FAILURE())', failed, true],
    // the implicit success() short-circuits, as GitHub's does: the secret is never asked for
    ['secrets.TOKEN', failed, false],
  ] as Array<[unknown, Status, boolean]>)('if: %s with %j is %s', (text, status, want) => {
    expect(condition(text, ctx, status)).toBe(want);
  });

  it('evaluate and interpolate take the status too; the default is that nothing failed', () => {
    expect(evaluate('failure()', ctx, failed)).toBe(true);
    expect(evaluate('failure()', ctx)).toBe(false);
    expect(interpolate('${{ success() }}', ctx, failed)).toBe(false);
    expect(condition('cancelled()', ctx, { success: false, failure: false, cancelled: true })).toBe(true);
  });
});

// Before any run (a static check such as tf-lock-check's): what the contexts given decide is a value, the
// rest UNKNOWN — and `&&` / `||` look past an unknown operand only when a known one decides the result.
describe('evaluateStatically', () => {
  it.each([
    ["github.event_name == 'push'", true],
    ['secrets.TOKEN', UNKNOWN],
    ["secrets.TOKEN == 'x'", UNKNOWN],
    ['!secrets.TOKEN', UNKNOWN],
    ["contains(secrets.TOKEN, 'x')", UNKNOWN],
    // A known operand that decides: truthy for ||, falsy for &&, wherever it stands.
    ["secrets.TOKEN || github.event_name == 'push'", true],
    ["github.event_name == 'push' || secrets.TOKEN", true],
    ["secrets.TOKEN && github.event_name == 'pull_request'", false],
    ["secrets.TOKEN || inputs.mode == 'full' || 'fallback'", 'fallback'],
    // A known operand that does not decide leaves the result unknown.
    ["secrets.TOKEN || github.event_name == 'pull_request'", UNKNOWN],
    ["github.event_name == 'push' && secrets.TOKEN", UNKNOWN],
    ["(secrets.A || secrets.B) && github.event_name == 'pull_request'", false],
    ["!(secrets.A && github.event_name == 'pull_request')", true],
    // A computed index over an unknown is unknown too (GitHub's evaluator wraps that error).
    ['inputs[secrets.KEY]', UNKNOWN],
    // Before the run nobody knows whether a step failed; always() is always true.
    ['success()', UNKNOWN],
    ['failure()', UNKNOWN],
    ['cancelled()', UNKNOWN],
    ["failure() || github.event_name == 'push'", true],
    ["always() && github.event_name == 'push'", true],
    ["hashFiles('**/go.sum')", UNKNOWN],
  ])('%s', (expr, want) => {
    expect(evaluateStatically(expr, ctx)).toEqual(want);
  });

  it('a syntax error is still an error', () => {
    expect(() => evaluateStatically('github.event_name ==', ctx)).toThrow(ExpressionSyntaxError);
  });

  it('a local run (evaluate) knows that nothing failed; a static check does not', () => {
    expect(evaluate('success() && !failure()', ctx)).toBe(true);
    expect(evaluateStatically('success() && !failure()', ctx)).toBe(UNKNOWN);
  });
});

// The local expression evaluator, as a table: what GitHub would compute for the contexts we can know, and
// Unevaluable (naming the context) for what only GitHub has.
import { describe, expect, it } from '@jest/globals';
import { condition, type Contexts, evaluate, interpolate, Unevaluable } from '../src/expressions.js';
import { nameStages } from '../src/workflows.js';

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

describe('stage names', () => {
  it('names stages by action, by job when an action repeats, then numbers them', () => {
    const base = { workflow: 'w', with: {}, env: {}, conditions: [], inputs: {}, callChain: [], services: [], jobKey: 'k', before: [] };
    const named = nameStages([
      { ...base, action: 'helm-validate', job: 'a' },
      { ...base, action: 'tf-lock-check', job: 'a' },
      { ...base, action: 'tf-lock-check', job: 'b' },
      { ...base, action: 'tf-lock-check', job: 'b' },
    ]);
    expect(named.map((s) => s.name)).toEqual(['helm-validate', 'a/tf-lock-check', 'b/tf-lock-check', 'b/tf-lock-check-2']);
  });
});

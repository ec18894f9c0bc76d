// `npm run demo` provisions every tool each of its steps ends up starting: the step's own tools, the
// runner's Node 24, and what each service it starts looks up (the cluster: kube, etcd and kwok). The
// expectations below are written out by hand from test/harness/services/kube.ts, trivy-db.ts and
// test/runner/runner.ts, so a service that starts needing a new tool without the plan following fails here.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { coldBuildSeconds, type DemoStep, loadSteps, moduleTools, planDemo, stepModules, stepTools } from '../../scripts/demo-plan.js';

const root = resolve(import.meta.dirname, '..', '..');
const steps = loadSteps(root);
const plan = planDemo(root, steps, (t) => coldBuildSeconds(root, t));

describe('the demo provisions what its steps start', () => {
  it.each(steps.map((s, i) => [i, s.title] as const))('step %i (%s): its tools and its services’ tools are provisioned', (i) => {
    const step = steps[i];
    const expected = new Set(['node24', ...(step.tools ?? []).map((t) => t.split('/')[0])]);
    if (step.services?.includes('kube')) for (const t of ['kube', 'etcd', 'kwok']) expected.add(t);
    if (Object.values(step.inputs ?? {}).some((v) => v.includes('{trivy-db}'))) expected.add('trivy');
    for (const t of expected) expect(plan.tools).toContain(t);
    expect(new Set(plan.needs[i])).toEqual(expected);
  });

  it('covers the Kubernetes step, whose services start the whole control plane', () => {
    const k8s = steps.findIndex((s) => s.services?.includes('kube'));
    expect(k8s).toBeGreaterThanOrEqual(0);
    expect(plan.needs[k8s]).toEqual(expect.arrayContaining(['kube', 'etcd', 'kwok', 'node24']));
  });

  it('reads every tool a module looks up, whatever the lookup helper', () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-plan-'));
    mkdirSync(join(dir, 'test', 'harness', 'services'), { recursive: true });
    writeFileSync(
      join(dir, 'test', 'harness', 'services', 'thing.ts'),
      `const a = toolBin('alpha', 'x');\nconst b = toolPath("beta");\nconst c = toolDir(\n  'gamma');\nconst d = toolBin('alpha');\npinnedVersion('delta');\n`,
    );
    expect(moduleTools(dir, 'test/harness/services/thing.ts')).toEqual(['alpha', 'beta', 'gamma']);
    const step = { title: 't', action: 'a', workspace: 'w', services: ['thing'] } as unknown as DemoStep;
    expect(stepModules(step)).toEqual(['test/runner/runner.ts', 'test/harness/services/thing.ts']);
  });

  it('says which module is missing rather than planning without it', () => {
    const step = { title: 't', action: 'a', workspace: 'w', services: ['nope'] } as unknown as DemoStep;
    expect(() => stepTools(root, step)).toThrow('demo: test/harness/services/nope.ts does not exist (a demo step starts it)');
  });
});

describe('the demo provisions the cheapest steps’ tools first', () => {
  it('queues helm, terraform and gitleaks before trivy and the control plane on a cold cache', () => {
    const at = (t: string) => plan.tools.indexOf(t);
    for (const quick of ['node24', 'helm', 'gitleaks', 'terraform']) for (const slow of ['trivy', 'kube', 'etcd', 'kwok']) expect(at(quick)).toBeLessThan(at(slow));
    expect(plan.tools[0]).toBe('node24'); // every step needs it
  });

  it('puts cached tools’ steps first: a cached trivy moves ahead of an uncached gitleaks', () => {
    const cached = new Set(['node24', 'trivy']);
    const warm = planDemo(root, steps, (t) => (cached.has(t) ? 0 : coldBuildSeconds(root, t)));
    expect(warm.tools.indexOf('trivy')).toBeLessThan(warm.tools.indexOf('gitleaks'));
  });

  it('reads each tool’s cold build time from its provision script', () => {
    expect(coldBuildSeconds(root, 'kube')).toBeGreaterThan(coldBuildSeconds(root, 'gitleaks'));
    expect(() => coldBuildSeconds(root, 'no-such-tool')).toThrow('demo: tool no-such-tool has no provision script (test/harness/provision/no-such-tool.sh)');
  });
});

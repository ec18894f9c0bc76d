// The demo's step order: each step runs as soon as what it needs is ready (a quick step before a slow one
// listed earlier), a step whose tool failed is skipped with that tool's reason while the others still
// run, and the wait is said once per change, naming what is missing.
import { describe, expect, it } from '@jest/globals';
import { Prerequisites, runWhenReady } from '../../scripts/demo-schedule.js';

/** Steps with these needs; `script` settles prerequisites in order, one per macrotask, while steps run. */
async function simulate(needs: string[][], script: Array<[string, boolean, string?]>) {
  const prereqs = new Prerequisites();
  const log: string[] = [];
  const pending = needs.map((_, i) => i);
  const feeding = (async () => {
    for (const [what, ok, why] of script) {
      await new Promise((r) => setTimeout(r, 1));
      prereqs.settle(what, ok, why);
    }
  })();
  await runWhenReady(pending, prereqs, {
    needs: (i) => needs[i],
    run: async (i) => void log.push(`run ${i}`),
    skip: (i, why) => void log.push(`skip ${i}: ${why}`),
    waiting: (i, missing) => void log.push(`wait ${i}: ${missing.join(', ')}`),
  });
  await feeding;
  return { log, pending };
}

describe('runWhenReady', () => {
  it('runs a quick step before a slow one listed earlier, and each as soon as its tools are there', async () => {
    const { log, pending } = await simulate(
      [
        ['bundle', 'trivy'],
        ['bundle', 'helm'],
        ['bundle', 'helm', 'node24'],
      ],
      [
        ['bundle', true],
        ['helm', true],
        ['node24', true],
        ['trivy', true],
      ],
    );
    expect(log).toEqual(['wait 0: bundle, trivy', 'wait 0: trivy', 'run 1', 'run 2', 'run 0']);
    expect(pending).toEqual([]);
  });

  it('skips the steps whose tool failed, with its reason, and still runs the others', async () => {
    const { log } = await simulate(
      [['kube', 'kwok'], ['helm'], ['kwok'], ['gitleaks']],
      [
        ['kwok', false, 'kwok could not be provisioned: host unreachable'],
        ['helm', true],
        ['gitleaks', true],
        ['kube', true],
      ],
    );
    expect(log).toEqual([
      'wait 0: kube, kwok',
      'skip 0: kwok could not be provisioned: host unreachable',
      'skip 2: kwok could not be provisioned: host unreachable',
      'wait 1: helm',
      'run 1',
      'wait 3: gitleaks',
      'run 3',
    ]);
  });

  it('takes the first report of a prerequisite: a later one does not turn a failure into success', async () => {
    const p = new Prerequisites();
    p.settle('trivy', false, 'trivy could not be provisioned: checksum mismatch');
    p.settle('trivy', true);
    expect(p.ready('trivy')).toBe(false);
    expect(p.failure('trivy')).toBe('trivy could not be provisioned: checksum mismatch');
    expect(p.failure('helm')).toBeUndefined();
  });

  it('resolves at once when every prerequisite is already known', async () => {
    const p = new Prerequisites();
    p.settle('a', true);
    p.settle('b', false, 'b broke');
    const log: string[] = [];
    await runWhenReady([0, 1], p, {
      needs: (i) => [['a'], ['a', 'b']][i],
      run: async (i) => void log.push(`run ${i}`),
      skip: (i, w) => void log.push(`skip ${i}: ${w}`),
      waiting: () => log.push('wait'),
    });
    expect(log).toEqual(['run 0', 'skip 1: b broke']);
  });
});

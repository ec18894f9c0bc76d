// The plan action in-process (test/helpers/main-in-process.ts), on real git repositories:
// the matrix it hands GitHub for a pull request, a schedule, an empty change, and bad inputs.
import { afterAll, describe, expect, test } from '@jest/globals';
import { formatDurations, parsePlanDocument } from '@platform-actions/kit';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chart, inDir, TestRepo } from '../../../packages/kit/test/git-repo.js';
import { runMain } from '../../../test/helpers/main-in-process.js';
import { main } from '../src/main.js';
import { ACTION } from '../src/action.js';

const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.remove()));

/** 12 charts, the first three of different sizes. */
function twelveCharts(): TestRepo {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 12; i++) Object.assign(files, inDir(`charts/c${String(i).padStart(2, '0')}`, chart(`c${i}`)));
  for (let i = 0; i < 6; i++) files[`charts/c01/templates/extra-${i}.yaml`] = 'kind: ConfigMap\n';
  const r = TestRepo.init(files);
  repos.push(r);
  return r;
}

/** Runs the action as the runner would: inputs, the event file, the workspace. */
async function plan(r: TestRepo, inputs: Record<string, string>, event: { name: string; payload: unknown }) {
  const eventFile = join(r.dir, '..', `${r.dir.split('/').pop()}-event.json`);
  writeFileSync(eventFile, JSON.stringify(event.payload));
  const run = await runMain(ACTION, main, { workspace: r.dir, inputs, env: { GITHUB_EVENT_NAME: event.name, GITHUB_EVENT_PATH: eventFile, GITHUB_REPOSITORY: 'acme/mono' } });
  return { log: run.stdout, out: run.outputs, summary: run.summary, failed: run.failed };
}
const pr = (base: string, head: string) => ({
  name: 'pull_request',
  payload: {
    number: 3,
    pull_request: { number: 3, base: { sha: base, ref: 'main', repo: { full_name: 'acme/mono' } }, head: { sha: head, ref: 'feature', repo: { full_name: 'acme/mono' } } },
    repository: { full_name: 'acme/mono', default_branch: 'main' },
  },
});
const schedule = { name: 'schedule', payload: { schedule: '0 3 * * *' } };

describe('plan', () => {
  test('a pull request that changes 2 of 12 charts: a matrix of those 2, and the plan for the verdict', async () => {
    const r = twelveCharts();
    const base = r.git('rev-parse', 'HEAD');
    r.git('checkout', '-q', '-b', 'feature');
    const head = r.commit('two charts', { 'charts/c03/values.yaml': 'replicas: 2\n', 'charts/c07/templates/deployment.yaml': 'kind: Deployment\n# x\n' });
    const { out, summary } = await plan(r, { kind: 'charts', 'max-shards': '3' }, pr(base, head));
    expect(JSON.parse(out.matrix)).toEqual({
      include: [
        { shard: 1, shards: 2, items: 'charts/c03', count: 1 },
        { shard: 2, shards: 2, items: 'charts/c07', count: 1 },
      ],
    });
    expect(out).toMatchObject({ shards: '2', 'items-count': '2', items: 'charts/c03\ncharts/c07', empty: 'false', outcome: 'clean', 'findings-count': '0' });
    const doc = parsePlanDocument(out.plan);
    if (!('plan' in doc)) throw new Error(doc.problem);
    expect(doc.plan.shards.map((s) => s.items.map((i) => [i.id, i.reasons]))).toEqual([
      [['charts:charts/c03', ['1 file changed (values.yaml)']]],
      [['charts:charts/c07', ['1 file changed (templates/deployment.yaml)']]],
    ]);
    expect(doc.plan.unchanged).toBe(10);
    expect(summary).toContain('2 of 12 charts to check, in 2 shards');
    expect(summary).toContain('10 charts not touched by the change are not checked');
  });

  test('on schedule: all 12 charts across 3 shards, balanced by size', async () => {
    const r = twelveCharts();
    const { out, summary } = await plan(r, { kind: 'charts', 'max-shards': '3' }, schedule);
    const m = JSON.parse(out.matrix) as { include: Array<{ items: string; count: number }> };
    expect(m.include).toHaveLength(3);
    expect(m.include.flatMap((s) => s.items.split('\n')).sort()).toHaveLength(12);
    // c01 renders 7 templates, every other chart 1: c01 gets a shard of its own.
    expect(m.include.map((s) => s.count).sort()).toEqual([1, 5, 6]);
    expect(m.include.find((s) => s.count === 1)!.items).toBe('charts/c01');
    expect(summary).toContain('all 12 charts to check, in 3 shards');
    expect(summary).toContain('Scope: everything');
  });

  test('recorded durations balance the next run', async () => {
    const r = twelveCharts();
    const file = join(r.dir, '.platform-actions-durations.json');
    // c12 took as long as all the others together.
    writeFileSync(file, formatDurations(new Map(Array.from({ length: 12 }, (_, i) => [`charts:charts/c${String(i + 1).padStart(2, '0')}`, i === 11 ? 11_000 : 1000]))));
    const { out } = await plan(r, { kind: 'charts', 'max-shards': '2', 'durations-file': file }, schedule);
    const m = JSON.parse(out.matrix) as { include: Array<{ items: string }> };
    expect(m.include.map((s) => s.items)).toContain('charts/c12');
    const doc = parsePlanDocument(out.plan);
    expect('plan' in doc && doc.plan.basis).toBe('durations');
  });

  test('a change that touches no chart: nothing to do, green, an empty matrix', async () => {
    const r = twelveCharts();
    const base = r.git('rev-parse', 'HEAD');
    r.git('checkout', '-q', '-b', 'feature');
    const head = r.commit('docs', { 'README.md': '# docs\n' });
    const { out, summary, failed } = await plan(r, { kind: 'charts' }, pr(base, head));
    expect(out).toMatchObject({ matrix: '{"include":[]}', shards: '0', 'items-count': '0', empty: 'true', outcome: 'clean' });
    expect(summary).toContain('✅ **Nothing to do: the change touches none of the 12 charts\\.**');
    expect(failed).toBe(false);
  });

  test('changed-only auto: only what changed on a pull request, everything on a push; true: the push range', async () => {
    const r = twelveCharts();
    const before = r.git('rev-parse', 'HEAD');
    const after = r.commit('one chart', { 'charts/c05/values.yaml': 'replicas: 5\n' });
    const push = { name: 'push', payload: { ref: 'refs/heads/main', before, after, repository: { full_name: 'acme/mono', default_branch: 'main' } } };
    expect((await plan(r, { kind: 'charts' }, push)).out['items-count']).toBe('12');
    expect((await plan(r, { kind: 'charts', 'changed-only': 'true' }, push)).out.items).toBe('charts/c05');
    expect((await plan(r, { kind: 'charts', 'changed-only': 'false' }, pr(before, after))).out['items-count']).toBe('12');
  });

  test('kind images with no images listed: nothing to do', async () => {
    const r = twelveCharts();
    const { out, summary } = await plan(r, { kind: 'images' }, schedule);
    expect(out).toMatchObject({ empty: 'true', 'items-count': '0', outcome: 'clean' });
    expect(summary).toContain('Nothing to do: there are no images');
  });

  test('images: a shard takes at most 20 (trivy-scan writes one SARIF run per target, GitHub takes 20), said when that needs more shards', async () => {
    const r = twelveCharts();
    const images = Array.from({ length: 25 }, (_, i) => `ghcr.io/acme/svc${i}:1.0`).join('\n');
    const { out, log } = await plan(r, { kind: 'images', images, 'max-shards': '1' }, schedule);
    const m = JSON.parse(out.matrix) as { include: Array<{ count: number; items: string }> };
    expect(m.include.map((s) => s.count).sort()).toEqual([12, 13]);
    expect(m.include[0].items.split('\n')[0]).toMatch(/^image:ghcr\.io\/acme\/svc\d+:1\.0$/);
    expect(log).toContain('::warning::2 shards instead of max-shards 1: a shard takes at most 20 images (25 to check).');
  });

  test('terraform: one root per shard carries its root as the concurrency key', async () => {
    const r = TestRepo.init({
      'live/a/main.tf': 'module "m" {\n  source = "../../modules/m"\n}\n',
      'live/b/main.tf': 'module "m" {\n  source = "../../modules/m"\n}\n',
      'modules/m/main.tf': '# m\n',
    });
    repos.push(r);
    const { out } = await plan(r, { kind: 'terraform', 'max-shards': '256' }, schedule);
    expect(JSON.parse(out.matrix)).toEqual({
      include: [
        { shard: 1, shards: 2, items: 'live/a', count: 1, state: 'live/a' },
        { shard: 2, shards: 2, items: 'live/b', count: 1, state: 'live/b' },
      ],
    });
  });

  test.each([
    [{ kind: 'helm' }, 'plan: input "kind" must be one of charts, terraform, images, migrations; got "helm"'],
    [{ kind: 'charts', 'max-shards': '300' }, 'plan: input "max-shards" must be a whole number in 1..256; got "300"'],
    [{ kind: 'charts', images: 'ghcr.io/acme/web:1' }, 'plan: input "images" is only for kind images; kind is charts'],
    [{ kind: 'charts', 'changed-only': 'yes' }, 'plan: input "changed-only" must be one of auto, true, false; got "yes"'],
  ])('bad input %j is one configuration error line', async (inputs, line) => {
    const r = twelveCharts();
    const { log, out } = await plan(r, inputs, schedule);
    expect(log).toContain(`::error::${line}`);
    expect(out.outcome).toBe('config-error');
  });
});

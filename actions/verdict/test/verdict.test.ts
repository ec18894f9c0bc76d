// The verdict action in-process, merging run reports written by the kit exactly as shard runs write
// them (runAction + publish with PLATFORM_ACTIONS_REPORT_DIR): all shards, a missing shard, a failing
// shard, a shard with rejected inputs, re-run attempts, an empty plan, SARIF categories, durations.
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  fingerprint,
  type Finding,
  formatDurations,
  gate,
  InputError,
  parseDurations,
  publish,
  resetRunReport,
  runAction,
  splitIntoShards,
  toPlanDocument,
  type WorkItem,
  type WorkPlan,
} from '@platform-actions/kit';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { actionEnv, captureStdout } from '../../../packages/kit/test/env.js';
import { runMain } from '../../../test/helpers/main-in-process.js';
import { main } from '../src/main.js';
import { ACTION } from '../src/action.js';

afterEach(() => {
  process.exitCode = 0;
  resetRunReport();
});

const item = (path: string, size = 1): WorkItem => ({ id: `charts:${path}`, kind: 'charts', path, input: path, size, reasons: ['1 file changed (values.yaml)'] });
function planOf(paths: string[], shards: number, everything = false): string {
  const items = paths.map((p) => item(p));
  const plan: WorkPlan = {
    kind: 'charts',
    scope: { label: everything ? 'everything' : 'main..feature', reason: 'test', everything, changedFiles: 2 },
    items,
    unchanged: [],
    removed: [],
  };
  return JSON.stringify(toPlanDocument(plan, splitIntoShards(items, shards)));
}
const finding = (path: string, severity: Finding['severity'], rule = 'securitycontext-misplaced'): Finding => ({
  tool: 'helm-validate',
  ruleId: rule,
  severity,
  title: 'Container-only field at pod level',
  message: `${path}: allowPrivilegeEscalation set at pod level`,
  location: { path: `${path}/templates/deployment.yaml`, startLine: 4 },
  fingerprint: fingerprint(rule, path),
});

/** One shard's run, as a shard job runs the action: the kit writes the report (and the SARIF copy). */
async function shardRun(reports: string, shard: number | undefined, o: { findings?: Finding[]; category?: string; fail?: Error; attempt?: number } = {}) {
  const dir = join(reports, `platform-actions-report-${shard ?? 'x'}-${o.attempt ?? 1}`);
  const e = actionEnv({}, { PLATFORM_ACTIONS_REPORT_DIR: dir, GITHUB_ACTION: 'validate', ...(shard ? { PLATFORM_ACTIONS_SHARD: String(shard) } : {}) });
  try {
    await captureStdout(() =>
      runAction({
        name: 'helm-validate',
        main: async () => {
          if (o.fail) throw o.fail;
          // Some work to measure: a run of 0 ms records no duration.
          await new Promise((r) => setTimeout(r, 3));
          const g = gate({ findings: o.findings ?? [], failOn: 'high' });
          await publish({
            action: 'helm-validate',
            title: 'Helm chart validation',
            gate: g,
            details: `charts of shard ${shard}`,
            sarif: { path: join(e.dir, 'helm.sarif'), runs: [{ tool: { name: 'helm-validate' }, category: o.category ?? 'helm-validate', findings: g.active }] },
          });
        },
      }),
    );
  } finally {
    e.restore();
    process.exitCode = 0;
    resetRunReport();
  }
}

async function verdict(plan: string, reports: string, extra: Record<string, string> = {}) {
  // The reports are downloaded into RUNNER_TEMP, as the workflows do.
  const temp = dirname(reports);
  const r = await runMain(ACTION, main, { workspace: temp, inputs: { plan, reports, comment: 'false', ...extra }, env: { RUNNER_TEMP: temp } });
  return { log: r.stdout, out: r.outputs, summary: r.summary, failed: r.failed };
}
const reportsDir = () => {
  const d = join(mkdtempSync(join(tmpdir(), 'verdict-temp-')), 'reports');
  mkdirSync(d, { recursive: true });
  return d;
};
const charts = Array.from({ length: 12 }, (_, i) => `charts/c${String(i + 1).padStart(2, '0')}`);

describe('verdict', () => {
  test('every shard reported: one clean verdict, totals, one SARIF run for the category all shards share, durations', async () => {
    const reports = reportsDir();
    for (const s of [1, 2, 3]) await shardRun(reports, s, { findings: s === 2 ? [finding(charts[1], 'medium'), finding(charts[4], 'low')] : [] });
    const { out, summary, log, failed } = await verdict(planOf(charts, 3, true), reports);
    expect(out).toMatchObject({ outcome: 'clean', 'findings-count': '2', 'medium-count': '1', 'low-count': '1', shards: '3', 'missing-shards': '', complete: 'true' });
    expect(failed).toBe(false);
    const sarif = JSON.parse(readFileSync(out['sarif-file'], 'utf8')) as { runs: Array<{ automationDetails: { id: string }; results: unknown[] }> };
    expect(sarif.runs.map((r) => [r.automationDetails.id, r.results.length])).toEqual([['helm-validate/', 2]]);
    expect(summary).toMatch(/\| 1\/3 \| charts\/c01, charts\/c04, charts\/c07, charts\/c10 \| ✅ clean \| 0 \|/);
    const d = parseDurations(readFileSync(out['durations-file'], 'utf8'));
    expect('durations' in d && [...d.durations.keys()].sort()).toEqual(charts.map((c) => `charts:${c}`));
    expect(log).not.toMatch(/::error::/);
  });

  test('a shard that sent no report fails the verdict as a tool error that names it and its items', async () => {
    const reports = reportsDir();
    await shardRun(reports, 1);
    await shardRun(reports, 3);
    const { out, log, summary, failed } = await verdict(planOf(charts, 3, true), reports);
    expect(out).toMatchObject({ outcome: 'tool-error', 'missing-shards': '2' });
    expect(log).toContain(
      '::error::verdict: shard 2/3 (charts/c02, charts/c05, charts/c08 and 1 more) sent no report: it crashed, timed out or was cancelled, so its 4 items are not checked',
    );
    expect(summary).toContain('🕳️ no report');
    expect(failed).toBe(true);
  });

  test('a shard whose findings fail its gate fails the verdict, by name; a tool error in another outranks it', async () => {
    const reports = reportsDir();
    await shardRun(reports, 1, { findings: [finding(charts[0], 'high')] });
    await shardRun(reports, 2);
    const r1 = await verdict(planOf(charts.slice(0, 2), 2), reports);
    expect(r1.out).toMatchObject({ outcome: 'policy-failure', 'high-count': '1', complete: 'false' });
    expect(r1.log).toContain('::error::verdict: shard 1/2 (charts/c01), helm-validate: 1 finding at or above its fail-on (see the annotations and the job summary)');
    expect(r1.log).toMatch(/::error title=[^\n]*file=charts\/c01\/templates\/deployment.yaml,line=4/);
    await shardRun(reports, 2, { fail: new Error('boom'), attempt: 2 });
    const r2 = await verdict(planOf(charts.slice(0, 2), 2), reports);
    expect(r2.out.outcome).toBe('tool-error');
    expect(r2.log).toContain('shard 2/2 (charts/c02), helm-validate: internal error: boom');
  });

  test('a shard whose inputs were rejected makes the verdict a configuration error', async () => {
    const reports = reportsDir();
    await shardRun(reports, 1, { fail: new InputError('kubernetes-versions', 'must be versions such as 1.35', '1.x') });
    const { out, log } = await verdict(planOf(charts.slice(0, 1), 1), reports);
    expect(out.outcome).toBe('config-error');
    expect(log).toContain('::error::verdict: shard 1/1 (charts/c01), helm-validate: input "kubernetes-versions" must be versions such as 1.35; got "1.x"');
  });

  test('a re-run attempt replaces the first attempt’s report', async () => {
    const reports = reportsDir();
    await shardRun(reports, 1, { fail: new Error('runner lost') });
    await new Promise((r) => setTimeout(r, 5));
    await shardRun(reports, 1, { attempt: 2 });
    expect((await verdict(planOf(charts.slice(0, 1), 1), reports)).out.outcome).toBe('clean');
  });

  test('an empty plan: nothing to do, green; no plan at all (the plan job failed): a tool error', async () => {
    const empty = await verdict(planOf([], 4), reportsDir());
    expect(empty.out).toMatchObject({ outcome: 'clean', shards: '0', 'findings-count': '0' });
    expect(empty.summary).toContain('Nothing to do');
    const none = await verdict('', reportsDir());
    expect(none.out.outcome).toBe('tool-error');
    expect(none.log).toContain('::error::verdict: the plan input is empty: the plan job failed or was skipped');
  });

  test('per-target categories (trivy-scan/<target>) stay apart; above 20 they fold into one per action, said', async () => {
    const reports = reportsDir();
    const images = Array.from({ length: 22 }, (_, i) => `img${i}`);
    for (let s = 1; s <= 22; s++) await shardRun(reports, s, { category: `trivy-scan/image-${images[s - 1]}`, findings: [finding(images[s - 1], 'low', 'CVE-2026-1')] });
    const { out, log } = await verdict(planOf(images, 22, true), reports);
    const sarif = JSON.parse(readFileSync(out['sarif-file'], 'utf8')) as {
      runs: Array<{ automationDetails: { id: string }; results: unknown[]; tool: { driver: { rules: unknown[] } } }>;
    };
    expect(sarif.runs.map((r) => [r.automationDetails.id, r.results.length, r.tool.driver.rules.length])).toEqual([['trivy-scan/', 22, 1]]);
    expect(log).toMatch(/More than 20 SARIF categories/);
    const few = reportsDir();
    for (let s = 1; s <= 2; s++) await shardRun(few, s, { category: `trivy-scan/image-${images[s - 1]}` });
    const two = await verdict(planOf(images.slice(0, 2), 2, true), few);
    const sarif2 = JSON.parse(readFileSync(two.out['sarif-file'], 'utf8')) as { runs: Array<{ automationDetails: { id: string } }> };
    expect(sarif2.runs.map((r) => r.automationDetails.id)).toEqual(['trivy-scan/image-img0/', 'trivy-scan/image-img1/']);
  });

  test('the durations file keeps items not run this time', async () => {
    const reports = reportsDir();
    await shardRun(reports, 1);
    // As actions/cache restored it into RUNNER_TEMP.
    const file = join(dirname(reports), 'durations.json');
    writeFileSync(file, formatDurations(new Map([['charts:charts/old', 4242]])));
    const { out } = await verdict(planOf(['charts/c01'], 1), reports, { 'durations-file': file });
    expect(out['durations-file']).toBe(file);
    const d = parseDurations(readFileSync(file, 'utf8'));
    expect('durations' in d && [...d.durations.keys()]).toEqual(['charts:charts/c01', 'charts:charts/old']);
  });
});

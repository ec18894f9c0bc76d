// verdict: one result for a matrix of shards. Reads like its table of contents: inputs → the shards'
// run reports → one merged verdict (a missing shard is a tool error, by name) → SARIF, durations →
// outputs, annotations, summary, sticky comment → pass or fail.
import { core, failUnlessClean, formatDurations, mergeSarif, parseDurations, publish, UserError, writeMergedSarif } from '@platform-actions/kit';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { collectReports } from './collect.js';
import { mergeVerdict, type Verdict } from './merge.js';
import { detailsMarkdown } from './report.js';
import { readSettings, type Settings } from './settings.js';
import { ACTION } from './action.js';

export async function main(): Promise<void> {
  // 1. Inputs: the plan (which shards to expect) and where their reports are.
  const s = readSettings();

  // 2. The reports, matched to the plan's shards, merged.
  const collected = collectReports(s.reports);
  core.info(`${collected.length} run report(s) for ${s.plan.shards.length} planned shard(s)`);
  const v = mergeVerdict(s.plan, collected);

  // 3. One SARIF file (one run per category) and the durations the next plan balances by.
  const sarif = writeSarif(s, v);
  writeDurations(s, v);

  // 4. Reports: outputs, annotations, summary, the one sticky comment; then the totals (a report lists
  //    at most 5,000 findings, its counts cover all of them).
  core.setOutput('shards', s.plan.shards.length);
  core.setOutput('missing-shards', v.missing.join(','));
  core.setOutput('complete', s.plan.scope.everything);
  await publish({
    action: ACTION,
    title: s.title,
    gate: v.gate,
    details: detailsMarkdown(s.plan, v),
    reports: { ...(sarif ? { 'sarif-file': sarif } : {}), 'durations-file': s['durations-file'] },
    comment: s.comment ? { token: s.token, category: s.name } : undefined,
  });
  core.setOutput('findings-count', v.totals.total);
  for (const sev of ['critical', 'high', 'medium', 'low', 'info'] as const) core.setOutput(`${sev}-count`, v.totals[sev]);

  // 5. Pass or fail, naming the shards.
  if (v.outcome === 'config-error') throw new UserError(v.configErrors.join('; '));
  // The policy lines already say how many findings each shard failed on; the count is not repeated.
  failUnlessClean(ACTION, { ...v.gate, failing: [] }, "each shard's fail-on");
}

function writeSarif(s: Settings, v: Verdict): string | undefined {
  const files = [...v.rows.flatMap((r) => r.reports), ...v.extra].map((r) => r.sarif).filter((f): f is string => Boolean(f));
  if (!files.length) return undefined;
  const merged = mergeSarif(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown));
  if (merged.folded) core.warning('More than 20 SARIF categories: each action’s categories were folded into one (code scanning takes 20 runs per upload).');
  if (merged.dropped) core.warning(`${merged.dropped} result(s) left out of the merged SARIF to stay within GitHub's limits (least severe first).`);
  writeMergedSarif(s['sarif-file'], merged);
  core.info(`SARIF: ${merged.results} result(s) in ${merged.log.runs.length} run(s) → ${s['sarif-file']}`);
  return s['sarif-file'];
}

/** Updates the durations file: this run's measurements over the last ones (items not run keep theirs). */
function writeDurations(s: Settings, v: Verdict): void {
  const file = s['durations-file'];
  const previous = existsSync(file) ? parseDurations(readFileSync(file, 'utf8')) : undefined;
  const all = new Map(previous && 'durations' in previous ? previous.durations : []);
  for (const [id, ms] of v.durations) all.set(id, ms);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, formatDurations(all));
}

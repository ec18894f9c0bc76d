// Merging SARIF files that several runs of our actions wrote (the shards of a matrix) into one upload.
// Code scanning needs one run per category in an upload ("several same-category runs in one file are
// rejected"), and a category uploaded twice in one workflow run fails it, so runs of the same category
// from different shards become one run: results concatenated, rules united, rule indexes renumbered.
// Categories stay what each action set (helm-validate, trivy-scan/<target>, …), so alert history does
// not depend on how items were split into shards. Above GitHub's 20 runs per upload, the runs of each
// action are folded into one run per action (the first segment of the category), which is said.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hasSecrets, scrub } from '../secrets.js';
import { SARIF_LIMITS } from './sarif.js';

type Json = Record<string, unknown>;

export interface SarifMerge {
  log: { $schema: string; version: '2.1.0'; runs: Json[] };
  /** Categories were folded to one per action to stay within 20 runs. */
  folded: boolean;
  /** Results left out to stay within GitHub's limits (least severe first). */
  dropped: number;
  results: number;
}

const LEVEL_RANK: Record<string, number> = { error: 0, warning: 1, note: 2, none: 3 };
const categoryOf = (run: Json): string => {
  const id = (run.automationDetails as Json | undefined)?.id;
  const name = ((run.tool as Json | undefined)?.driver as Json | undefined)?.name;
  return typeof id === 'string' && id ? (id.endsWith('/') ? id : `${id}/`) : `${typeof name === 'string' ? name : 'unknown'}/`;
};

function mergeRuns(category: string, runs: Json[]): Json {
  const first = runs[0];
  const driver = { ...((first.tool as Json).driver as Json) };
  const rules: Json[] = [];
  const index = new Map<string, number>();
  const results: Json[] = [];
  for (const run of runs) {
    const runRules = ((((run.tool as Json)?.driver as Json)?.rules as Json[] | undefined) ?? []).filter((r) => typeof r?.id === 'string');
    for (const r of runRules) {
      if (!index.has(r.id as string)) {
        index.set(r.id as string, rules.length);
        rules.push(r);
      }
    }
    for (const res of (run.results as Json[] | undefined) ?? []) {
      const ruleId = typeof res.ruleId === 'string' ? res.ruleId : (runRules[res.ruleIndex as number]?.id as string | undefined);
      const copy: Json = { ...res };
      if (ruleId !== undefined && index.has(ruleId)) {
        copy.ruleId = ruleId;
        copy.ruleIndex = index.get(ruleId);
      } else delete copy.ruleIndex;
      results.push(copy);
    }
  }
  driver.rules = rules;
  return { ...first, tool: { ...(first.tool as Json), driver }, automationDetails: { id: category }, results };
}

/** Pure: one SARIF log from many, one run per category (folded per action above 20), within GitHub's limits. */
export function mergeSarif(logs: readonly unknown[]): SarifMerge {
  const all: Json[] = [];
  for (const l of logs) for (const r of ((l as Json)?.runs as Json[] | undefined) ?? []) if (r && typeof r === 'object' && (r.tool as Json)?.driver) all.push(r);
  const group = (key: (r: Json) => string) => {
    const m = new Map<string, Json[]>();
    for (const r of all) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
    return m;
  };
  let groups = group(categoryOf);
  let folded = false;
  if (groups.size > SARIF_LIMITS.runsPerFile) {
    folded = true;
    groups = group((r) => `${categoryOf(r).split('/')[0]}/`);
  }
  let runs = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([cat, rs]) => mergeRuns(cat, rs));
  let dropped = 0;
  let max: number = SARIF_LIMITS.resultsPerRun;
  for (;;) {
    runs = runs.map((r) => {
      const res = r.results as Json[];
      if (res.length <= max) return r;
      dropped += res.length - max;
      const kept = [...res].sort((a, b) => (LEVEL_RANK[String(a.level)] ?? 1) - (LEVEL_RANK[String(b.level)] ?? 1)).slice(0, max);
      return { ...r, results: kept };
    });
    const log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0' as const, runs };
    const text = JSON.stringify(log);
    const largest = Math.max(0, ...runs.map((r) => (r.results as Json[]).length));
    if (text.length <= SARIF_LIMITS.gzipBytes || gzipSync(text).length <= SARIF_LIMITS.gzipBytes || largest <= 1) {
      return { log, folded, dropped, results: runs.reduce((n, r) => n + (r.results as Json[]).length, 0) };
    }
    max = Math.max(1, Math.floor(largest / 2));
  }
}

/** Writes a merged log, every string scrubbed of registered secrets. */
export function writeMergedSarif(path: string, merged: SarifMerge): void {
  const text = hasSecrets() ? JSON.stringify(merged.log, (_k, v: unknown) => (typeof v === 'string' ? scrub(v) : v)) : JSON.stringify(merged.log);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

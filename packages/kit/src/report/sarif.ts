// SARIF 2.1.0 for GitHub code scanning. GitHub rejects files over its limits instead of trimming them, so
// we trim first, keeping the most severe results, and tell the caller what was dropped.
import { hasSecrets, scrub } from '../secrets.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Finding, type Severity, severityRank, sortFindings } from '../findings.js';

export const SARIF_LIMITS = {
  runsPerFile: 20,
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  tagsPerRule: 20,
  gzipBytes: 10 * 1024 * 1024,
  shortDescription: 1024,
  fullDescription: 1024,
  ruleName: 255,
} as const;

// GitHub: > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: undefined,
};
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

export interface SarifRunInput {
  tool: { name: string; version?: string; informationUri?: string };
  /** Code-scanning category; distinct per tool and target so uploads do not replace each other. */
  category: string;
  findings: readonly Finding[];
  /**
   * Where results without a location point (GitHub requires one), e.g. the chart's Chart.yaml. Default:
   * the workflow file that ran the step (GITHUB_WORKFLOW_REF), else .github/workflows. A finding is never
   * left out of the SARIF file for want of a location: the file and the step's counts must agree.
   */
  fallbackPath?: string;
}

/** The workflow file of this run, from GITHUB_WORKFLOW_REF (`owner/repo/.github/workflows/ci.yml@refs/heads/main`). */
function workflowFile(env: NodeJS.ProcessEnv = process.env): string {
  const m = /^[^/]+\/[^/]+\/(.+?)@/.exec(env.GITHUB_WORKFLOW_REF ?? '');
  return m ? m[1] : '.github/workflows';
}

export interface SarifBuild {
  // The log is plain JSON; its shape is checked against the official schema in tests.
  log: { $schema: string; version: '2.1.0'; runs: Record<string, unknown>[] };
  /** Results left out to stay within GitHub's limits (least severe first). */
  dropped: number;
  /** The log serialised (compact), as measured against the size limit. */
  text: string;
}

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const encodePath = (p: string): string => p.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');

function buildRun(input: SarifRunInput, maxResults: number): { run: Record<string, unknown>; dropped: number } {
  const fallbackPath = input.fallbackPath || workflowFile();
  let dropped = 0;
  let kept: readonly Finding[] = input.findings;
  if (kept.length > maxResults) {
    // Only a trimmed run needs sorting: keep the most severe.
    dropped += kept.length - maxResults;
    kept = sortFindings(kept).slice(0, maxResults);
  }
  const rules: Record<string, unknown>[] = [];
  const ruleIndex = new Map<string, number>();
  const ruleWorst = new Map<string, Severity>();
  for (const f of kept) {
    const worst = ruleWorst.get(f.ruleId);
    if (!worst || severityRank(f.severity) < severityRank(worst)) ruleWorst.set(f.ruleId, f.severity);
  }
  for (const f of kept) {
    if (ruleIndex.has(f.ruleId)) continue;
    if (rules.length >= SARIF_LIMITS.rulesPerRun) continue;
    const sev = ruleWorst.get(f.ruleId) ?? f.severity;
    const helpText = f.help?.text ?? f.title;
    const tags = [...new Set(['security', ...(f.tags ?? [])])].slice(0, SARIF_LIMITS.tagsPerRule);
    const properties: Record<string, unknown> = { tags, precision: 'high' };
    const ss = SECURITY_SEVERITY[sev];
    if (ss) properties['security-severity'] = ss;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push({
      id: f.ruleId,
      name: clip(f.ruleId.replace(/[^A-Za-z0-9]+/g, ' ').trim() || f.ruleId, SARIF_LIMITS.ruleName),
      shortDescription: { text: clip(f.title, SARIF_LIMITS.shortDescription) },
      fullDescription: { text: clip(f.help?.text ?? f.title, SARIF_LIMITS.fullDescription) },
      help: { text: helpText, markdown: f.help?.markdown ?? helpText },
      ...(f.help?.uri ? { helpUri: f.help.uri } : {}),
      defaultConfiguration: { level: LEVEL[sev] },
      properties,
    });
  }
  // Past GitHub's rule limit a result has no rule to point at: it is left out, and counted as dropped.
  const ruled = kept.filter((f) => ruleIndex.has(f.ruleId));
  dropped += kept.length - ruled.length;
  const results = ruled.map((f) => {
    const loc = f.location?.path ? f.location : { path: fallbackPath };
    const region: Record<string, number> = {};
    if (loc.startLine) {
      region.startLine = loc.startLine;
      if (loc.endLine) region.endLine = loc.endLine;
      if (loc.startColumn) region.startColumn = loc.startColumn;
      if (loc.endColumn) region.endColumn = loc.endColumn;
    }
    return {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: encodePath(loc.path) },
            ...(loc.startLine ? { region } : {}),
          },
        },
      ],
      // Our own stable key. primaryLocationLineHash is left to upload-sarif, which computes it from the checkout.
      partialFingerprints: { 'platformActionsFingerprint/v1': f.fingerprint },
      ...(f.properties ? { properties: { ...f.properties, severity: f.severity } } : { properties: { severity: f.severity } }),
    };
  });
  const category = input.category.endsWith('/') ? input.category : `${input.category}/`;
  return {
    run: {
      tool: {
        driver: {
          name: input.tool.name,
          ...(input.tool.version ? { semanticVersion: input.tool.version, version: input.tool.version } : {}),
          ...(input.tool.informationUri ? { informationUri: input.tool.informationUri } : {}),
          rules,
        },
      },
      automationDetails: { id: category },
      columnKind: 'unicodeCodePoints',
      results,
    },
    dropped,
  };
}

/** Builds a SARIF log within GitHub's limits. Throws if given more runs than one file may hold. */
export function buildSarif(runs: readonly SarifRunInput[], opts: { maxResultsPerRun?: number; maxGzipBytes?: number } = {}): SarifBuild {
  if (runs.length > SARIF_LIMITS.runsPerFile) {
    throw new Error(`a SARIF file holds at most ${SARIF_LIMITS.runsPerFile} runs; got ${runs.length}`);
  }
  const maxGzip = opts.maxGzipBytes ?? SARIF_LIMITS.gzipBytes;
  let maxResults = opts.maxResultsPerRun ?? SARIF_LIMITS.resultsPerRun;
  for (;;) {
    let dropped = 0;
    const built = runs.map((r) => {
      const b = buildRun(r, maxResults);
      dropped += b.dropped;
      return b.run;
    });
    const log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0' as const, runs: built };
    const largest = runs.reduce((m, r) => Math.max(m, r.findings.length), 0);
    const text = JSON.stringify(log);
    // gzip never grows JSON beyond its length, so only compress when the raw text could be over the limit.
    if (text.length <= maxGzip || gzipSync(text).length <= maxGzip || maxResults <= 1 || largest === 0) return { log, dropped, text };
    // Too big: halve the results kept per run (least severe go first) until it fits.
    maxResults = Math.max(1, Math.floor(Math.min(maxResults, largest) / 2));
  }
}

/** Writes the SARIF file and returns its size facts. */
export function writeSarif(path: string, runs: readonly SarifRunInput[]): { path: string; bytes: number; dropped: number; results: number } {
  const { log, dropped, text: built } = buildSarif(runs);
  // Every string is scrubbed as it is serialised, so no field (message, snippet, property) can carry a secret.
  // Without registered secrets the text the size check already made is written as it is (one serialisation).
  const text = hasSecrets() ? JSON.stringify(log, (_k, v: unknown) => (typeof v === 'string' ? scrub(v) : v)) : built;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  const results = log.runs.reduce((n, r) => n + (r.results as unknown[]).length, 0);
  return { path, bytes: Buffer.byteLength(text), dropped, results };
}

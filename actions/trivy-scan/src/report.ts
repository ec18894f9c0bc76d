// The part of the summary and PR comment only this action has: what was scanned (each target with its
// counts), where the database came from, vulnerabilities grouped by severity and package with installed
// and fixed versions and links to the advisories, and what ignore files, ignore-unfixed and the baseline
// suppressed. Everything from a repository or trivy is escaped before it goes into Markdown.
import { countBySeverity, escapeMarkdown, type Finding, SEVERITIES, severityRank, textCell, workspace } from '@platform-actions/kit';
import { isAbsolute, relative } from 'node:path';
import type { DbFacts } from './db.js';
import { metaOf } from './findings.js';
import type { IgnoreFile, Suppression } from './ignore.js';
import type { Target } from './targets.js';

export interface TargetFacts {
  target: Target;
  /** Findings of this target after suppression. */
  findings: Finding[];
  reportFile?: string;
  error?: string;
  os?: string;
  durationMs?: number;
}

export interface RunFacts {
  trivy?: { version: string; source: string };
  db?: DbFacts;
  dbNeeded: boolean;
  targets: TargetFacts[];
  ignoreFiles: IgnoreFile[];
  /** Hits per ignore entry (file:line). */
  ignoreHits: Map<string, number>;
  suppressed: Suppression[];
  ignoreUnfixed: boolean;
  baseline?: { path: string; entries: number };
  sbomFile?: string;
}

const MAX_VULN_ROWS = 100;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const countCell = (fs: readonly Finding[]): string => {
  const c = countBySeverity(fs);
  return (
    SEVERITIES.filter((s) => c[s])
      .map((s) => `${c[s]} ${s}`)
      .join(', ') || 'none'
  );
};

/** Where each database came from, for the log and the `db-source` output. */
export function dbLine(f: RunFacts): string {
  if (!f.dbNeeded) return 'not needed';
  if (!f.db) return 'unavailable';
  return Object.entries(f.db.source)
    .map(([k, v]) => (k === 'db' ? v : `${k}: ${v}`))
    .join('; ');
}

/** Suppressed findings counted by why: each ignore entry, ignore-unfixed, baseline. */
export function suppressionCounts(s: readonly Suppression[]): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const x of s) m.set(x.reason, (m.get(x.reason) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}

export function detailsMarkdown(f: RunFacts): string {
  return [...targetsTable(f.targets), ...aboutLines(f), ...vulnerabilitiesTable(f.targets), ...suppressionLines(f), ...sbomLines(f)].join('\n');
}

/** Targets with their counts (or the error that stopped their scan). */
function targetsTable(targets: readonly TargetFacts[]): string[] {
  const rows = targets.map((t) => `| ${textCell(`${t.target.type}:${t.target.value}`)} | ${t.error ? '—' : countCell(t.findings)} | ${targetNote(t)} |`);
  return ['### Targets\n', '| Target | Findings | Notes |\n| --- | --- | --- |', ...rows, ''];
}

function targetNote(t: TargetFacts): string {
  if (t.error) return `⚠️ ${textCell(t.error)}`;
  return [t.os ? `OS ${textCell(t.os)}` : '', `scanners: ${t.target.scanners.join(', ')}`, `SARIF category ${textCell(`trivy-scan/${t.target.label}`)}`]
    .filter(Boolean)
    .join(' · ');
}

/** The trivy version and where each database came from. */
function aboutLines(f: RunFacts): string[] {
  const about: string[] = [];
  if (f.trivy) about.push(`**trivy:** ${escapeMarkdown(f.trivy.version)} (${f.trivy.source})`);
  about.push(`**Database:** ${escapeMarkdown(dbLine(f))}${f.db?.updatedAt ? ` (built ${escapeMarkdown(f.db.updatedAt.slice(0, 10))})` : ''}`);
  if (f.db?.failures.length) about.push(`**Database fallbacks:** ${f.db.failures.map((x) => `${escapeMarkdown(x.repository)}: ${escapeMarkdown(x.reason)}`).join(' → ')}`);
  return [about.join('  \n'), ''];
}

interface PackageGroup {
  sev: Finding['severity'];
  pkg: string;
  installed: string;
  fixed: Set<string>;
  /** Advisory id → its URL. */
  ids: Map<string, string | undefined>;
  where: Set<string>;
}

/** Vulnerabilities grouped by severity and package. */
function vulnerabilitiesTable(targets: readonly TargetFacts[]): string[] {
  const vulns = targets.flatMap((t) => t.findings).filter((x) => metaOf(x)?.kind === 'vulnerability');
  if (!vulns.length) return [];
  const rows = packageGroups(vulns);
  const lines = [
    `### Vulnerabilities by package (${plural(vulns.length, 'finding')})\n`,
    '| Severity | Package | Installed | Fixed in | Advisories | Where |\n| --- | --- | --- | --- | --- | --- |',
    ...rows
      .slice(0, MAX_VULN_ROWS)
      .map(
        (g) =>
          `| ${g.sev} | ${textCell(g.pkg)} | ${textCell(g.installed)} | ${g.fixed.size ? textCell([...g.fixed].join(', ')) : 'no fix yet'} | ${advisoryLinks(g)} | ${textCell([...g.where].join(', '))} |`,
      ),
  ];
  if (rows.length > MAX_VULN_ROWS) lines.push(`\n…and ${rows.length - MAX_VULN_ROWS} more packages (see the SARIF file or the JSON reports).`);
  return [...lines, ''];
}

function packageGroups(vulns: readonly Finding[]): PackageGroup[] {
  const groups = new Map<string, PackageGroup>();
  for (const v of vulns) {
    const p = metaOf(v) ?? { kind: 'vulnerability', target: '' };
    const key = `${v.severity}\u0000${p.package}\u0000${p.installed}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { sev: v.severity, pkg: String(p.package), installed: String(p.installed), fixed: new Set(), ids: new Map(), where: new Set() }));
    if (p.fixed) g.fixed.add(String(p.fixed));
    g.ids.set(v.ruleId, v.help?.uri);
    g.where.add(v.location?.path ?? '');
  }
  // Code-point order (not locale order): the same everywhere and fast for thousands of packages.
  return [...groups.values()].sort((a, b) => severityRank(a.sev) - severityRank(b.sev) || (a.pkg < b.pkg ? -1 : a.pkg > b.pkg ? 1 : 0));
}

/** Advisory ids, linked when trivy gave an http(s) URL. */
function advisoryLinks(g: PackageGroup): string {
  return [...g.ids.entries()]
    .map(([id, url]) => (url && /^https?:\/\//.test(url) ? `[${textCell(id)}](${encodeURI(url).replace(/[()]/g, encodeURIComponent)})` : textCell(id)))
    .join(', ');
}

/** What was suppressed, and why: each ignore file, ignore-unfixed, the baseline. */
function suppressionLines(f: RunFacts): string[] {
  const applied = f.ignoreFiles.map((file) => ignoreFileNote(file, f.ignoreHits));
  if (f.ignoreUnfixed) applied.push(`ignore-unfixed: ${plural(f.suppressed.filter((s) => s.reason === UNFIXED_REASON).length, 'finding')} without a fix left out`);
  if (f.baseline) applied.push(`baseline ${textCell(f.baseline.path.split('/').pop())}: ${plural(f.baseline.entries, 'known finding')}`);
  return applied.length ? [`**Suppressions:** ${applied.join(' · ')}`, ''] : [];
}

function ignoreFileNote(file: IgnoreFile, hits: ReadonlyMap<string, number>): string {
  const used = file.entries.reduce((n, e) => n + (hits.get(e.where) ?? 0), 0);
  const expired = file.expired.length
    ? `, ${plural(file.expired.length, 'expired entry', 'expired entries')} (${file.expired.map((e) => `${textCell(e.id)} since ${e.expires}`).join(', ')})`
    : '';
  return `${textCell(file.path.split('/').pop())}: ${plural(file.entries.length, 'active entry', 'active entries')}, ${plural(used, 'finding')} suppressed${expired}`;
}

const sbomLines = (f: RunFacts): string[] => (f.sbomFile ? [`**SBOM:** CycloneDX written to ${textCell(shortPath(f.sbomFile))}`, ''] : []);

/** Workspace-relative when inside the workspace: the path a reader recognises. */
const shortPath = (p: string): string => {
  const rel = relative(workspace(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
};

export const UNFIXED_REASON = 'no fixed version yet (ignore-unfixed)';

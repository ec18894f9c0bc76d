// The part of the summary and PR comment only this action has: what exactly was scanned (range, commit
// count, commit links, which refs), which config and ignore files applied and whether the scanned commits
// changed them, and where each secret is, linked at the commit that added it, with the fingerprints a
// false positive needs in .gitleaksignore. Every name from the repository goes through md.ts.
import { cell, type Finding, table } from '@platform-actions/kit';
import type { SettingsChange } from './changes.js';
import type { ConfigChoice } from './gitleaks-config.js';
import { codeBlock, inlineCode, proseText } from './md.js';
import type { RefsReport } from './resolve.js';
import type { Scope } from './scope.js';

export interface ScopeFacts {
  scope: Scope;
  commits: readonly string[];
  commitCount: number;
  deepenedBy: number;
  fetched: number;
  config: ConfigChoice;
  ignoreEntries?: number;
  baseline?: { path: string; entries: number };
  /** Set once gitleaks has run. */
  tool?: { version: string; source: string };
  scanned?: string;
  repoUrl: string;
  /** Full mode: the refs scanned, and what could not be fetched. */
  refs?: RefsReport;
  /**
   * Whether merge commits' own changes were scanned (git --remerge-diff), and how many findings at merges
   * were left out because a parent already had that secret in that file; undefined in dir mode.
   */
  merges?: { scanned: boolean; why?: string; inherited?: number };
  /** Settings files the scanned commits change. */
  settingsChanges?: SettingsChange[];
}

const MAX_COMMIT_LINKS = 20;
const MAX_ROWS = 50;
const MAX_FINGERPRINTS = 200;
const MAX_REF_NAMES = 20;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function commitLink(repoUrl: string, sha: string): string {
  return `[${sha.slice(0, 7)}](${repoUrl}/commit/${sha})`;
}

/** "2 branches, 1 tag" for a full scan. */
function refsCount(r: Pick<RefsReport, 'branches' | 'tags'>): string {
  return `${plural(r.branches.length, 'branch', 'branches')}, ${plural(r.tags.length, 'tag')}`;
}

/** The scope's label with the refs a full scan covered. */
function scopeLabel(s: Pick<ScopeFacts, 'scope' | 'refs'>): string {
  const sc = s.scope;
  if (sc.kind !== 'full' || !s.refs) return sc.label;
  return `${s.refs.notFetched ? 'all refs in the clone' : 'all refs'} (${refsCount(s.refs)})`;
}

/** One line that says what was scanned, for the log and the `scan-range` output. */
export function scopeLine(s: Pick<ScopeFacts, 'scope' | 'commitCount' | 'refs'>): string {
  const sc = s.scope;
  if (sc.kind === 'dir') return `working tree (${sc.reason})`;
  if (sc.kind === 'nothing') return `nothing (${sc.reason})`;
  return `${scopeLabel(s)}: ${plural(s.commitCount, 'commit')} (${sc.reason})`;
}

/** What a full scan did not cover and how to cover it; undefined when it covered every ref of the remote. */
export function notScannedLine(refs: RefsReport | undefined): string | undefined {
  if (!refs?.notFetched) return undefined;
  return `mode: full scanned only the refs in this clone (${refs.notFetched}); branches and tags that exist only on the remote were not scanned. Check out with fetch-depth: 0, or set deepen-limit above 0 with an origin remote, to scan every ref.`;
}

export function settingsChangeLine(c: SettingsChange): string {
  return `${c.path} (${c.what}) is changed by ${plural(c.commits.length, 'commit')} in the scanned range (${c.commits
    .slice(0, 5)
    .map((x) => x.slice(0, 7))
    .join(', ')}${c.commits.length > 5 ? ', …' : ''}). A change to the scan's own settings can hide findings: review it like code.`;
}

export function scopeMarkdown(s: ScopeFacts, findings: readonly Finding[]): string {
  const lines = [...scannedLines(s), ...cloneLines(s), ...mergeLines(s), appliedLine(s), ...toolLines(s)];
  return lines.join('  \n') + '\n' + settingsChangesSection(s) + findingsSection(s, findings);
}

const andMore = (more: number): string => (more > 0 ? ` · … and ${more} more` : '');

/** What was scanned: the working tree, nothing, or commits (with their links and, in full mode, the refs). */
function scannedLines(s: ScopeFacts): string[] {
  const sc = s.scope;
  if (sc.kind === 'dir') return [`**Scanned:** the working tree — ${proseText(sc.reason)}.`];
  if (sc.kind === 'nothing') return [`**Scanned:** nothing — ${proseText(sc.reason)}.`];
  const lines = [`**Scanned:** ${inlineCode(scopeLabel(s))}, ${plural(s.commitCount, 'commit')} — ${proseText(sc.reason)}.`];
  if (sc.kind === 'range' && s.commitCount === 0) lines.push('No commits to scan: the range is empty.');
  if (s.commits.length) lines.push(commitsLine(s));
  if (s.refs) lines.push(...refsLines(s.refs));
  return lines;
}

function commitsLine(s: ScopeFacts): string {
  const shown = s.commits.slice(0, MAX_COMMIT_LINKS);
  return `**Commits:** ${shown.map((c) => commitLink(s.repoUrl, c)).join(' · ')}${andMore(s.commitCount - shown.length)}`;
}

function refsLines(refs: RefsReport): string[] {
  const names = [...refs.branches, ...refs.tags.map((t) => `tag ${t}`)];
  const fetched = refs.fetched ? ` (${plural(refs.fetched, 'ref')} fetched from the remote for this scan)` : '';
  const not = notScannedLine(refs);
  return [
    `**Refs:** ${names.slice(0, MAX_REF_NAMES).map(inlineCode).join(' · ')}${andMore(names.length - MAX_REF_NAMES)}${fetched}`,
    ...(not ? [`⚠️ **Not scanned:** ${proseText(not)}`] : []),
  ];
}

/** What the action had to fetch or deepen to have every scanned commit. */
function cloneLines(s: ScopeFacts): string[] {
  if (!s.deepenedBy && !s.fetched) return [];
  const parts = [
    ...(s.fetched ? [`fetched ${plural(s.fetched, 'missing commit')}`] : []),
    ...(s.deepenedBy ? [`deepened the shallow clone by ${plural(s.deepenedBy, 'commit')}`] : []),
  ];
  return [`**Clone:** ${parts.join('; ')}.`];
}

/** Whether merge commits' own changes were scanned; only said when commits were scanned. */
function mergeLines(s: ScopeFacts): string[] {
  if (!s.merges || s.scope.kind === 'dir' || s.scope.kind === 'nothing') return [];
  if (!s.merges.scanned) return [`⚠️ **Merge commits:** their own changes were not scanned — ${proseText(s.merges.why ?? '')}.`];
  const inherited = s.merges.inherited
    ? ` ${plural(s.merges.inherited, 'finding')} at merge commits left out: a parent of the merge already had that secret in that file, so the merge did not introduce it.`
    : '';
  return [`**Merge commits:** their own changes scanned too (conflict resolutions, changes made while merging).${inherited}`];
}

/** The config, ignore file and baseline that applied, on one line. */
function appliedLine(s: ScopeFacts): string {
  const applied = [`**Config:** ${s.config.label}`];
  if (s.ignoreEntries !== undefined) applied.push(`**Ignore file:** \`.gitleaksignore\` (${plural(s.ignoreEntries, 'entry', 'entries')})`);
  if (s.baseline) applied.push(`**Baseline:** ${inlineCode(s.baseline.path)} (${plural(s.baseline.entries, 'known finding')})`);
  return applied.join(' · ');
}

function toolLines(s: ScopeFacts): string[] {
  if (!s.tool) return [];
  return [`**gitleaks:** ${s.tool.version} (${s.tool.source})${s.scanned ? `, scanned ${proseText(s.scanned)}` : ''}. Secrets are always redacted.`];
}

function settingsChangesSection(s: ScopeFacts): string {
  if (!s.settingsChanges?.length) return '';
  const rows = s.settingsChanges.map(
    (c) =>
      `| ${inlineCode(c.path).replace(/\|/g, '\\|')} | ${cell(c.what)} | ${c.commits
        .slice(0, 5)
        .map((x) => commitLink(s.repoUrl, x))
        .join(' · ')}${c.commits.length > 5 ? ' · …' : ''} |\n`,
  );
  return `\n### ⚠️ The scanned commits change the scan's own settings\n\nA pull request can silence its own findings this way. Review these changes like code.\n\n${table(['File', 'What', 'Commits'], [])}${rows.join('')}`;
}

/** Where each secret is, linked at the commit that added it, and the fingerprints for .gitleaksignore. */
function findingsSection(s: ScopeFacts, findings: readonly Finding[]): string {
  if (!findings.length) return '';
  const rows = findings.slice(0, MAX_ROWS).map((f) => findingRow(s.repoUrl, f));
  // Links are Markdown, so build rows by hand instead of escaping them away; rule ids are escaped.
  let md = `\n### Where the secrets are\n\n${table(['Rule', 'File', 'Commit'], [])}${rows.map((r) => `| ${cell(r[0])} | ${r[1]} | ${r[2]} |\n`).join('')}`;
  if (findings.length > MAX_ROWS) md += `\n…and ${findings.length - MAX_ROWS} more (see the SARIF file or the report file).\n`;
  const prints = findings.slice(0, MAX_FINGERPRINTS).map((f) => String(f.properties?.gitleaksFingerprint ?? ''));
  return (
    md +
    `\n**Rotate every real secret first**: removing it from the code or from history does not revoke it.\n\n` +
    `<details><summary>Fingerprints for <code>.gitleaksignore</code> (false positives only)</summary>\n\n${codeBlock(prints)}\n</details>\n`
  );
}

/** Rule, file (linked at its commit and line when it has a commit) and commit of one finding. */
function findingRow(repoUrl: string, f: Finding): [string, string, string] {
  const commit = String(f.properties?.commit ?? '');
  const loc = f.location;
  const label = `${loc?.path ?? ''}${loc?.startLine ? `:${loc.startLine}` : ''}`;
  const where = (
    commit && loc?.path
      ? `[${inlineCode(label)}](${repoUrl}/blob/${commit}/${loc.path.split('/').map(encodeURIComponent).join('/')}${loc.startLine ? `#L${loc.startLine}` : ''})`
      : inlineCode(label)
  ).replace(/\|/g, '\\|');
  return [f.ruleId, where, commit ? commitLink(repoUrl, commit) : 'working tree'];
}

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
  const lines: string[] = [];
  const sc = s.scope;
  if (sc.kind === 'dir') lines.push(`**Scanned:** the working tree — ${proseText(sc.reason)}.`);
  else if (sc.kind === 'nothing') lines.push(`**Scanned:** nothing — ${proseText(sc.reason)}.`);
  else {
    lines.push(`**Scanned:** ${inlineCode(scopeLabel(s))}, ${plural(s.commitCount, 'commit')} — ${proseText(sc.reason)}.`);
    if (sc.kind === 'range' && s.commitCount === 0) lines.push('No commits to scan: the range is empty.');
    if (s.commits.length) {
      const more = s.commitCount - Math.min(s.commits.length, MAX_COMMIT_LINKS);
      lines.push(
        `**Commits:** ${s.commits
          .slice(0, MAX_COMMIT_LINKS)
          .map((c) => commitLink(s.repoUrl, c))
          .join(' · ')}${more > 0 ? ` · … and ${more} more` : ''}`,
      );
    }
    if (s.refs) {
      const names = [...s.refs.branches, ...s.refs.tags.map((t) => `tag ${t}`)];
      const more = names.length - MAX_REF_NAMES;
      lines.push(
        `**Refs:** ${names.slice(0, MAX_REF_NAMES).map(inlineCode).join(' · ')}${more > 0 ? ` · … and ${more} more` : ''}${s.refs.fetched ? ` (${plural(s.refs.fetched, 'ref')} fetched from the remote for this scan)` : ''}`,
      );
      const not = notScannedLine(s.refs);
      if (not) lines.push(`⚠️ **Not scanned:** ${proseText(not)}`);
    }
  }
  if (s.deepenedBy || s.fetched) {
    const parts = [
      ...(s.fetched ? [`fetched ${plural(s.fetched, 'missing commit')}`] : []),
      ...(s.deepenedBy ? [`deepened the shallow clone by ${plural(s.deepenedBy, 'commit')}`] : []),
    ];
    lines.push(`**Clone:** ${parts.join('; ')}.`);
  }
  if (s.merges && sc.kind !== 'dir' && sc.kind !== 'nothing') {
    lines.push(
      s.merges.scanned
        ? `**Merge commits:** their own changes scanned too (conflict resolutions, changes made while merging).${
            s.merges.inherited
              ? ` ${plural(s.merges.inherited, 'finding')} at merge commits left out: a parent of the merge already had that secret in that file, so the merge did not introduce it.`
              : ''
          }`
        : `⚠️ **Merge commits:** their own changes were not scanned — ${proseText(s.merges.why ?? '')}.`,
    );
  }
  const applied = [`**Config:** ${s.config.label}`];
  if (s.ignoreEntries !== undefined) applied.push(`**Ignore file:** \`.gitleaksignore\` (${plural(s.ignoreEntries, 'entry', 'entries')})`);
  if (s.baseline) applied.push(`**Baseline:** ${inlineCode(s.baseline.path)} (${plural(s.baseline.entries, 'known finding')})`);
  lines.push(applied.join(' · '));
  if (s.tool) lines.push(`**gitleaks:** ${s.tool.version} (${s.tool.source})${s.scanned ? `, scanned ${proseText(s.scanned)}` : ''}. Secrets are always redacted.`);
  let md = lines.join('  \n') + '\n';

  if (s.settingsChanges?.length) {
    md += `\n### ⚠️ The scanned commits change the scan's own settings\n\nA pull request can silence its own findings this way. Review these changes like code.\n\n${table(['File', 'What', 'Commits'], [])}`;
    md += s.settingsChanges
      .map(
        (c) =>
          `| ${inlineCode(c.path).replace(/\|/g, '\\|')} | ${cell(c.what)} | ${c.commits
            .slice(0, 5)
            .map((x) => commitLink(s.repoUrl, x))
            .join(' · ')}${c.commits.length > 5 ? ' · …' : ''} |\n`,
      )
      .join('');
  }

  if (findings.length) {
    const rows = findings.slice(0, MAX_ROWS).map((f) => {
      const commit = String(f.properties?.commit ?? '');
      const loc = f.location;
      const label = `${loc?.path ?? ''}${loc?.startLine ? `:${loc.startLine}` : ''}`;
      const where = (
        commit && loc?.path
          ? `[${inlineCode(label)}](${s.repoUrl}/blob/${commit}/${loc.path.split('/').map(encodeURIComponent).join('/')}${loc.startLine ? `#L${loc.startLine}` : ''})`
          : inlineCode(label)
      ).replace(/\|/g, '\\|');
      return [f.ruleId, where, commit ? commitLink(s.repoUrl, commit) : 'working tree'];
    });
    // Links are Markdown, so build rows by hand instead of escaping them away; rule ids are escaped.
    md += `\n### Where the secrets are\n\n${table(['Rule', 'File', 'Commit'], [])}${rows.map((r) => `| ${cell(r[0])} | ${r[1]} | ${r[2]} |\n`).join('')}`;
    if (findings.length > MAX_ROWS) md += `\n…and ${findings.length - MAX_ROWS} more (see the SARIF file or the report file).\n`;
    const prints = findings.slice(0, MAX_FINGERPRINTS).map((f) => String(f.properties?.gitleaksFingerprint ?? ''));
    md +=
      `\n**Rotate every real secret first**: removing it from the code or from history does not revoke it.\n\n` +
      `<details><summary>Fingerprints for <code>.gitleaksignore</code> (false positives only)</summary>\n\n${codeBlock(prints)}\n</details>\n`;
  }
  return md;
}

// The part of the summary and PR comment only this action has: what exactly was scanned (range, commit
// count, commit links), which config and ignore files applied, and where each secret is, linked at the
// commit that added it, with the fingerprints a false positive needs in .gitleaksignore.
import { cell, type Finding, table } from '@platform-actions/kit';
import type { ConfigChoice } from './config.js';
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
}

const MAX_COMMIT_LINKS = 20;
const MAX_ROWS = 50;
const MAX_FINGERPRINTS = 200;
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function commitLink(repoUrl: string, sha: string): string {
  return `[${sha.slice(0, 7)}](${repoUrl}/commit/${sha})`;
}

/** One line that says what was scanned, for the log and the `scan-range` output. */
export function scopeLine(s: Pick<ScopeFacts, 'scope' | 'commitCount'>): string {
  const sc = s.scope;
  if (sc.kind === 'dir') return `working tree (${sc.reason})`;
  if (sc.kind === 'nothing') return `nothing (${sc.reason})`;
  return `${sc.label}: ${plural(s.commitCount, 'commit')} (${sc.reason})`;
}

export function scopeMarkdown(s: ScopeFacts, findings: readonly Finding[]): string {
  const lines: string[] = [];
  const sc = s.scope;
  if (sc.kind === 'dir') lines.push(`**Scanned:** the working tree — ${sc.reason}.`);
  else if (sc.kind === 'nothing') lines.push(`**Scanned:** nothing — ${sc.reason}.`);
  else {
    lines.push(`**Scanned:** ${code(sc.label)}, ${plural(s.commitCount, 'commit')} — ${sc.reason}.`);
    if (sc.kind === 'range' && s.commitCount === 0) lines.push('No commits to scan: the range is empty.');
    if (s.commits.length) {
      const more = s.commitCount - Math.min(s.commits.length, MAX_COMMIT_LINKS);
      lines.push(`**Commits:** ${s.commits.slice(0, MAX_COMMIT_LINKS).map((c) => commitLink(s.repoUrl, c)).join(' · ')}${more > 0 ? ` · … and ${more} more` : ''}`);
    }
  }
  if (s.deepenedBy || s.fetched) {
    const parts = [...(s.fetched ? [`fetched ${plural(s.fetched, 'missing commit')}`] : []), ...(s.deepenedBy ? [`deepened the shallow clone by ${plural(s.deepenedBy, 'commit')}`] : [])];
    lines.push(`**Clone:** ${parts.join('; ')}.`);
  }
  const applied = [`**Config:** ${s.config.label}`];
  if (s.ignoreEntries !== undefined) applied.push(`**Ignore file:** \`.gitleaksignore\` (${plural(s.ignoreEntries, 'entry', 'entries')})`);
  if (s.baseline) applied.push(`**Baseline:** ${code(s.baseline.path)} (${plural(s.baseline.entries, 'known finding')})`);
  lines.push(applied.join(' · '));
  if (s.tool) lines.push(`**gitleaks:** ${s.tool.version} (${s.tool.source})${s.scanned ? `, scanned ${s.scanned}` : ''}. Secrets are always redacted.`);
  let md = lines.join('  \n') + '\n';

  if (findings.length) {
    const rows = findings.slice(0, MAX_ROWS).map((f) => {
      const commit = String(f.properties?.commit ?? '');
      const loc = f.location;
      const label = `${loc?.path ?? ''}${loc?.startLine ? `:${loc.startLine}` : ''}`;
      const where = (commit && loc?.path ? `[${code(label)}](${s.repoUrl}/blob/${commit}/${loc.path.split('/').map(encodeURIComponent).join('/')}${loc.startLine ? `#L${loc.startLine}` : ''})` : code(label)).replace(/\|/g, '\\|');
      return [f.ruleId, where, commit ? commitLink(s.repoUrl, commit) : 'working tree'];
    });
    // Links are Markdown, so build rows by hand instead of escaping them away; rule ids are escaped.
    md += `\n### Where the secrets are\n\n${table(['Rule', 'File', 'Commit'], [])}${rows.map((r) => `| ${cell(r[0])} | ${r[1]} | ${r[2]} |\n`).join('')}`;
    if (findings.length > MAX_ROWS) md += `\n…and ${findings.length - MAX_ROWS} more (see the SARIF file or the report file).\n`;
    const prints = findings.slice(0, MAX_FINGERPRINTS).map((f) => String(f.properties?.gitleaksFingerprint ?? ''));
    md +=
      `\n**Rotate every real secret first**: removing it from the code or from history does not revoke it.\n\n` +
      `<details><summary>Fingerprints for <code>.gitleaksignore</code> (false positives only)</summary>\n\n\`\`\`\n${prints.join('\n')}\n\`\`\`\n\n</details>\n`;
  }
  return md;
}

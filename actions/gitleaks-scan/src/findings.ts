// gitleaks' JSON report → the kit's findings. Only an allow-list of fields is ever read: Secret, Match,
// Line (redacted anyway), Message and Email never leave the report file.
import { writeFileSync } from 'node:fs';
import { type Finding, fingerprint, InputError, normaliseSeverity, type Severity } from '@platform-actions/kit';

export interface Leak {
  ruleId: string;
  description: string;
  file: string;
  startLine: number;
  endLine: number;
  startColumn: number;
  endColumn: number;
  /** Empty in dir mode. */
  commit: string;
  author: string;
  date: string;
  tags: string[];
  /** gitleaks' own fingerprint, the line .gitleaksignore takes: commit:file:rule:line (file:rule:line in dir mode). */
  ignoreLine: string;
  /** The file name as gitleaks reported it, when `file` had to be corrected (see merges.ts); ids use it. */
  idFile?: string;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A gitleaks JSON finding has at least these. */
const looksLikeLeak = (x: unknown): x is Raw =>
  typeof x === 'object' && x !== null && typeof (x as Raw).RuleID === 'string' && typeof (x as Raw).File === 'string' && typeof (x as Raw).StartLine === 'number';

/** Parses a gitleaks JSON report; undefined when the text is not one. */
export function parseReport(text: string): Leak[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc) || !doc.every(looksLikeLeak)) return undefined;
  return doc.map((r) => {
    const commit = str(r.Commit);
    const file = str(r.File).replace(/\\/g, '/');
    const ruleId = str(r.RuleID);
    const startLine = num(r.StartLine);
    return {
      ruleId,
      description: str(r.Description),
      file,
      startLine,
      endLine: num(r.EndLine) || startLine,
      startColumn: num(r.StartColumn),
      endColumn: num(r.EndColumn),
      commit,
      author: str(r.Author),
      date: str(r.Date),
      tags: Array.isArray(r.Tags) ? r.Tags.filter((t): t is string => typeof t === 'string') : [],
      ignoreLine: str(r.Fingerprint) || [...(commit ? [commit] : []), file, ruleId, startLine].join(':'),
    };
  });
}

/**
 * Rewrites gitleaks' report without the leaks that are not ours to report (a merge's inherited ones),
 * so the report file, the counts and the SARIF agree. `all` is parseReport(text), in the report's order.
 */
export function keepInReport(path: string, text: string, all: readonly Leak[], keep: readonly Leak[]): void {
  const raw = JSON.parse(text) as unknown[];
  const kept = new Set(keep);
  writeFileSync(
    path,
    `${JSON.stringify(
      raw.filter((_, i) => kept.has(all[i])),
      null,
      1,
    )}\n`,
  );
}

/**
 * Identity of a leak for baselines and SARIF. A commit never changes, so within one the line number is
 * stable and keeps two secrets of the same rule in one file apart. In dir mode the line is kept too: a
 * shifted entry then shows up again (a false alarm), but a new secret can never hide behind an old one.
 */
export const leakId = (l: Pick<Leak, 'commit' | 'file' | 'ruleId' | 'startLine' | 'idFile'>): string =>
  fingerprint('gitleaks', l.commit, l.idFile ?? l.file, l.ruleId, l.startLine);

/** Reads a baseline file: a gitleaks JSON report. Returns the ids it accepts. */
export function parseBaseline(text: string, name = 'baseline-path'): Set<string> {
  const leaks = parseReport(text);
  if (!leaks) throw new InputError(name, 'must be a gitleaks JSON report (an array of findings, as written by --report-format json or the report-file output)');
  return new Set(leaks.map(leakId));
}

export const REMEDIATION = 'Rotate the credential — deleting it from history is not enough. Anyone who fetched the commit (clones, forks, CI caches) may already have it.';
/** For commits that have not left the machine (the platform-actions CLI's pre-push check): nobody else has them yet. */
export const REMEDIATION_UNPUSHED =
  'This commit has not been pushed: take the secret out of it before pushing (git commit --amend, or git rebase -i for an older commit) and read it from a secret store; rotate it if it was shared any other way.';

const HELP_MD = [
  `**${REMEDIATION}**`,
  '',
  "1. Revoke or rotate the secret where it was issued, and check that service's access logs for use.",
  '2. Remove it from the code and read it from a secret store (for example GitHub Actions secrets) instead.',
  '3. Rewriting history (git filter-repo) only tidies up; it does not make a leaked secret safe again.',
  '',
  'A false positive? Add the fingerprint from the job summary to `.gitleaksignore`, add `gitleaks:allow` to the line, or accept it with `baseline-path`.',
].join('\n');

/** Severity from a rule tag such as `severity:low`; a leaked secret is high otherwise. */
export function leakSeverity(tags: readonly string[]): Severity {
  const t = tags.find((x) => /^severity:/i.test(x));
  return t ? normaliseSeverity(t.slice('severity:'.length)) : 'high';
}

export function toFinding(l: Leak, unpushed = false): Finding {
  const where = l.commit ? `in commit ${l.commit.slice(0, 7)}` : 'in the working tree';
  const remedy = unpushed && l.commit ? REMEDIATION_UNPUSHED : REMEDIATION;
  return {
    tool: 'gitleaks',
    ruleId: l.ruleId,
    severity: leakSeverity(l.tags),
    title: `Secret matching rule ${l.ruleId}`,
    message: `${l.description || `A secret matching ${l.ruleId}`} Found ${where} (value redacted). ${remedy}`,
    location: { path: l.file, startLine: l.startLine || undefined, endLine: l.endLine || undefined, startColumn: l.startColumn || undefined, endColumn: l.endColumn || undefined },
    fingerprint: leakId(l),
    help: { text: `${l.description ? `${l.description} ` : ''}${REMEDIATION}`, markdown: `${l.description ? `${l.description}\n\n` : ''}${HELP_MD}` },
    tags: ['secret', ...l.tags.filter((t) => !/^severity:/i.test(t))],
    properties: { ...(l.commit ? { commit: l.commit, author: l.author, date: l.date } : {}), gitleaksFingerprint: l.ignoreLine },
  };
}

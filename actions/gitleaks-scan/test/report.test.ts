// The summary's scope section: what was scanned, which files applied, where each secret is.
import { describe, expect, test } from '@jest/globals';
import { parseReport, toFinding } from '../src/findings.js';
import { scopeLine, scopeMarkdown, type ScopeFacts } from '../src/report.js';

const shas = Array.from({ length: 25 }, (_, i) => i.toString(16).padStart(2, '0').repeat(20));
const base: ScopeFacts = {
  scope: { kind: 'range', tips: [shas[0]], excludes: [shas[24]], label: 'merge-base(main, feature)..feature', reason: 'pull_request #7: the commits the pull request adds to its base', complete: true },
  commits: shas.slice(0, 24),
  commitCount: 24,
  deepenedBy: 0,
  fetched: 0,
  config: { origin: 'default', label: "gitleaks' default rules" },
  repoUrl: 'https://github.com/acme/example',
};
const leak = (file: string, commit: string) =>
  toFinding(parseReport(JSON.stringify([{ RuleID: 'aws-access-token', Description: 'AWS key.', File: file, StartLine: 3, EndLine: 3, Commit: commit, Secret: 'REDACTED', Tags: [] }]))![0]);

describe('scopeLine', () => {
  test.each([
    [base, 'merge-base(main, feature)..feature: 24 commits (pull_request #7: the commits the pull request adds to its base)'],
    [{ ...base, commitCount: 1 }, 'merge-base(main, feature)..feature: 1 commit (pull_request #7: the commits the pull request adds to its base)'],
    [{ ...base, scope: { kind: 'dir', label: 'working tree', reason: 'mode: dir' } }, 'working tree (mode: dir)'],
    [{ ...base, scope: { kind: 'nothing', label: 'x', reason: 'the push deleted refs/heads/x, so it brought no commits' } }, 'nothing (the push deleted refs/heads/x, so it brought no commits)'],
  ] as Array<[ScopeFacts, string]>)('%#', (f, want) => expect(scopeLine(f)).toBe(want));
});

describe('scopeMarkdown', () => {
  test('range, 20 commit links and how many more, the clone, what applied', () => {
    const md = scopeMarkdown({ ...base, deepenedBy: 150, fetched: 2, ignoreEntries: 1, baseline: { path: 'b.json', entries: 3 }, tool: { version: '8.30.1', source: 'cache' }, scanned: '~2 KB' }, []);
    expect(md).toContain('**Scanned:** `merge-base(main, feature)..feature`, 24 commits — pull\\_request #7: the commits the pull request adds to its base.');
    expect(md.match(/\]\(https:\/\/github\.com\/acme\/example\/commit\//g)).toHaveLength(20);
    expect(md).toContain('· … and 4 more');
    expect(md).toContain('**Clone:** fetched 2 missing commits; deepened the shallow clone by 150 commits.');
    expect(md).toContain("**Config:** gitleaks' default rules · **Ignore file:** `.gitleaksignore` (1 entry) · **Baseline:** `b.json` (3 known findings)");
    expect(md).toContain('**gitleaks:** 8.30.1 (cache), scanned \\~2 KB. Secrets are always redacted.');
    expect(md).not.toContain('Where the secrets are');
  });

  test('an empty range says so; no gitleaks line when it did not run', () => {
    const md = scopeMarkdown({ ...base, commits: [], commitCount: 0 }, []);
    expect(md).toContain('No commits to scan: the range is empty.');
    expect(md).not.toContain('**gitleaks:**');
  });

  test('each secret linked at its commit, table-safe, and its fingerprint ready for .gitleaksignore', () => {
    const md = scopeMarkdown(base, [leak('config/a|b.ini', shas[3])]);
    expect(md).toContain(`| aws-access-token | [\`config/a\\|b.ini:3\`](https://github.com/acme/example/blob/${shas[3]}/config/a%7Cb.ini#L3) | [${shas[3].slice(0, 7)}](https://github.com/acme/example/commit/${shas[3]}) |`);
    expect(md).toContain(`\`\`\`\n${shas[3]}:config/a|b.ini:aws-access-token:3\n\`\`\``);
    expect(md).toContain('**Rotate every real secret first**');
  });
});

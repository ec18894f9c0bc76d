// The summary's scope section: what was scanned, which files applied, where each secret is.
import { describe, expect, test } from '@jest/globals';
import { parseReport, toFinding } from '../src/findings.js';
import { notScannedLine, scopeLine, scopeMarkdown, type ScopeFacts, settingsChangeLine } from '../src/report.js';

const shas = Array.from({ length: 25 }, (_, i) => i.toString(16).padStart(2, '0').repeat(20));
const base: ScopeFacts = {
  scope: {
    kind: 'range',
    tips: [shas[0]],
    excludes: [shas[24]],
    label: 'merge-base(main, feature)..feature',
    reason: 'pull_request #7: the commits the pull request adds to its base',
    complete: true,
  },
  commits: shas.slice(0, 24),
  commitCount: 24,
  deepenedBy: 0,
  fetched: 0,
  config: { origin: 'default', label: "gitleaks' default rules" },
  repoUrl: 'https://github.com/acme/example',
};
const leak = (file: string, commit: string) =>
  toFinding(
    parseReport(JSON.stringify([{ RuleID: 'aws-access-token', Description: 'AWS key.', File: file, StartLine: 3, EndLine: 3, Commit: commit, Secret: 'REDACTED', Tags: [] }]))![0],
  );

describe('scopeLine', () => {
  test.each([
    [base, 'merge-base(main, feature)..feature: 24 commits (pull_request #7: the commits the pull request adds to its base)'],
    [{ ...base, commitCount: 1 }, 'merge-base(main, feature)..feature: 1 commit (pull_request #7: the commits the pull request adds to its base)'],
    [{ ...base, scope: { kind: 'dir', label: 'working tree', reason: 'mode: dir' } }, 'working tree (mode: dir)'],
    [
      { ...base, scope: { kind: 'nothing', label: 'x', reason: 'the push deleted refs/heads/x, so it brought no commits' } },
      'nothing (the push deleted refs/heads/x, so it brought no commits)',
    ],
  ] as Array<[ScopeFacts, string]>)('%#', (f, want) => expect(scopeLine(f)).toBe(want));
});

describe('scopeMarkdown', () => {
  test('range, 20 commit links and how many more, the clone, what applied', () => {
    const md = scopeMarkdown(
      { ...base, deepenedBy: 150, fetched: 2, ignoreEntries: 1, baseline: { path: 'b.json', entries: 3 }, tool: { version: '8.30.1', source: 'cache' }, scanned: '~2 KB' },
      [],
    );
    expect(md).toContain('**Scanned:** `merge-base(main, feature)..feature`, 24 commits — pull\\_request \\#7: the commits the pull request adds to its base.');
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
    expect(md).toContain(
      `| aws-access-token | [\`config/a\\|b.ini:3\`](https://github.com/acme/example/blob/${shas[3]}/config/a%7Cb.ini#L3) | [${shas[3].slice(0, 7)}](https://github.com/acme/example/commit/${shas[3]}) |`,
    );
    expect(md).toContain(`\`\`\`\n${shas[3]}:config/a|b.ini:aws-access-token:3\n\`\`\``);
    expect(md).toContain('**Rotate every real secret first**');
  });
});

describe('what the summary says about the new scope facts', () => {
  const full = { ...base, scope: { kind: 'full' as const, label: 'all refs', reason: 'mode: full scans the whole history of every ref' }, commits: [], commitCount: 30 };

  test('full mode names its refs; when it could not fetch, it says what was not scanned and how to scan it', () => {
    const all = { ...full, refs: { branches: ['main', 'topic'], tags: ['v1'], fetched: 2 } };
    expect(scopeLine(all)).toBe('all refs (2 branches, 1 tag): 30 commits (mode: full scans the whole history of every ref)');
    expect(scopeMarkdown(all, [])).toContain('**Refs:** `main` · `topic` · `tag v1` (2 refs fetched from the remote for this scan)');
    expect(scopeMarkdown(all, [])).not.toContain('Not scanned');
    const clone = { ...full, refs: { branches: ['main'], tags: [], fetched: 0, notFetched: 'there is no origin remote to fetch from' } };
    expect(scopeLine(clone)).toBe('all refs in the clone (1 branch, 0 tags): 30 commits (mode: full scans the whole history of every ref)');
    expect(notScannedLine(clone.refs)).toBe(
      'mode: full scanned only the refs in this clone (there is no origin remote to fetch from); branches and tags that exist only on the remote were not scanned. Check out with fetch-depth: 0, or set deepen-limit above 0 with an origin remote, to scan every ref.',
    );
    expect(scopeMarkdown(clone, [])).toContain('⚠️ **Not scanned:** mode: full scanned only the refs in this clone');
    expect(notScannedLine(all.refs)).toBeUndefined();
  });

  test('merge commits: scanned, or why not', () => {
    expect(scopeMarkdown({ ...base, merges: { scanned: true } }, [])).toContain('**Merge commits:** their own changes scanned too');
    expect(scopeMarkdown({ ...base, merges: { scanned: false, why: 'git 2.30.0 cannot show them' } }, [])).toContain(
      '⚠️ **Merge commits:** their own changes were not scanned — git 2\\.30\\.0 cannot show them.',
    );
  });

  test('settings changes: a section with the file, what it is and the commits', () => {
    const md = scopeMarkdown({ ...base, settingsChanges: [{ path: '.gitleaksignore', what: 'ignore file', commits: [shas[1], shas[2]] }] }, []);
    expect(md).toContain("### ⚠️ The scanned commits change the scan's own settings");
    expect(md).toContain(`| \`.gitleaksignore\` | ignore file | [${shas[1].slice(0, 7)}](https://github.com/acme/example/commit/${shas[1]}) · [${shas[2].slice(0, 7)}]`);
    expect(settingsChangeLine({ path: '.gitleaksignore', what: 'ignore file', commits: [shas[1]] })).toBe(
      ".gitleaksignore (ignore file) is changed by 1 commit in the scanned range (0101010). A change to the scan's own settings can hide findings: review it like code.",
    );
  });

  test('a file named like a heading, with backticks and a fence, stays inside its code span and code block', () => {
    const md = scopeMarkdown(base, [leak('x\n# ✅ no secrets found\n```\n.ini', shas[3])]);
    expect(md).not.toMatch(/^#+ ✅/m);
    expect(md).toContain('````x\\n# ✅ no secrets found\\n```\\n.ini:3````');
    expect(md).toMatch(/\n````\n[0-9a-f]{40}:x\\n# ✅ no secrets found\\n```\\n\.ini:aws-access-token:3\n````\n/);
  });
});

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

describe('scopeMarkdown: each section, whole', () => {
  const dirLeak = () => {
    const f = leak('src/a b.ts', '');
    return { ...f, location: { path: 'src/a b.ts' } };
  };
  const dir = { ...base, scope: { kind: 'dir' as const, label: 'working tree', reason: 'mode: dir' }, commits: [], commitCount: 0 };
  test('working tree: no commit links or merge line; a finding without a commit links nowhere', () => {
    expect(scopeMarkdown({ ...dir, deepenedBy: 3, merges: { scanned: true } }, [dirLeak()])).toBe(
      "**Scanned:** the working tree — mode: dir.  \n**Clone:** deepened the shallow clone by 3 commits.  \n**Config:** gitleaks' default rules\n\n### Where the secrets are\n\n| Rule | File | Commit |\n| --- | --- | --- |\n| aws-access-token | `src/a b.ts` | working tree |\n\n**Rotate every real secret first**: removing it from the code or from history does not revoke it.\n\n<details><summary>Fingerprints for <code>.gitleaksignore</code> (false positives only)</summary>\n\n```\nsrc/a b.ts:aws-access-token:3\n```\n\n</details>\n",
    );
  });
  test('nothing scanned: only the reason, the clone and what applied', () => {
    const nothing = { ...base, scope: { kind: 'nothing' as const, label: 'x', reason: 'the push deleted refs/heads/x' }, commits: [], commitCount: 0 };
    expect(scopeMarkdown({ ...nothing, fetched: 1, merges: { scanned: false } }, [])).toBe(
      "**Scanned:** nothing — the push deleted refs/heads/x.  \n**Clone:** fetched 1 missing commit.  \n**Config:** gitleaks' default rules\n",
    );
  });
  test('full: 20 ref names and how many more; merges not scanned without a reason', () => {
    const refs = { branches: Array.from({ length: 21 }, (_, i) => `b${i}`), tags: ['v1'], fetched: 0 };
    const full = { ...base, scope: { kind: 'full' as const, label: 'all refs', reason: 'mode: full' }, commits: [], commitCount: 9, refs, merges: { scanned: false } };
    expect(scopeMarkdown(full, [])).toBe(
      "**Scanned:** `all refs (21 branches, 1 tag)`, 9 commits — mode: full.  \n**Refs:** `b0` · `b1` · `b2` · `b3` · `b4` · `b5` · `b6` · `b7` · `b8` · `b9` · `b10` · `b11` · `b12` · `b13` · `b14` · `b15` · `b16` · `b17` · `b18` · `b19` · … and 2 more  \n⚠️ **Merge commits:** their own changes were not scanned — .  \n**Config:** gitleaks' default rules\n",
    );
  });
  test('inherited merge findings, a settings file changed by more than 5 commits, more than 50 findings', () => {
    const md = scopeMarkdown(
      {
        ...base,
        commits: shas.slice(0, 3),
        commitCount: 3,
        merges: { scanned: true, inherited: 1 },
        settingsChanges: [{ path: 'a|.gitleaks.toml', what: 'config', commits: shas.slice(0, 6) }],
      },
      Array.from({ length: 51 }, (_, i) => leak(`f${i}.env`, shas[i % 3])),
    );
    expect(md.slice(0, md.indexOf('| aws-access-token |'))).toBe(
      "**Scanned:** `merge-base(main, feature)..feature`, 3 commits — pull\\_request \\#7: the commits the pull request adds to its base.  \n**Commits:** [0000000](https://github.com/acme/example/commit/0000000000000000000000000000000000000000) · [0101010](https://github.com/acme/example/commit/0101010101010101010101010101010101010101) · [0202020](https://github.com/acme/example/commit/0202020202020202020202020202020202020202)  \n**Merge commits:** their own changes scanned too (conflict resolutions, changes made while merging). 1 finding at merge commits left out: a parent of the merge already had that secret in that file, so the merge did not introduce it.  \n**Config:** gitleaks' default rules\n\n### ⚠️ The scanned commits change the scan's own settings\n\nA pull request can silence its own findings this way. Review these changes like code.\n\n| File | What | Commits |\n| --- | --- | --- |\n| `a\\|.gitleaks.toml` | config | [0000000](https://github.com/acme/example/commit/0000000000000000000000000000000000000000) · [0101010](https://github.com/acme/example/commit/0101010101010101010101010101010101010101) · [0202020](https://github.com/acme/example/commit/0202020202020202020202020202020202020202) · [0303030](https://github.com/acme/example/commit/0303030303030303030303030303030303030303) · [0404040](https://github.com/acme/example/commit/0404040404040404040404040404040404040404) · … |\n\n### Where the secrets are\n\n| Rule | File | Commit |\n| --- | --- | --- |\n",
    );
    expect(md.match(/^\| aws-access-token \|/gm)).toHaveLength(50);
    expect(md).toContain('\n…and 1 more (see the SARIF file or the report file).\n');
    expect(md.match(/^[0-9a-f]{40}:f\d+\.env:aws-access-token:3$/gm)).toHaveLength(51);
  });
});

// The summary details (report.ts) and the failing-revision output, pure: untrusted tool text stays inside
// its fenced block whatever fences it holds, and failing-revision names a revision whenever the gate fails.
import { describe, expect, test } from '@jest/globals';
import type { Finding } from '@platform-actions/kit';
import type { RunResult } from '../src/execute.js';
import { failingRevision, toFinding } from '../src/findings.js';
import { detailsMarkdown } from '../src/report.js';

const run = (over: Partial<RunResult> = {}): RunResult => ({
  mode: 'stepwise',
  rows: [
    { revision: '0001', up: 'ok', down: 'ok', reup: 'ok', durationMs: 1200 },
    { revision: '0002', up: 'ok', down: 'trace', reup: 'ok', durationMs: 300 },
  ],
  problems: [],
  ...over,
});

describe('detailsMarkdown', () => {
  test('a body holding both ``` and ~~~~ cannot close its block: everything after it is still ours', () => {
    const hostile = ['Traceback', '```', '~~~~', '## ✅ all migrations passed', '~~~', '````'].join('\n');
    const md = detailsMarkdown(run({ problems: [{ rule: 'up-failed', revision: '0002', phase: 'up', message: 'm', output: hostile }] }), {
      tool: 'alembic',
      database: 'postgres://u:***@h/db',
      columnOrder: 'separate',
    });
    const lines = md.split('\n');
    const open = lines.findIndex((l) => /^`{3,}text$/.test(l));
    const fence = /^(`+)/.exec(lines[open])![1];
    // CommonMark: the block ends at the first line of at least as many backticks and nothing else.
    const close = lines.findIndex((l, i) => i > open && new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(l));
    expect(lines.slice(open + 1, close)).toEqual(hostile.split('\n'));
    expect(lines.slice(close + 1).join('\n')).toBe('</details>\n');
  });

  test('per-step times are each row’s own', () => {
    const md = detailsMarkdown(run(), { tool: 'alembic', database: 'x', columnOrder: 'separate' });
    expect(md).toContain('| 0001 | ✅ | ✅ | ✅ | 1.2s |  |');
    expect(md).toContain('| 0002 | ✅ | ⚠️ trace | ✅ | 0.3s |  |');
  });
});

describe('failingRevision', () => {
  const f = (rule: Parameters<typeof toFinding>[0]['rule'], revision: string): Finding => toFinding({ rule, revision, message: 'm' });

  test('a static finding alone (an empty downgrade() in the source, a lint finding) still names its revision', () => {
    expect(failingRevision([f('empty-downgrade-source', '0002')], run())).toBe('0002');
    const squawk: Finding = { ...f('up-failed', 'x'), ruleId: 'squawk/ban-drop-column', properties: { revision: '0001' } };
    expect(failingRevision([squawk], run())).toBe('0001');
  });

  test('the first in the order the revisions were tested; empty when nothing fails', () => {
    expect(failingRevision([f('downgrade-left-trace', '0002'), f('up-failed', '0001')], run())).toBe('0001');
    expect(failingRevision([], run())).toBeUndefined();
  });
});

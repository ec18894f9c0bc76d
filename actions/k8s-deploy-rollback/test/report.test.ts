// The summary details: what a person reads after a failed deploy.
import { expect, test } from '@jest/globals';
import { containerState, renderDetails, type ReportFacts } from '../src/report.js';

const base: ReportFacts = { result: 'rolled-back', mode: 'deploy', namespaces: ['shop'], revisions: [], rollback: [], smoke: [], diagnostics: [], images: [] };

test('a rolled-back deploy: cause, times, revisions, rollback table, pods, events and redacted logs', () => {
  const md = renderDetails({
    ...base,
    cause: 'ImagePullBackOff: pod web-2 container app: ImagePullBackOff for image registry.example/web:2.0',
    timeToDetectS: 3.2,
    timeToRestoreS: 9.8,
    revisions: [{ workload: 'Deployment/shop/web', before: '4', after: '5' }],
    rollback: [{ workload: 'Deployment/shop/web', from: '5', to: '4', result: 'healthy, template abc as recorded (now revision 6)' }],
    diagnostics: [
      {
        ref: { kind: 'Deployment', namespace: 'shop', name: 'web' },
        pods: [
          {
            name: 'web-2',
            phase: 'Pending',
            containers: [{ name: 'app', state: 'waiting: ImagePullBackOff', restarts: 0 }],
            logs: { container: 'app', lines: 'starting\nDB_PASSWORD=***' },
          },
        ],
        events: ['Warning Failed Pod/web-2: Failed to pull image "registry.example/web:2.0"'],
      },
    ],
  });
  expect(md).toContain('↩️ **Rolled back**');
  expect(md).toContain('failure detected 3.2 s after the apply; previous state serving again 9.8 s after the apply.');
  expect(md).toContain('| Deployment/shop/web | 5 | 4 | healthy, template abc as recorded (now revision 6) |');
  expect(md).toContain('| web-2 | Pending | app | waiting: ImagePullBackOff | 0 |');
  expect(md).toContain('<details><summary>Recent events</summary>');
  expect(md).toContain('DB_PASSWORD=***');
  // Tool text is escaped: it cannot become Markdown or HTML.
  expect(md).toContain('registry\\.example/web:2\\.0');
});

test('a failed rollback is a caution box; tool text cannot inject Markdown', () => {
  const md = renderDetails({ ...base, result: 'failed', cause: 'x', rollbackProblem: 'kubectl rollout undo failed: unable to find specified revision 3 in history <img src=x>' });
  expect(md).toContain('> [!CAUTION]\n> **The rollback itself failed:**');
  expect(md).not.toContain('<img');
});

test('container states', () => {
  expect(containerState({ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s\nmore' } } })).toBe('waiting: CrashLoopBackOff (back-off 10s)');
  expect(containerState({ name: 'a', ready: false, state: { running: {} } })).toBe('running, not ready');
  expect(containerState({ name: 'a', state: { terminated: { reason: 'Error', exitCode: 1 } } })).toBe('terminated: Error exit 1');
});

test('events and log lines are shown as they are: a body holding ``` and ~~~~ stays inside its block (issue 27)', () => {
  const lines = ['```', 'echo done', '~~~~', '````` and ~~~ inline', 'last line'];
  const md = renderDetails({
    ...base,
    diagnostics: [
      {
        ref: { kind: 'Deployment', namespace: 'shop', name: 'web' },
        pods: [{ name: 'web-2', phase: 'Running', containers: [{ name: 'app', state: 'running, not ready', restarts: 1 }], logs: { container: 'app', lines: lines.join('\n') } }],
        events: ['Normal Pulled Pod/web-2: ``` ~~~~'],
      },
    ],
  });
  // CommonMark: a block opened by a fence ends at the first line holding only that fence character, at
  // least as many times.
  const blocks = [...md.matchAll(/^(`{3,}|~{3,})\n([\s\S]*?)\n\1\n/gm)].map((m) => ({ fence: m[1], body: m[2].split('\n') }));
  expect(blocks.map((b) => b.body)).toEqual([['Normal Pulled Pod/web-2: ``` ~~~~'], lines]);
  for (const b of blocks) for (const l of b.body) expect(new RegExp(`^ {0,3}\\${b.fence[0]}{${b.fence.length},}\\s*$`).test(l)).toBe(false);
  expect(md).not.toContain("'''"); // nothing rewritten
});

test('a rollback on demand says so: the chosen revision serving, or returned to the revisions before it', () => {
  const ok = renderDetails({
    ...base,
    mode: 'rollback',
    result: 'rolled-back',
    timeToRestoreS: 2.4,
    revisions: [{ workload: 'Deployment/ml/api', before: '4', after: "5 (revision 2's template)" }],
  });
  expect(ok).toContain('↩️ **Rolled back on demand**: every workload runs the chosen recorded revision');
  expect(ok).toContain('the chosen revision serving 2.4 s after the rollback started.');
  const failed = renderDetails({ ...base, mode: 'rollback', result: 'failed', cause: 'ImagePullBackOff: x', timeToDetectS: 1.2, timeToRestoreS: 6 });
  expect(failed).toContain('❌ **Failed**: the rollback on demand did not reach a healthy chosen revision');
  expect(failed).toContain('failure detected 1.2 s after the rollback started; previous state serving again 6.0 s after the rollback started.');
});

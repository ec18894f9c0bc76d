// The summary details: what a person reads after a failed deploy.
import { expect, test } from '@jest/globals';
import { containerState, renderDetails, type ReportFacts } from '../src/report.js';

const base: ReportFacts = { result: 'rolled-back', mode: 'manifests', namespaces: ['shop'], revisions: [], rollback: [], smoke: [], diagnostics: [], images: [] };

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

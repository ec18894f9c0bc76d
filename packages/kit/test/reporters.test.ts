import { afterEach, describe, expect, test } from '@jest/globals';
import {
  type Finding,
  fingerprint,
  gate,
  planAnnotations,
  renderSummary,
  SEVERITIES,
  SUMMARY_MAX_BYTES,
  annotate,
  commentBody,
  COMMENT_MAX_CHARS,
  setStandardOutputs,
} from '@platform-actions/kit';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

const f = (i: number, severity = SEVERITIES[i % 5]): Finding => ({
  tool: 't',
  ruleId: `R${i}`,
  severity,
  title: `T${i}`,
  message: `M${i} | with pipe <b>`,
  location: { path: `p/${i}.yaml`, startLine: i + 1 },
  fingerprint: fingerprint(i),
});

let env: ActionEnv | undefined;
afterEach(() => env?.restore());

describe('annotations', () => {
  test('within caps, most severe first, with one closing notice', () => {
    const findings = Array.from({ length: 100 }, (_, i) => f(i));
    const plan = planAnnotations(findings, { whereToRead: 'See SARIF x.' });
    const by = (l: string) => plan.annotations.filter((a) => a.level === l).length;
    expect(by('error')).toBe(10);
    expect(by('warning')).toBe(10);
    expect(by('notice')).toBe(10); // 9 findings + the closing notice
    expect(plan.omitted).toBe(100 - 29);
    const last = plan.annotations[plan.annotations.length - 1];
    expect(last.message).toBe('71 more findings are not annotated (GitHub shows at most 10 annotations per level per step). See SARIF x.');
    // Critical before high among errors.
    expect(plan.annotations[0].properties.title).toMatch(/^CRITICAL /);
  });
  test('no closing notice when everything fits; all 10 notice slots usable', () => {
    const plan = planAnnotations(Array.from({ length: 10 }, (_, i) => f(i, 'low')));
    expect(plan.annotations).toHaveLength(10);
    expect(plan.omitted).toBe(0);
  });
  test('workflow commands carry file, line and title', async () => {
    const out = await captureStdout(() => {
      annotate([f(1, 'high')]);
    });
    expect(out).toContain('::error title=HIGH R1%3A T1,file=p/1.yaml,line=2,endLine=2::M1 | with pipe <b>');
  });
});

describe('summary', () => {
  test('10,000 findings stay under 1 MiB, table escaped, counts right', () => {
    const findings = Array.from({ length: 10_000 }, (_, i) => f(i));
    const g = gate({ findings, failOn: 'high' });
    const md = renderSummary({ title: 'Demo', gate: g, links: { repoUrl: 'https://github.com/o/r', sha: 'abc' }, reports: ['SARIF `x`'], maxFindings: 10_000 });
    expect(Buffer.byteLength(md)).toBeLessThan(SUMMARY_MAX_BYTES);
    expect(md).toContain('❌ **Failed**: 4000 findings at or above the threshold.');
    expect(md).toContain('| 🟥 critical | 2000 |');
    expect(md).toMatch(/### Findings \(top \d+ of 10000\)/);
    expect(md).toContain('M0 \\| with pipe &lt;b&gt;');
    expect(md).toContain('[<code>p/0.yaml:1</code>](https://github.com/o/r/blob/abc/p/0.yaml#L1)');
  });
  test('clean and tool error read differently', () => {
    expect(renderSummary({ title: 'x', gate: gate({ findings: [], failOn: 'high' }) })).toContain('✅ **Passed**');
    const md = renderSummary({ title: 'x', gate: gate({ findings: [], failOn: 'high', toolErrors: ['trivy: DB download failed'] }) });
    expect(md).toContain('⚠️ **Tool error**');
    expect(md).toContain('> trivy: DB download failed');
  });
});

test('comment body keeps the marker and fits the limit', () => {
  const body = commentBody('<!-- m -->', 'x'.repeat(100_000), 'https://run');
  expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
  expect(body.startsWith('<!-- m -->\n')).toBe(true);
  expect(body).toContain('full report: https://run');
});

test('standard outputs', () => {
  env = actionEnv();
  setStandardOutputs({ outcome: 'policy-failure', findings: [f(0), f(1), f(6)], reports: { 'sarif-file': '/tmp/x.sarif', 'report-file': undefined } });
  expect(env.outputs()).toEqual({
    outcome: 'policy-failure',
    'findings-count': '3',
    'critical-count': '1',
    'high-count': '2',
    'medium-count': '0',
    'low-count': '0',
    'info-count': '0',
    'sarif-file': '/tmp/x.sarif',
  });
});

// Failing and flaky tests as the kit's findings, for annotations at file:line and the counts. A failed
// test is an error annotation (high); a flaky one, which passed in the end, a notice (low). The verdict
// never comes from these severities (the gate runs with fail-on none): it comes from the pass-rate and
// coverage gates, so a team that accepts 95 % still sees every failure annotated.
import { type Finding, fingerprint, type Location, redactCredentials } from '@platform-actions/kit';
import type { TestResult } from './results.js';
import { ACTION } from './action.js';

/** Lines of a failure's text kept in its annotation. */
const DETAIL_LINES = 12;
const MAX_MESSAGE = 3000;

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Text from a test tool, made safe to show: colour codes out, credentials redacted. */
export const clean = (text: string | undefined, extra: readonly string[] = []): string => redactCredentials((text ?? '').replace(ANSI, ''), extra);

// Lines that carry no information about the failure: Go's run/fail banners, pytest's section rulers,
// stack frames inside dependencies.
const NOISE = /^(?:=== (?:RUN|PAUSE|CONT)\b|--- (?:FAIL|PASS|SKIP): |(?:_ )+_?$|at .*node_modules)/;
// Messages that only repeat the status (go-junit-report and gotestsum write "Failed").
const GENERIC = /^(?:failed|failure|error|skipped)$/i;

const meaningful = (text: string): string[] => text.split('\n').filter((l) => l.trim() && !NOISE.test(l.trim()));

/** The first line worth reading of a failure: its message, else the first meaningful line of its text. */
export function headline(r: TestResult, extra: readonly string[] = []): string {
  const m = clean(r.shown.message, extra).trim();
  const first = (m && !GENERIC.test(m) ? m : meaningful(clean(r.shown.detail, extra))[0]?.trim()) || (r.flaky ? 'the report does not record the failed attempt' : m || 'failed');
  return first.split('\n')[0].slice(0, 300);
}

function body(r: TestResult, extra: readonly string[]): string {
  const head = headline(r, extra);
  const lines = meaningful(clean(r.shown.detail, extra));
  const excerpt = lines.slice(0, DETAIL_LINES).join('\n');
  const more = lines.length > DETAIL_LINES ? `\n… (${lines.length - DETAIL_LINES} more lines in the test step's log)` : '';
  const text = excerpt && !excerpt.includes(head) ? `${head}\n\n${excerpt}${more}` : `${excerpt || head}${more}`;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

export function toFinding(r: TestResult, location: Location | undefined, extra: readonly string[] = []): Finding {
  const what = r.flaky ? `passed after ${r.attempts - 1} failed attempt${r.attempts === 2 ? '' : 's'} (flaky)` : r.status === 'error' ? 'broke with an error' : 'failed';
  return {
    tool: ACTION,
    ruleId: r.flaky ? 'flaky-test' : r.status === 'error' ? 'test-error' : 'test-failed',
    severity: r.flaky ? 'low' : 'high',
    title: clean(r.title, extra).slice(0, 200),
    message: `${clean(r.title, extra)} ${what}: ${body(r, extra)}`,
    ...(location ? { location } : {}),
    fingerprint: fingerprint(ACTION, r.report, r.classname, r.name),
    properties: { attempts: r.attempts, seconds: Math.round(r.time * 1000) / 1000 },
  };
}

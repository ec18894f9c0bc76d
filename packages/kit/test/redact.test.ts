// Credential shapes in text an application or a test suite wrote, and what must stay readable; and the
// summary option for actions whose findings are not severities.
import { describe, expect, test } from '@jest/globals';
import { addSecret, clearSecrets, fingerprint, gate, redactCredentials, renderSummary } from '@platform-actions/kit';

describe('redactCredentials', () => {
  test.each([
    ['DB_PASSWORD=hunter2hunter2 connecting', 'DB_PASSWORD=*** connecting'],
    ['token: abcdefghijklmnop', 'token: ***'],
    ['"api_key": "xyz123456"', '"api_key": "***"'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc', 'Authorization: Bearer ***'],
    ['Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'Authorization: Basic ***'],
    ['postgres://app:s3cretpw@db:5432/app', 'postgres://app:***@db:5432/app'],
    ["assert 'postgresql:/...ssw0rd@db/app' == 'x'", "assert 'postgresql:/...***@db/app' == 'x'"],
    ['key AKIAABCDEFGHIJKLMNOP used', 'key *** used'],
    [`gh ghp_${'A1b2'.repeat(9)} and github_pat_${'x'.repeat(50)}`, 'gh *** and ***'],
    [`slack xoxb-1234567890-abcdefghij gitlab glpat-${'a'.repeat(20)}`, 'slack *** gitlab ***'],
    [`stripe sk_live_${'a'.repeat(24)} google AIza${'b'.repeat(35)} npm npm_${'c'.repeat(36)}`, 'stripe *** google *** npm ***'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', 'jwt ***'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', '***'],
  ])('%s', (input, want) => expect(redactCredentials(input)).toBe(want));

  test.each([
    'basic authentication is required',
    'the bearer tokens were rotated',
    'assert resp.json()["token"] == expected',
    'src/password_reset.py:12: AssertionError',
    'expected 3 items ... got 4@ index',
  ])('prose and code stay readable: %s', (text) => expect(redactCredentials(text)).toBe(text));

  test('values the caller names, and values registered with addSecret, go too', () => {
    addSecret('RegisteredValue-77');
    try {
      expect(redactCredentials('a opaque-Zq81x7Lw b RegisteredValue-77', ['opaque-Zq81x7Lw'])).toBe('a *** b ***');
    } finally {
      clearSecrets();
    }
  });
});

test('renderSummary with findingsTables: false leaves the severity counts and the findings table out', () => {
  const g = gate({
    findings: [{ tool: 't', ruleId: 'test-failed', severity: 'high', title: 'x', message: 'x failed', fingerprint: fingerprint('x') }],
    failOn: 'none',
    policyErrors: ['pass rate 90.00 % is below min-pass-rate 100 %'],
  });
  const with_ = renderSummary({ title: 'T', gate: g, details: 'DETAILS' });
  const without = renderSummary({ title: 'T', gate: g, details: 'DETAILS', findingsTables: false });
  expect(with_).toMatch(/\| Severity \| Count \|/);
  expect(with_).toMatch(/### Findings/);
  expect(without).not.toMatch(/Severity|### Findings/);
  expect(without).toContain('DETAILS');
  expect(without).toContain('pass rate 90\\.00 % is below min\\-pass\\-rate 100 %');
});

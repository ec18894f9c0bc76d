// gitleaks' report → findings: an allow-list of fields, so even an unredacted report (a baseline someone
// made without --redact) never carries a secret into a finding; baselines are validated.
import { describe, expect, test } from '@jest/globals';
import { InputError } from '@platform-actions/kit';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { chooseConfig } from '../src/gitleaks-config.js';
import { leakId, leakSeverity, parseBaseline, parseReport, REMEDIATION, REMEDIATION_UNPUSHED, toFinding } from '../src/findings.js';
import { awsKey } from './helpers.js';

const C = 'a'.repeat(40);
const raw = (secret: string, o: Record<string, unknown> = {}) => ({
  RuleID: 'aws-access-token',
  Description: 'Identified a pattern that may indicate AWS credentials.',
  StartLine: 3,
  EndLine: 3,
  StartColumn: 21,
  EndColumn: 40,
  Match: `aws_access_key_id = ${secret}`,
  Secret: secret,
  Line: `aws_access_key_id = ${secret}`,
  File: 'deploy/app.ini',
  SymlinkFile: '',
  Commit: C,
  Entropy: 3.9,
  Author: 'Test Author',
  Email: 'author@example.invalid',
  Date: '2026-11-22T10:00:00Z',
  Message: `add ${secret}`,
  Tags: [],
  Fingerprint: `${C}:deploy/app.ini:aws-access-token:3`,
  ...o,
});

describe('parseReport and toFinding', () => {
  test('only allow-listed fields are kept; the secret cannot reach a finding', () => {
    const key = awsKey();
    const leaks = parseReport(JSON.stringify([raw(key)]))!;
    expect(JSON.stringify(leaks)).not.toContain(key);
    const f = toFinding(leaks[0]);
    expect(JSON.stringify(f)).not.toContain(key);
    expect(JSON.stringify(f)).not.toContain('author@example.invalid');
    expect(f).toMatchObject({
      tool: 'gitleaks',
      ruleId: 'aws-access-token',
      severity: 'high',
      location: { path: 'deploy/app.ini', startLine: 3, endLine: 3, startColumn: 21, endColumn: 40 },
      properties: { commit: C, gitleaksFingerprint: `${C}:deploy/app.ini:aws-access-token:3`, author: 'Test Author' },
      tags: ['secret'],
    });
    expect(f.message).toBe(`Identified a pattern that may indicate AWS credentials. Found in commit aaaaaaa (value redacted). ${REMEDIATION}`);
    expect(f.help?.markdown).toContain('Rotate the credential — deleting it from history is not enough.');
  });

  test('a commit that was never pushed (the CLI pre-push check): no "others may already have it", same fingerprint', () => {
    const [l] = parseReport(JSON.stringify([raw('REDACTED')]))!;
    const pushed = toFinding(l);
    const unpushed = toFinding(l, true);
    expect(unpushed.message).toBe(`Identified a pattern that may indicate AWS credentials. Found in commit aaaaaaa (value redacted). ${REMEDIATION_UNPUSHED}`);
    expect(unpushed.message).not.toMatch(/may already have it/);
    expect(pushed.message).toMatch(/may already have it/);
    expect(unpushed.fingerprint).toBe(pushed.fingerprint);
  });

  test('dir mode: no commit, a file:rule:line fingerprint', () => {
    const [l] = parseReport(JSON.stringify([raw('REDACTED', { Commit: '', Fingerprint: undefined, File: 'a\\b.env' })]))!;
    expect(l.ignoreLine).toBe('a/b.env:aws-access-token:3');
    expect(toFinding(l).message).toContain('Found in the working tree');
  });

  test('not a report', () => {
    expect(parseReport('{}')).toBeUndefined();
    expect(parseReport('nope')).toBeUndefined();
    expect(parseReport('[{"RuleID": 1}]')).toBeUndefined();
    expect(parseReport('[]')).toEqual([]);
  });

  test('ids are a promise to every baseline: their literal values are pinned', () => {
    const [reported] = parseReport(JSON.stringify([raw('REDACTED')]))!;
    expectPinnedFingerprints(
      {
        'a finding from the report': toFinding(reported).fingerprint,
        'commit, file, rule, line': leakId({ commit: 'a'.repeat(40), file: 'deploy/app.ini', ruleId: 'aws-access-token', startLine: 3 }),
        'dir mode (no commit)': leakId({ commit: '', file: 'cfg/prod.ini', ruleId: 'aws-access-token', startLine: 3 }),
        // A merge's conflicted file shown at its real path keeps the id of the name gitleaks reported.
        'merge: real path, reported name': leakId({ commit: 'a'.repeat(40), file: 'app.ini', idFile: 'b/app.ini', ruleId: 'aws-access-token', startLine: 2 }),
        'merge: the reported name': leakId({ commit: 'a'.repeat(40), file: 'b/app.ini', ruleId: 'aws-access-token', startLine: 2 }),
      },
      {
        'a finding from the report': '81a99c8a6e46ce4e51456bb2e3fbef09',
        'commit, file, rule, line': '81a99c8a6e46ce4e51456bb2e3fbef09',
        'dir mode (no commit)': '2c73b8ec55ddd533afae8a010b089b5f',
        'merge: real path, reported name': '6fb728367a128cf93493e9f9a69562c9',
        'merge: the reported name': '6fb728367a128cf93493e9f9a69562c9',
      },
    );
  });

  test('ids: one per commit, file, rule and line', () => {
    const base = { commit: C, file: 'x', ruleId: 'r', startLine: 1 };
    expect(leakId(base)).toBe(leakId({ ...base }));
    expect(leakId(base)).not.toBe(leakId({ ...base, startLine: 2 }));
    expect(leakId(base)).not.toBe(leakId({ ...base, commit: 'b'.repeat(40) }));
  });

  test.each([
    [[], 'high'],
    [['severity:critical'], 'critical'],
    [['internal', 'Severity:LOW'], 'low'],
    [['severity:bogus'], 'medium'],
  ])('severity from tags %j → %s', (tags, want) => {
    expect(leakSeverity(tags as string[])).toBe(want);
  });
});

describe('parseBaseline', () => {
  test('a gitleaks report (even unredacted) gives ids', () => {
    const ids = parseBaseline(JSON.stringify([raw(awsKey())]));
    expect(ids.has(leakId({ commit: C, file: 'deploy/app.ini', ruleId: 'aws-access-token', startLine: 3 }))).toBe(true);
  });
  test.each([['{"runs": []}'], ['[{"ruleId": "x"}]'], ['not json']])('%s is refused with a one-line error naming the input', (text) => {
    expect(() => parseBaseline(text)).toThrow(InputError);
    expect(() => parseBaseline(text)).toThrow(/^input "baseline-path" must be a gitleaks JSON report/);
  });
});

describe('chooseConfig', () => {
  const root = '/repo';
  const base = { root, env: {}, resolvePath: (p: string) => (p.startsWith('/') ? p : `${root}/${p}`) };
  const files =
    (...names: string[]) =>
    (p: string) =>
      names.map((n) => `${root}/${n}`).includes(p);
  test.each([
    [
      'the input wins',
      { input: '/repo/ci/leaks.toml', exists: files('.gitleaks.toml') },
      { origin: 'input', path: '/repo/ci/leaks.toml', label: '`ci/leaks.toml` (the config input)' },
    ],
    ['GITLEAKS_CONFIG next', { env: { GITLEAKS_CONFIG: 'cfg/g.toml' }, exists: files('cfg/g.toml', '.gitleaks.toml') }, { origin: 'env-path', path: '/repo/cfg/g.toml' }],
    ['GITLEAKS_CONFIG_TOML is left to gitleaks', { env: { GITLEAKS_CONFIG_TOML: 'title="x"' }, exists: files('.gitleaks.toml') }, { origin: 'env-toml', path: undefined }],
    ['.gitleaks.toml', { exists: files('.gitleaks.toml', 'gitleaks.toml') }, { origin: 'repository', path: '/repo/.gitleaks.toml', label: '`.gitleaks.toml` (repository)' }],
    ['gitleaks.toml', { exists: files('gitleaks.toml') }, { origin: 'repository', path: '/repo/gitleaks.toml' }],
    ['the defaults', { exists: files() }, { origin: 'default', path: undefined, label: "gitleaks' default rules" }],
    [
      "dir mode: the scanned folder's .gitleaks.toml, which gitleaks reads itself",
      { folder: 'app', exists: files('app/.gitleaks.toml') },
      { origin: 'repository', path: '/repo/app/.gitleaks.toml', label: '`app/.gitleaks.toml` (the scanned folder)' },
    ],
    ["dir mode: the root's config comes first", { folder: 'app', exists: files('app/.gitleaks.toml', '.gitleaks.toml') }, { path: '/repo/.gitleaks.toml' }],
  ])('%s', (_t, o, want) => {
    expect({ path: undefined, ...chooseConfig({ ...base, ...o }) }).toMatchObject(want);
  });
  test('a GITLEAKS_CONFIG that names no file is an error', () => {
    expect(() => chooseConfig({ ...base, env: { GITLEAKS_CONFIG: 'missing.toml' }, exists: files() })).toThrow(/GITLEAKS_CONFIG names missing.toml, which does not exist/);
  });
});

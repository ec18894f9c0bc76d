// chart-testing's checks as pure functions (Chart.yaml fields, yamllint's rules, SemVer, which charts
// changed against a real git history) and the other issue-24 pieces that decide something from plain data:
// multi-document values, values.schema.json failures in helm 3's and helm 4's words, failure lines,
// dependency advice and chart-level exceptions.
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { lintHits } from '../src/chart-checks.js';
import { baseVersion, changedCharts } from '../src/changes.js';
import { checkChartMetadata, metadataLine } from '../src/chartfile.js';
import { loadChart } from '../src/charts.js';
import { advice, shortReason, sourceOf } from '../src/dependencies.js';
import { build } from '../src/exceptions.js';
import { failureLines } from '../src/failures.js';
import { compareSemVer, isStrictSemVer, parseSemVer } from '../src/semver.js';
import { keyPath, locateViolation, parseSchemaErrors } from '../src/values-schema.js';
import { checkValuesDocs, multiDocumentMessage, readValuesDocs, splitDocuments, usedDocs } from '../src/values.js';
import { yamllint } from '../src/yamllint.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hv-ct-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

describe('multi-document values files (helm 3: the first document; helm 4: all of them, merged in order)', () => {
  test.each([
    ['one document', 'a: 1\n', [1]],
    ['a leading --- opens the first document, not an empty one before it', '---\na: 1\n---\na: 2\n', [2, 4]],
    ['comments before the first --- are no document', '# values\n---\na: 1\n', [3]],
    ['a comment-only document between separators counts (helm 3 reads it: empty values)', '---\n# nothing\n---\na: 2\n', [2, 4]],
    ['a trailing --- adds no document', 'a: 1\n---\n', [1]],
    ['--- with a comment on its line is a separator', 'a: 1\n--- # two\na: 2\n', [1, 3]],
  ])('%s', (_name, text, lines) => {
    expect(splitDocuments(text).map((d) => d.line)).toEqual(lines);
  });

  test('the documents each helm reads, and what the message says', () => {
    const f = readValuesDocs('a: 1\nb: 1\n---\na: 2\n', 'c/values-prod.yaml');
    expect(usedDocs(f, 3).map((d) => d.value)).toEqual([{ a: 1, b: 1 }]);
    expect(usedDocs(f, 4).map((d) => d.value)).toEqual([{ a: 1, b: 1 }, { a: 2 }]);
    expect(multiDocumentMessage(f, { version: '3.18.0', major: 3 })).toBe(
      'values file c/values-prod.yaml holds 2 YAML documents: helm 3.18.0 (this run) reads only the first document (lines 1–2) and ignores the other 1; helm 4 would merge all 2 in order. Keep one document per values file so every helm reads the same values.',
    );
  });

  test('an unreadable later document is an error only for the helm that reads it; line numbers are the file\u2019s', () => {
    const f = readValuesDocs('a: 1\n---\nb: [\n', 'v.yaml');
    expect(() => checkValuesDocs(f)).not.toThrow();
    expect(() => checkValuesDocs(f, 3)).not.toThrow();
    expect(() => checkValuesDocs(f, 4)).toThrow(/^values file v\.yaml is not valid YAML \(document 2 of 2, which helm 4 reads\): line \d+: /);
    const dup = readValuesDocs('a: 1\n---\nb: 1\nb: 2\n', 'v.yaml');
    expect(dup.docs[1].duplicates).toEqual([{ path: 'b', key: 'b', line: 4 }]);
  });
});

describe('values.schema.json failures, in helm 3 and helm 4 words (their real output)', () => {
  const helm3 = `Error: values don't meet the specifications of the schema(s) in the following chart(s):
c:
- replicas: Invalid type. Expected: integer, given: string
- image.pullPolicy: image.pullPolicy must be one of the following: "Always", "IfNotPresent"
- (root): image is required
sub:
- (root): Additional property extra is not allowed
`;
  const helm4 = `Error: values don't meet the specifications of the schema(s) in the following chart(s):
c:
- at '/image': validation failed
  - at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent'
- at '': missing property 'image'
- at '/replicas': got string, want integer
sub:
- at '': additional properties 'global', 'extra' not allowed
`;
  test('helm 3', () => {
    expect(parseSchemaErrors(helm3)).toEqual([
      { chart: 'c', path: ['replicas'], kind: 'value', message: 'Invalid type. Expected: integer, given: string' },
      { chart: 'c', path: ['image', 'pullPolicy'], kind: 'value', message: 'image.pullPolicy must be one of the following: "Always", "IfNotPresent"' },
      { chart: 'c', path: [], property: 'image', kind: 'missing', message: 'image is required' },
      { chart: 'sub', path: [], property: 'extra', kind: 'additional', message: 'Additional property extra is not allowed' },
    ]);
  });
  test('helm 4 (a "validation failed" heading is not a violation of its own)', () => {
    expect(parseSchemaErrors(helm4)?.map((v) => [v.chart, keyPath(v.path), v.property, v.kind])).toEqual([
      ['c', 'image.pullPolicy', undefined, 'value'],
      ['c', '', 'image', 'missing'],
      ['c', 'replicas', undefined, 'value'],
      ['sub', '', 'global', 'additional'],
      ['sub', '', 'extra', 'additional'],
    ]);
    expect(parseSchemaErrors('Error: template: c/templates/x.yaml:3:4: executing …')).toBeUndefined();
  });
  test('each violation at the values file and line that set it; a key nobody set, at the schema', () => {
    const ws = tree({
      'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'c/charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'c/charts/sub/values.schema.json': '{}',
    });
    const chart = loadChart(join(ws, 'c'), ws);
    const files = [
      { path: 'c/values-prod.yaml', text: 'replicas: "3"\nsub:\n  extra: 1\n' },
      { path: 'c/values.yaml', text: 'image:\n  tag: x\n' },
    ];
    const [replicas, , missing, extra] = parseSchemaErrors(helm3)!;
    expect(locateViolation(replicas, chart, files, ws)).toEqual({ keyPath: 'replicas', location: { path: 'c/values-prod.yaml', startLine: 1 } });
    expect(locateViolation(missing, chart, files, ws)).toEqual({ keyPath: 'image', location: { path: 'c/values-prod.yaml' } });
    expect(locateViolation(extra, chart, files, ws)).toEqual({ keyPath: 'sub.extra', location: { path: 'c/values-prod.yaml', startLine: 3 } });
    const global = parseSchemaErrors(helm4)!.find((v) => v.property === 'global')!;
    expect(locateViolation(global, chart, files, ws)).toEqual({ keyPath: 'sub.global', location: { path: 'c/charts/sub/values.schema.json' } });
  });
});

describe('Chart.yaml as chart-testing reads it', () => {
  test('a clean chart has nothing; every problem of a broken one is named at its line', () => {
    expect(
      checkChartMetadata(
        'apiVersion: v2\nname: web\nversion: 1.2.3-rc.1+b5\nappVersion: 1.16\nmaintainers:\n  - name: Jane\n    email: jane@example.com\n    url: https://example.com\n',
      ),
    ).toEqual([]);
    const text = 'apiVersion: v2\nname: web\nversion: 1.0\nmaintainers:\n  - name: Jane\n    email: jane@\n  - url: example.com\ndependencies:\n  - name: redis\n    alias: 5\n';
    expect(checkChartMetadata(text).map((i) => [i.ruleId, i.path, i.severity, metadataLine(text, i.path)])).toEqual([
      ['chart-metadata', 'version', 'high', 3],
      ['chart-metadata', 'maintainers[0].email', 'high', 6],
      ['chart-metadata', 'maintainers[1].name', 'high', 7],
      ['chart-metadata', 'dependencies[0].version', 'high', 9],
      ['chart-metadata', 'dependencies[0].alias', 'high', 10],
    ]);
  });
  test('maintainers: required unless deprecated, and none once deprecated (chart-maintainers)', () => {
    expect(checkChartMetadata('apiVersion: v2\nname: a\nversion: 1.0.0\n').map((i) => i.ruleId)).toEqual(['chart-maintainers']);
    expect(checkChartMetadata('apiVersion: v2\nname: a\nversion: 1.0.0\ndeprecated: true\n')).toEqual([]);
    expect(checkChartMetadata('apiVersion: v2\nname: a\nversion: 1.0.0\ndeprecated: true\nmaintainers:\n  - name: x\n')[0].message).toMatch(
      /deprecated chart must not list maintainers/,
    );
  });
});

describe('SemVer as helm and chart-testing compare chart versions', () => {
  test.each([
    ['1.2.3', '1.2.4', -1],
    ['1.2.3', '1.2.3', 0],
    ['1.10.0', '1.9.9', 1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.2', '1.0.0-alpha.10', -1],
    ['1.0.0-1', '1.0.0-alpha', -1],
    ['v1.2', '1.2.0', 0],
    ['1.0.0+build.1', '1.0.0+build.2', 0],
  ])('%s vs %s', (a, b, want) => {
    expect(compareSemVer(parseSemVer(a)!, parseSemVer(b)!)).toBe(want);
  });
  test('strict SemVer 2 for the version field', () => {
    expect(['1.2.3', '0.0.0-rc.1+x', '10.20.30'].every(isStrictSemVer)).toBe(true);
    expect(['1.0', 'v1.2.3', '01.2.3', '1.2.3-01', 'latest'].some(isStrictSemVer)).toBe(false);
    expect(parseSemVer('latest')).toBeUndefined();
  });
});

describe("yamllint's rules as ct lint configures them", () => {
  const rules = (text: string) => yamllint(text).map((p) => `${p.line}:${p.column} ${p.rule}: ${p.message}`);
  test('a clean values file has nothing', () => {
    expect(
      rules(
        '# Default values\nreplicas: 1\nimage:\n  tag: "1.0"  # pinned\nlist:\n- a\n- b: 1\n  c: 2\nmap: {a: 1, b: [x, y]}\nempty: {}\nblock: |\n  # not a comment\n  key:  value\n',
      ),
    ).toEqual([]);
  });
  test('each rule at yamllint\u2019s line and column (checked against yamllint 1.38 with chart-testing\u2019s lintconf.yaml)', () => {
    expect(
      rules(
        'image:\n  tag: x  \n#bad\nnodeSelector: { }\ntolerations: [ a ]\nl: [a,b]\naffinity:  {}\nkey : v\nenabled: yes\nurl: a # c\nitems:\n-  a\nnested:\n    deep: 1\n\n\n\nend: 1',
      ),
    ).toEqual([
      '2:9 trailing-spaces: trailing spaces',
      '3:2 comments: missing starting space in comment',
      '4:16 braces: too many spaces inside empty braces',
      '5:15 brackets: too many spaces inside brackets',
      '5:17 brackets: too many spaces inside brackets',
      '6:7 commas: too few spaces after comma',
      '7:11 colons: too many spaces after colon',
      '8:4 colons: too many spaces before colon',
      '9:10 truthy: truthy value should be one of [false, true]',
      '10:8 comments: too few spaces before comment: expected 2',
      '12:3 hyphens: too many spaces after hyphen',
      '14:5 indentation: wrong indentation: expected 2 but found 4',
      '17:1 empty-lines: too many blank lines (3 > 2)',
      '18:7 new-line-at-end-of-file: no new line character at the end of file',
    ]);
    expect(rules('a: 1\r\nb: 2\r\n')).toEqual(['1:5 new-lines: wrong new line character: expected \\n']);
    expect(rules('\na: 1\n\n')).toEqual(['1:1 empty-lines: too many blank lines (1 > 0)', '3:1 empty-lines: too many blank lines (1 > 0)']);
  });
  test('one finding per file and rule, listing the lines; truthy alone is a notice', () => {
    const hits = lintHits(yamllint('a: 1 \nb: 2 \nc: yes\n'), 'c/values.yaml', 'values.yaml');
    expect(hits.map((h) => [h.path, h.severity, h.location, h.message])).toEqual([
      ['yamllint/trailing-spaces', undefined, { path: 'c/values.yaml', startLine: 1, startColumn: 5 }, 'c/values.yaml: trailing spaces on lines 1, 2 (yamllint trailing-spaces)'],
      [
        'yamllint/truthy',
        'info',
        { path: 'c/values.yaml', startLine: 3, startColumn: 4 },
        'c/values.yaml: truthy value should be one of [false, true] on line 3 (yamllint truthy)',
      ],
    ]);
  });
});

describe('which charts changed since a base ref (real git)', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.invalid',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.invalid',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
    });
  test('committed, uncommitted and untracked changes; a vendored subchart belongs to its parent; file:// users are affected', async () => {
    const c = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n${extra}`;
    const ws = tree({
      'charts/a/Chart.yaml': c('a'),
      'charts/a/charts/sub/Chart.yaml': c('sub'),
      'charts/b/Chart.yaml': c('b'),
      'charts/lib/Chart.yaml': c('lib', 'type: library\n'),
      'charts/user/Chart.yaml': c('user', 'dependencies:\n  - name: lib\n    version: 1.0.0\n    repository: file://../lib\n'),
      'charts/c/Chart.yaml': c('c'),
      'charts/d/Chart.yaml': c('d'),
      'charts/d/values-moving.yaml': 'z: 1\n',
      'charts/e/Chart.yaml': c('e'),
      'README.md': 'x\n',
    });
    git(ws, 'init', '-q', '-b', 'main');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'base');
    git(ws, 'checkout', '-qb', 'feature');
    writeFileSync(join(ws, 'charts/a/charts/sub/values.yaml'), 'x: 1\n');
    git(ws, 'mv', 'charts/d/values-moving.yaml', 'charts/e/values-moving.yaml');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'sub');
    writeFileSync(join(ws, 'charts/lib/Chart.yaml'), c('lib', 'type: library\ndescription: changed, not committed\n'));
    writeFileSync(join(ws, 'charts/b/values-new.yaml'), 'y: 1\n'); // untracked
    writeFileSync(join(ws, 'README.md'), 'y\n');
    const all = ['a', 'b', 'lib', 'user', 'c', 'd', 'e'].map((n) => loadChart(join(ws, 'charts', n), ws).rel);
    const { base, own, affected } = await changedCharts(ws, 'main', all);
    // A file moved from d to e changed both (d lost it), so both are validated and need a new version.
    expect([...own].sort()).toEqual(['charts/a', 'charts/b', 'charts/d', 'charts/e', 'charts/lib']);
    expect([...affected].sort()).toEqual(['charts/a', 'charts/b', 'charts/d', 'charts/e', 'charts/lib', 'charts/user']);
    expect(base.mergeBase).toBe(git(ws, 'rev-parse', 'main').trim());
    // Only the charts asked about are named, but dependencies are followed through the others.
    const some = await changedCharts(ws, 'main', ['charts/user', 'charts/c']);
    expect([[...some.own], [...some.affected]]).toEqual([[], ['charts/user']]);
    expect(await baseVersion(base, join(ws, 'charts/a'))).toBe('1.0.0');
    mkdirSync(join(ws, 'charts/new'));
    writeFileSync(join(ws, 'charts/new/Chart.yaml'), c('new'));
    expect(await baseVersion(base, join(ws, 'charts/new'))).toBeUndefined();
    await expect(changedCharts(ws, 'nope', all)).rejects.toThrow(/input "base-ref" names "nope", which is not a commit in this clone/);
    await expect(changedCharts(tree({ 'x.txt': '' }), 'main', [])).rejects.toThrow(/input "base-ref" needs a git checkout/);
  });

  test('a base that shares no history with HEAD is a configuration error, not "every chart changed"', async () => {
    const ws = tree({ 'charts/a/Chart.yaml': 'apiVersion: v2\nname: a\nversion: 1.0.0\n' });
    git(ws, 'init', '-q', '-b', 'main');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'base');
    git(ws, 'checkout', '-q', '--orphan', 'other');
    git(ws, 'commit', '-qm', 'unrelated');
    await expect(changedCharts(ws, 'main', ['charts/a'])).rejects.toThrow(/input "base-ref" names "main", which shares no history with HEAD in this clone/);
  });
});

describe('failure lines, dependency advice, chart-level exceptions', () => {
  test('one line per cause: the case itself, or counts and the charts', () => {
    expect(failureLines([{ cause: 'helm lint timed out after 5s', chart: 'charts/a', where: 'values.yaml' }])).toEqual([
      'helm lint timed out after 5s on charts/a (values.yaml); it was not validated',
    ]);
    const many = ['a', 'b', 'c', 'd', 'd'].map((c, i) => ({ cause: 'helm template timed out after 5s', chart: `charts/${c}`, where: `v${i}` }));
    expect(failureLines([...many, { cause: 'dependencies missing from charts/', chart: 'charts/x', where: 'r: not found' }])).toEqual([
      'helm template timed out after 5s: 5 times on 4 charts (charts/a, charts/b, charts/c, and 1 more); none of those was validated (the job summary lists each)',
      'dependencies missing from charts/ on charts/x (r: not found); it was not validated',
    ]);
  });

  test('where a dependency comes from, and the gist of what helm said', () => {
    expect(['oci://r.example/c', 'https://x', 'file://../c', '@stable', 'alias:stable', undefined].map((repository) => sourceOf({ repository }))).toEqual([
      'oci',
      'http',
      'file',
      'named',
      'named',
      'none',
    ]);
    expect(shortReason('could not download oci://r/c/x: failed to perform "FetchReference" on source: r/c/x:9.9.9: not found')).toBe('not found');
    expect(shortReason('Get "https://r/v2/": dial tcp: lookup r on 127.0.0.53:53: no such host')).toBe('host not found');
    expect(shortReason('failed to authorize: 401 Unauthorized')).toBe('unauthorized: credentials needed');
    const ws = tree({ 'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n' });
    const chart = loadChart(join(ws, 'charts/app'), ws);
    expect(advice(chart, [{ name: 'redis', repository: 'oci://registry.example.com/charts' }], ws, { reason: 'not found' })).toBe(
      'redis oci://registry.example.com/charts: the registry has no such chart and version: check name, version and repository in Chart.yaml (helm pulls oci://<repository>/<name>:<version>).',
    );
    expect(advice(chart, [{ name: 'redis', repository: 'https://charts.example.com' }], ws, { reason: 'unauthorized: credentials needed' })).toContain(
      'https://charts.example.com wants credentials, which the private helm configuration this action builds with does not carry',
    );
  });

  test('an exception without a resource names a chart, and covers its Chart.yaml and values findings', () => {
    const set = build([{ rule: 'yaml-lint', chart: 'charts/web*', reason: 'generated' }], '2026-01-01');
    expect(set.match({ ruleId: 'yaml-lint', chart: 'charts/web', values: ['values.yaml'] })?.reason).toBe('generated');
    expect(set.match({ ruleId: 'yaml-lint', chart: 'charts/api', values: ['values.yaml'] })).toBeUndefined();
    expect(set.match({ ruleId: 'image-tag', chart: 'charts/web', values: [''] })).toBeUndefined();
  });
});

// helm arguments and helm's own words, read from real helm 3 and helm 4 runs.
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '@platform-actions/kit';
import { dependencyBuildArgs, kubeVersionConstraint, lintArgs, parseHelmVersion, parseLint, parseRenderError, templateArgs } from '../src/helm.js';
import { toolBin } from '../../../test/harness/tools.js';
import { fixtureCharts } from './helpers/paths.js';

const run = promisify(execFile);
const fixtures = fixtureCharts;
const HELMS = [
  ['helm 3', toolBin('helm3', 'helm')],
  ['helm 4', toolBin('helm')],
] as const;

async function helm(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(bin, args, { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('argument arrays', () => {
  test('template: release, chart, namespace, kube version, CRDs, api versions, values in order', () => {
    expect(
      templateArgs({ release: 'r', chartDir: '/c', namespace: 'prod', kubeVersion: '1.36.3', valuesFiles: ['/c/values-prod.yaml'], apiVersions: ['monitoring.coreos.com/v1'] }),
    ).toEqual([
      'template',
      'r',
      '/c',
      '--namespace',
      'prod',
      '--kube-version',
      'v1.36.3',
      '--include-crds',
      '--api-versions',
      'monitoring.coreos.com/v1',
      '--values',
      '/c/values-prod.yaml',
    ]);
  });
  test('lint is strict and gets the same values', () => {
    expect(lintArgs('/c', ['/c/v.yaml'])).toEqual(['lint', '/c', '--strict', '--values', '/c/v.yaml']);
  });
  test('dependency build skips the repo refresh when every missing chart is local', () => {
    expect(dependencyBuildArgs('/c', true)).toEqual(['dependency', 'build', '/c', '--skip-refresh']);
    expect(dependencyBuildArgs('/c', false)).toEqual(['dependency', 'build', '/c']);
  });
  test.each([
    ['3.18.0', '3.18.0'],
    ['v4.1.4', '4.1.4'],
  ])('helm-version %s', (input, out) => expect(parseHelmVersion(input)).toBe(out));
  test.each(['latest', '3', '2.17.0', '3.7.9', '4.1'])('helm-version %s is rejected', (input) => {
    expect(() => parseHelmVersion(input)).toThrow(InputError);
    expect(() => parseHelmVersion(input)).toThrow(/input "helm-version" must be "system" or a helm release from 3\.8\.0 on/);
  });
});

describe.each(HELMS)('%s output', (_name, bin) => {
  test('a template that fails: file, line, column and the cause on one line', async () => {
    const r = await helm(bin, ['template', 'r', join(fixtures, 'broken')]);
    expect(r.code).not.toBe(0);
    const e = parseRenderError(r.stderr);
    expect(e).toMatchObject({ file: 'broken/templates/service.yaml', line: 7, column: 22 });
    expect(e.message).toMatch(/nil pointer evaluating interface \{\}\.http/);
    expect(e.message).not.toMatch(/\n|--debug|^Error:/);
  });

  test('fail "…" in a template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hv-helm-'));
    cpSync(join(fixtures, 'clean'), join(dir, 'c'), { recursive: true });
    writeFileSync(join(dir, 'c', 'templates', 'fail.yaml'), '\n{{ fail "set image.tag" }}\n');
    const e = parseRenderError((await helm(bin, ['template', 'r', join(dir, 'c')])).stderr);
    expect(e).toMatchObject({ file: 'clean/templates/fail.yaml', line: 2 });
    expect(e.message).toContain('set image.tag');
  });

  test('rendered YAML that is not YAML names the template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hv-helm-'));
    cpSync(join(fixtures, 'clean'), join(dir, 'c'), { recursive: true });
    writeFileSync(join(dir, 'c', 'templates', 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: 1\n');
    const e = parseRenderError((await helm(bin, ['template', 'r', join(dir, 'c')])).stderr);
    expect(e.file).toBe('clean/templates/bad.yaml');
  });

  test('a kubeVersion constraint is recognised, not treated as a broken chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hv-helm-'));
    cpSync(join(fixtures, 'clean'), join(dir, 'c'), { recursive: true });
    writeFileSync(join(dir, 'c', 'Chart.yaml'), 'apiVersion: v2\nname: clean\nversion: 1.0.0\nkubeVersion: ">=1.36.0-0"\n');
    const r = await helm(bin, templateArgs({ release: 'r', chartDir: join(dir, 'c'), namespace: 'default', kubeVersion: '1.35.4', valuesFiles: [], apiVersions: [] }));
    expect(kubeVersionConstraint(r.stderr)).toBe('>=1.36.0-0');
  });

  test('lint messages with level and path; continuation lines are joined', async () => {
    const r = await helm(bin, ['lint', '--strict', join(fixtures, 'broken')]);
    const msgs = parseLint(r.stdout + r.stderr);
    expect(msgs.find((m) => m.level === 'ERROR')?.message).toMatch(/broken\/templates\/service\.yaml:7:22.*nil pointer/);
    const dir = mkdtempSync(join(tmpdir(), 'hv-helm-'));
    cpSync(join(fixtures, 'clean'), join(dir, 'c'), { recursive: true });
    writeFileSync(join(dir, 'c', 'Chart.yaml'), 'apiVersion: v2\nname: clean\nversion: 1.0.0\n');
    const info = parseLint((await helm(bin, ['lint', '--strict', join(dir, 'c')])).stdout);
    expect(info).toContainEqual({ level: 'INFO', path: 'Chart.yaml', message: 'icon is recommended' });
  });
});

describe('parsers on recorded text', () => {
  test('helm 3 style', () => {
    expect(
      parseRenderError(
        'Error: template: web/templates/d.yaml:6:18: executing "web/templates/d.yaml" at <.Values.a.b>: nil pointer\n\nUse --debug flag to render out invalid YAML\n',
      ),
    ).toEqual({
      file: 'web/templates/d.yaml',
      line: 6,
      column: 18,
      message: 'template: web/templates/d.yaml:6:18: executing "web/templates/d.yaml" at <.Values.a.b>: nil pointer',
    });
  });
  test('no location: the message alone', () => {
    expect(parseRenderError("Error: values don't meet the specifications of the schema(s)\n")).toEqual({ message: "values don't meet the specifications of the schema(s)" });
  });
});

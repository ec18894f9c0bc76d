// Finding charts, values matrices, subcharts and dependencies in a checkout.
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UserError } from '@platform-actions/kit';
import { discoverCharts, loadChart, missingDependencies, resolveSource, valuesMatrix } from '../src/charts.js';
import { workspaceWith } from './helpers/paths.js';

describe('discoverCharts', () => {
  const ws = workspaceWith('clean', 'shop', 'matrix');
  test('default: every top-level chart; a vendored subchart goes with its parent', () => {
    expect(discoverCharts(ws, []).map((c) => [c.rel, c.name])).toEqual([
      ['charts/clean', 'clean'],
      ['charts/matrix', 'matrix'],
      ['charts/shop', 'shop'],
    ]);
  });
  test('directories, Chart.yaml paths and globs', () => {
    expect(discoverCharts(ws, ['charts/clean/Chart.yaml', './charts/m*']).map((c) => c.rel)).toEqual(['charts/clean', 'charts/matrix']);
  });
  test('one-line errors for patterns that find nothing', () => {
    expect(() => discoverCharts(ws, ['charts/nope'])).toThrow(new InputError('charts', 'must name chart directories; "charts/nope" has no Chart.yaml', 'charts/nope'));
    expect(() => discoverCharts(ws, ['apps/*'])).toThrow(/input "charts" matches no chart directory/);
    expect(() => discoverCharts(workspaceWith(), [])).toThrow(UserError);
    expect(() => discoverCharts(workspaceWith(), [])).toThrow('no Helm chart found: no Chart.yaml anywhere in the repository');
  });
  test('charts whose templates read .Capabilities (or declare kubeVersion) render once per version', () => {
    const w = workspaceWith('clean');
    expect(loadChart(join(w, 'charts', 'clean'), w).perVersion).toBe(false);
    writeFileSync(join(w, 'charts', 'clean', 'templates', 'pdb.yaml'), '{{ if .Capabilities.APIVersions.Has "policy/v1" }}{{ end }}\n');
    expect(loadChart(join(w, 'charts', 'clean'), w).perVersion).toBe(true);
  });
});

describe('valuesMatrix', () => {
  const ws = workspaceWith('matrix');
  const chart = loadChart(join(ws, 'charts', 'matrix'), ws);
  test('defaults first, then each matching values file, layered over values.yaml', () => {
    const m = valuesMatrix(chart, ['values-*.yaml', 'ci/*-values.yaml'], true, ws);
    expect(m.entries.map((e) => e.label)).toEqual(['values.yaml', 'values-production.yaml', 'values-staging.yaml']);
    expect(m.entries[1].files).toEqual([join(chart.dir, 'values-production.yaml')]);
    expect(m.unmatched).toEqual(['ci/*-values.yaml']);
    expect(valuesMatrix(chart, ['values-staging.yaml'], false, ws).entries.map((e) => e.label)).toEqual(['values-staging.yaml']);
  });

  test('a literal name the chart lacks and a pattern matching nothing are both reported, never skipped in silence', () => {
    const m = valuesMatrix(chart, ['values-prodution.yaml', 'values-qa*.yaml', 'values-staging.yaml'], true, ws);
    expect(m.entries.map((e) => e.label)).toEqual(['values.yaml', 'values-staging.yaml']);
    expect(m.missing).toEqual(['values-prodution.yaml']);
    expect(m.unmatched).toEqual(['values-qa*.yaml']);
  });
});

describe('subcharts and dependencies', () => {
  const ws = workspaceWith('shop');
  const shop = loadChart(join(ws, 'charts', 'shop'), ws);
  test('an aliased, vendored subchart maps to its own template', () => {
    expect(resolveSource(shop, 'shop/charts/billing/templates/deployment.yaml', ws)).toEqual({ path: 'charts/shop/charts/payments/templates/deployment.yaml', isTemplate: true });
    expect(resolveSource(shop, 'shop/templates/configmap.yaml', ws)).toEqual({ path: 'charts/shop/templates/configmap.yaml', isTemplate: true });
    expect(resolveSource(shop, '', ws)).toEqual({ path: 'charts/shop/Chart.yaml', isTemplate: false });
  });
  test('a packaged subchart maps to its archive', () => {
    const w = workspaceWith('shop');
    const dir = join(w, 'charts', 'shop');
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: file://../redis\n');
    const c = loadChart(dir, w);
    expect(missingDependencies(c).map((d) => d.name)).toEqual(['redis']);
    writeFileSync(join(dir, 'charts', 'redis-1.0.0.tgz'), 'not really a tarball');
    expect(missingDependencies(c)).toEqual([]);
    expect(resolveSource(c, 'shop/charts/redis/templates/sts.yaml', w)).toEqual({ path: 'charts/shop/charts/redis-1.0.0.tgz', isTemplate: false, inArchive: 'templates/sts.yaml' });
  });
  test('dependencies present as folders count as built', () => {
    expect(missingDependencies(shop)).toEqual([]);
    const w = workspaceWith();
    mkdirSync(join(w, 'x'));
    writeFileSync(join(w, 'x', 'Chart.yaml'), 'apiVersion: v1\nname: x\nversion: 1.0.0\n');
    writeFileSync(join(w, 'x', 'requirements.yaml'), 'dependencies:\n  - name: cache\n    repository: https://charts.example.com\n');
    expect(missingDependencies(loadChart(join(w, 'x'), w))).toEqual([{ name: 'cache', repository: 'https://charts.example.com' }]);
  });
  test('a broken Chart.yaml is a one-line error naming the file', () => {
    const w = workspaceWith();
    mkdirSync(join(w, 'bad'));
    writeFileSync(join(w, 'bad', 'Chart.yaml'), 'name: [\n');
    expect(() => loadChart(join(w, 'bad'), w)).toThrow(/^bad\/Chart\.yaml is not a valid Chart\.yaml: line \d+: /);
  });
});

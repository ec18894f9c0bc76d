import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, inputs, parseDuration } from '@platform-actions/kit';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

let env: ActionEnv;
afterEach(() => env?.restore());

describe('boolean', () => {
  test.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
  ])('%s → %s', (v, want) => {
    env = actionEnv({ flag: v });
    expect(inputs.boolean('flag')).toBe(want);
  });
  test.each(['yes', '1', 'on', 'ture'])('rejects %s with a one-line error naming the input', (v) => {
    env = actionEnv({ flag: v });
    expect(() => inputs.boolean('flag')).toThrow(new InputError('flag', 'must be true or false', v));
    expect(() => inputs.boolean('flag')).toThrow(`input "flag" must be true or false; got "${v}"`);
  });
  test('empty uses the default, and is an error without one', () => {
    env = actionEnv({});
    expect(inputs.boolean('flag', { default: true })).toBe(true);
    expect(() => inputs.boolean('flag')).toThrow('input "flag" is required and was empty');
  });
});

describe('oneOf', () => {
  test('accepts a listed value and rejects others listing the choices', () => {
    env = actionEnv({ mode: 'range', bad: 'fulll' });
    expect(inputs.oneOf('mode', ['range', 'full', 'dir'] as const)).toBe('range');
    expect(() => inputs.oneOf('bad', ['range', 'full', 'dir'] as const)).toThrow('input "bad" must be one of range, full, dir; got "fulll"');
  });
  test('default when empty', () => {
    env = actionEnv({});
    expect(inputs.oneOf('mode', ['a', 'b'] as const, { default: 'b' })).toBe('b');
  });
});

describe('list', () => {
  test('newlines and commas, trimmed, blanks and comments dropped', () => {
    env = actionEnv({ paths: 'a, b\n  c\n\n# note\nd,,' });
    expect(inputs.list('paths')).toEqual(['a', 'b', 'c', 'd']);
  });
  test('newline-only keeps commas inside items', () => {
    env = actionEnv({ paths: 'a,b\nc' });
    expect(inputs.list('paths', { separators: 'newline' })).toEqual(['a,b', 'c']);
  });
  test('required and empty is an error', () => {
    env = actionEnv({ paths: ' \n ' });
    expect(() => inputs.list('paths', { required: true })).toThrow('input "paths" is required');
  });
});

describe('integer', () => {
  test('in range', () => {
    env = actionEnv({ n: '42' });
    expect(inputs.integer('n', { min: 1, max: 100 })).toBe(42);
  });
  test.each(['4.2', 'ten', '0', '101', '1e3'])('rejects %s', (v) => {
    env = actionEnv({ n: v });
    expect(() => inputs.integer('n', { min: 1, max: 100 })).toThrow(`input "n" must be a whole number in 1..100; got "${v}"`);
  });
});

describe('duration', () => {
  test.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['30', 30_000],
  ])('%s = %d ms', (v, ms) => expect(parseDuration(v)).toBe(ms));
  test.each(['5 minutes', 'm5', '-1s', '', '5x'])('%s is not a duration', (v) => expect(parseDuration(v)).toBeUndefined());
  test('input error names the input and the format', () => {
    env = actionEnv({ timeout: 'soon' });
    expect(() => inputs.duration('timeout')).toThrow('input "timeout" must be a duration such as 90s, 5m or 1h30m; got "soon"');
  });
  test('bounds', () => {
    env = actionEnv({ timeout: '2h' });
    expect(() => inputs.duration('timeout', { maxMs: 3_600_000 })).toThrow('input "timeout" must be at most 3600s');
  });
});

describe('path', () => {
  test('resolves inside the workspace and checks existence and kind', () => {
    env = actionEnv({ chart: 'charts/web', file: 'charts/web/Chart.yaml', missing: 'nope', esc: '../../etc/passwd' });
    mkdirSync(join(env.dir, 'charts/web'), { recursive: true });
    writeFileSync(join(env.dir, 'charts/web/Chart.yaml'), 'name: web\n');
    expect(inputs.path('chart', { mustExist: 'dir' })).toBe(join(env.dir, 'charts/web'));
    expect(inputs.path('file', { mustExist: 'file' })).toBe(join(env.dir, 'charts/web/Chart.yaml'));
    expect(() => inputs.path('chart', { mustExist: 'file' })).toThrow('input "chart" must name a file; got "charts/web"');
    expect(() => inputs.path('missing', { mustExist: true })).toThrow('input "missing" must name an existing path; got "nope"');
    expect(() => inputs.path('esc')).toThrow(/input "esc" must be a path inside the workspace/);
    expect(inputs.path('esc', { allowOutsideWorkspace: true })).toBe('/etc/passwd');
  });
});

test('secret is masked the moment it is read', async () => {
  env = actionEnv({ token: 's3cr3t-value' });
  const out = await captureStdout(() => {
    expect(inputs.secret('token')).toBe('s3cr3t-value');
  });
  expect(out).toContain('::add-mask::s3cr3t-value');
});

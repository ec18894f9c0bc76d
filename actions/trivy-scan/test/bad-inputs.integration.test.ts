// Every bad input in bad-inputs.cases.ts fails the step with exactly one line that names the input (or
// file) and what was expected: no stack trace, nothing half-done, outcome set.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cases } from './bad-inputs.cases.js';
import { runMain, trivyToolCache, writeFiles } from './helpers.js';

jest.setTimeout(60_000);
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'trivy-bad-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bad input → one line', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const ws = mkdtempSync(join(tmp, 'ws-'));
    writeFiles(ws, c.files ?? {});
    // A fresh runner per case: its own tool cache, so the default database cache starts empty.
    const r = await runMain(ws, c.inputs, { toolCache: trivyToolCache(mkdtempSync(join(tmp, 'runner-'))) });
    expect(r.failed).toBe(true);
    expect(r.outputs.outcome).toBe(c.outcome ?? 'config-error');
    expect(readdirSync(ws).sort()).toEqual(
      Object.keys(c.files ?? {})
        .map((f) => f.split('/')[0])
        .sort(),
    );
    const errors = r.log.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^trivy-scan: /);
    expect(errors[0].message).toMatch(c.expect);
    expect(errors[0].message).not.toMatch(/\n|\s+at \S+:\d+|internal error/);
    expect(r.stdout).not.toMatch(/^\s+at .*\.(ts|js):\d+/m);
  });
});

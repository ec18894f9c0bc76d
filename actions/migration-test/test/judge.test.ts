// judgeStep, the one verdict every tool and mode uses, as a table: snapshots in, statuses and rules out.
import { describe, expect, test } from '@jest/globals';
import { explainReupFailure, judgeDown, judgeStep, remember, splitMoves } from '../src/judge.js';
import type { Problem } from '../src/execute.js';

// Snapshot lines as the catalog query writes them.
const T = 'relation public.t kind=r persistence=p';
const A1 = 'column public.t.a #1 integer';
const B2 = 'column public.t.b #2 integer';
const C3 = 'column public.t.c #3 integer';
const B3 = 'column public.t.b #3 integer';
const C2 = 'column public.t.c #2 integer';
const IX = 'index public.ix_t CREATE INDEX ix_t ON public.t USING btree (a)';
const SEQ = 'sequence public.s bigint start=1 increment=1 min=1 max=9223372036854775807 cache=1';
const ENUM1 = "type public.e enum ('a')";
const ENUM2 = "type public.e enum ('a', 'b')";

const base = [T, A1, B2, C3];

describe('judgeStep', () => {
  test.each([
    // name, S0, S1, S2, S3, column order → down, reup, rules
    ['a clean round trip', base, [...base, IX], base, [...base, IX], 'separate', 'ok', 'ok', []],
    ['an index left behind', base, [...base, IX], [...base, IX], [...base, IX], 'separate', 'unchanged', 'ok', ['empty-downgrade']],
    ['a sequence left behind while the rest was undone', base, [...base, IX, SEQ], [...base, SEQ], [...base, IX, SEQ], 'separate', 'trace', 'ok', ['downgrade-left-trace']],
    ['an object lost by the downgrade', [...base, IX], [...base, IX, SEQ], base, [...base, SEQ], 'separate', 'trace', 'mismatch', ['downgrade-left-trace', 'reup-mismatch']],
    ['a moved column, separate', [T, A1, B2, C3], [T, A1, C2], [T, A1, C2, B3], [T, A1, C2], 'separate', 'moved', 'ok', ['column-moved']],
    ['a moved column, strict', [T, A1, B2, C3], [T, A1, C2], [T, A1, C2, B3], [T, A1, C2], 'strict', 'trace', 'ok', ['downgrade-left-trace']],
    ['a re-upgrade that moves a column, separate', base, [...base, IX], base, [T, A1, C2, B3, IX], 'separate', 'ok', 'moved', ['column-moved']],
    ['an enum value that cannot be dropped', [ENUM1], [ENUM2], [ENUM2], [ENUM2], 'separate', 'unchanged', 'ok', ['empty-downgrade']],
    ['a migration that changes no schema (data only)', base, base, base, base, 'separate', 'ok', 'ok', []],
  ] as const)('%s', (_name, s0, s1, s2, s3, order, down, reup, rules) => {
    const v = judgeStep({ revision: '0002', before: s0, after: s1, down: s2, reup: s3, columnOrder: order });
    expect([v.down, v.reup, v.problems.map((p) => p.rule)]).toEqual([down, reup, rules]);
  });

  test('a moved column seen after the downgrade and again after the re-upgrade is one finding', () => {
    const v = judgeStep({ revision: '0002', before: [T, A1, B2, C3], after: [T, A1, B2, C3, IX], down: [T, A1, C2, B3], reup: [T, A1, C2, B3, IX], columnOrder: 'separate' });
    expect(v.problems.map((p) => [p.rule, p.phase])).toEqual([['column-moved', 'down']]);
    expect(v.reup).toBe('moved');
  });

  test('without S3 (the re-upgrade failed) only the downgrade is judged', () => {
    const v = judgeStep({ revision: '0002', before: base, after: [...base, IX], down: [...base, IX], columnOrder: 'separate' });
    expect([v.down, v.reup]).toEqual(['unchanged', undefined]);
  });

  test('the enum hint', () => {
    const v = judgeStep({ revision: '0002', before: [ENUM1, T], after: [ENUM2, T, A1], down: [ENUM2, T], columnOrder: 'separate' });
    expect(v.problems[0].message).toMatch(/^downgrade of 0002 did not restore the schema: changed type public\.e\. Enum public\.e kept a value/);
  });
});

describe('multi-step attribution', () => {
  test('what a newer revision left behind is not blamed on an older one', () => {
    // 0003 left SEQ; below it, 0002 is undone cleanly: its S2 still holds SEQ, known from 0003.
    const newer = judgeDown({ revision: '0003', before: [...base, IX], after: [...base, IX, SEQ, 'x'], down: [...base, IX, SEQ], columnOrder: 'separate' });
    expect(newer.status).toBe('trace');
    const known = remember({ extra: [], missing: [] }, newer.diff);
    const older = judgeDown({ revision: '0002', before: base, after: [...base, IX], preDown: [...base, IX, SEQ], down: [...base, SEQ], columnOrder: 'separate', known });
    expect(older).toMatchObject({ status: 'ok', problems: [] });
    // Without the memory, the same leftover would be blamed again.
    expect(judgeDown({ revision: '0002', before: base, after: [...base, IX], preDown: [...base, IX, SEQ], down: [...base, SEQ], columnOrder: 'separate' }).status).toBe('trace');
  });

  test('an older revision with its own leftover is blamed for that one only', () => {
    const known = { extra: [SEQ], missing: [] };
    const v = judgeDown({ revision: '0002', before: base, after: [...base, IX], preDown: [...base, IX, SEQ], down: [...base, IX, SEQ], columnOrder: 'separate', known });
    expect(v.status).toBe('unchanged');
    expect(v.problems[0].diff).not.toContain('sequence');
  });
});

test('splitMoves pairs only lines that differ in position alone', () => {
  const typeChanged = 'column public.t.b #3 bigint';
  expect(splitMoves({ missing: [B2, C3], extra: [C2, B3] }).rest).toEqual({ missing: [], extra: [] });
  expect(splitMoves({ missing: [B2], extra: [typeChanged] })).toEqual({ moved: { missing: [], extra: [] }, rest: { missing: [B2], extra: [typeChanged] } });
});

test('explainReupFailure: the leftover is the cause, told in its finding; without one the failure stands alone', () => {
  const failure: Problem = {
    rule: 'reup-failed',
    revision: '0002',
    phase: 're-up',
    message: 're-upgrade to 0002 failed: DuplicateTable: relation "ix_t" already exists',
    output: 'out',
  };
  const trace: Problem = { rule: 'downgrade-left-trace', revision: '0002', phase: 'down', message: 'downgrade of 0002 did not restore the schema: left behind index ix_t.' };
  expect(explainReupFailure([trace], { ...failure })).toEqual([]);
  expect(trace.message).toBe(
    'downgrade of 0002 did not restore the schema: left behind index ix_t. That is why the re-upgrade failed: DuplicateTable: relation "ix_t" already exists',
  );
  expect(explainReupFailure([], failure)).toEqual([failure]);
});

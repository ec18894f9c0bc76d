// pool(): bounded concurrency, results in input order.
import { expect, test } from '@jest/globals';
import { pool } from '@platform-actions/kit';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('at most n jobs run at once; results keep the input order', async () => {
  let running = 0;
  let peak = 0;
  const job = (i: number, ms: number) => async () => {
    running++;
    peak = Math.max(peak, running);
    await tick(ms);
    running--;
    return `r${i}`;
  };
  const out = await pool(2, [job(0, 40), job(1, 5), job(2, 5), job(3, 5)]);
  expect(out).toEqual(['r0', 'r1', 'r2', 'r3']);
  expect(peak).toBe(2);
});

test('n = 1 runs one after another; no jobs is no work', async () => {
  const order: string[] = [];
  const job = (i: number) => async () => {
    order.push(`start ${i}`);
    await tick(1);
    order.push(`end ${i}`);
  };
  await pool(1, [job(0), job(1)]);
  expect(order).toEqual(['start 0', 'end 0', 'start 1', 'end 1']);
  expect(await pool(3, [])).toEqual([]);
});

test('a rejected job rejects the pool', async () => {
  await expect(pool(2, [async () => 1, async () => Promise.reject(new Error('boom'))])).rejects.toThrow('boom');
});

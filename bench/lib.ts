// Small helpers for side-by-side benchmarks: alternate the contenders so drift hits both equally,
// report medians, and print the ratio against the target.
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface Contender {
  name: string;
  run: () => Promise<number> | number;
}

/** Runs the contenders alternately `rounds` times after `warmup` rounds; returns each one's median ms. */
export async function sideBySide(contenders: Contender[], rounds = 9, warmup = 1): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let i = 0; i < warmup + rounds; i++) {
    for (const c of contenders) {
      const ms = await c.run();
      if (i >= warmup) times[c.name].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

export function report(title: string, ours: { name: string; ms: number }, peer: { name: string; ms: number }, target: number): boolean {
  const ratio = ours.ms / peer.ms;
  const ok = ratio <= target;
  console.log(
    `${title}: ${ours.name} ${ours.ms.toFixed(1)} ms vs ${peer.name} ${peer.ms.toFixed(1)} ms → ratio ${ratio.toFixed(2)}x (target ≤ ${target}x) ${ok ? 'OK' : 'OVER TARGET'}`,
  );
  return ok;
}

// Bounded concurrency for independent jobs (tool runs that may overlap).

/** Runs `jobs` with at most `n` in flight; results keep the input order. A rejection rejects the whole pool. */
export async function pool<T>(n: number, jobs: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, worker));
  return out;
}

// Loopback networking helpers for harness services.
// freePort is the services package's (one implementation for the CLI's servers and the harness's).
export { freePort } from '@platform-actions/services';

/** Poll `check` until it resolves true or `timeoutMs` passes. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`test harness: ${what} not ready after ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

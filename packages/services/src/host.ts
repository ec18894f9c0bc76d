// What every throwaway server needs from the host: its binaries on PATH, a free loopback port, and a stop
// that runs however the process ends.
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A server could not be found or started: one line saying which and what to do. */
export class ServiceError extends Error {}

/** Absolute path of `bin` on PATH, or undefined. */
export function onPath(bin: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; there is a small race until the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Runs `stopSync` when the process exits, and — with `exitOnSignal` (a CLI run) — on Ctrl-C or SIGTERM too,
 * then exits as that signal would: a server must never outlive the process that started it. Returns the
 * function that removes the hooks again (call it once the server was stopped normally).
 */
export function stopWithProcess(stopSync: () => void, exitOnSignal: boolean): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    stopSync();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', stopSync);
  if (exitOnSignal) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return () => {
    process.removeListener('exit', stopSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}

/** Tries `start` on free ports until one binds (another process can take a probed port first); bounded. */
export async function onFreePort<T>(start: (port: number) => Promise<T>, isBindError: (e: unknown) => boolean, fixed?: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const port = fixed ?? (await freePort());
    try {
      return await start(port);
    } catch (e) {
      if (fixed !== undefined || attempt >= 2 || !isBindError(e)) throw e;
    }
  }
}

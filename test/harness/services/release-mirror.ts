// A loopback HTTP server shaped like a GitHub release download host, with per-path fault injection,
// so installer code (download, retry, checksum verification, unpack) is tested against real sockets.
//   const mirror = await startReleaseMirror({ files: releaseAssets({ version: '1.2.3' }) });
//   mirror.inject('/acme/mytool/releases/download/v1.2.3/checksums.txt', [429, 429]); // then served normally
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

/**
 * One injected response. A bare number is a status fault (`429` ≙ `{ status: 429 }`).
 * - status: reply with that status and a short text body (`retryAfter` sets the Retry-After header).
 * - slow: wait `delayMs` before sending the (normal) response.
 * - truncate: announce the full Content-Length, send only `bytes` (default half), then destroy the socket.
 * - corrupt: full length, but some bytes flipped (checksums no longer match).
 * - ok: serve normally (useful in the middle of a queue).
 */
type Fault = number | { status: number; retryAfter?: number | string; body?: string } | { slow: number } | { truncate: true; bytes?: number } | { corrupt: true } | 'ok';

interface MirrorRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** ms since epoch when the request arrived (tests check back-off gaps, e.g. Retry-After). */
  time: number;
  status: number;
  fault?: Fault;
}

export interface ReleaseMirror {
  baseUrl: string;
  /** Serve `body` at `path` (leading slash, e.g. /acme/mytool/releases/download/v1.0.0/x.tar.gz). */
  addFile(path: string, body: Buffer | string): void;
  /** Queue faults for `path`: each request consumes one; when the queue is empty the file is served. */
  inject(path: string, faults: Fault[]): void;
  requests: MirrorRequest[];
  stop(): Promise<void>;
}

export async function startReleaseMirror(opts: { files?: Record<string, Buffer | string> } = {}): Promise<ReleaseMirror> {
  const files = new Map<string, Buffer>();
  const faults = new Map<string, Fault[]>();
  const requests: MirrorRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const addFile = (path: string, body: Buffer | string): void => void files.set(path, Buffer.from(body));
  for (const [p, b] of Object.entries(opts.files ?? {})) addFile(p, b);

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const fault = faults.get(path)?.shift();
    const rec: MirrorRequest = { method: req.method ?? 'GET', path, headers: req.headers, time: Date.now(), status: 200, fault };
    requests.push(rec);
    const body = files.get(path);

    const serve = (): void => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void send(405, 'method not allowed');
      if (!body) return void send(404, 'Not Found');
      const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length };
      rec.status = 200;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return void res.end();
      if (typeof fault === 'object' && 'truncate' in fault) {
        // The client was promised body.length bytes; it gets fewer and then a dead socket.
        const n = Math.min(fault.bytes ?? Math.floor(body.length / 2), body.length - 1);
        res.flushHeaders();
        res.write(body.subarray(0, n), () => res.socket?.destroy());
        return;
      }
      if (typeof fault === 'object' && 'corrupt' in fault) return void res.end(corrupt(body));
      res.end(body);
    };
    const send = (status: number, text: string, extra: Record<string, string> = {}): void => {
      rec.status = status;
      res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text), ...extra });
      res.end(req.method === 'HEAD' ? undefined : text);
    };

    const f = typeof fault === 'number' ? { status: fault } : fault;
    if (f && typeof f === 'object' && 'status' in f) {
      const extra: Record<string, string> = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
      return send(f.status, f.body ?? `injected ${f.status}`, extra);
    }
    if (f && typeof f === 'object' && 'slow' in f) {
      const t = setTimeout(() => (timers.delete(t), serve()), f.slow);
      timers.add(t);
      return;
    }
    serve();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    addFile,
    inject: (path, list) => void faults.set(path, [...(faults.get(path) ?? []), ...list]),
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Same length, a few bytes inverted (first, middle, last), so any checksum or unpack check fails. */
function corrupt(body: Buffer): Buffer {
  const out = Buffer.from(body);
  for (const i of new Set([0, Math.floor(out.length / 2), out.length - 1])) if (i >= 0 && i < out.length) out[i] ^= 0xff;
  return out;
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * Release assets for a tiny tool: `<name>_<v>_linux_amd64.tar.gz` and `.zip`, each holding an executable
 * shell script `<name>` that prints `<name> <v>`, plus `checksums.txt` (`<sha256>  <file>` lines).
 * Keys are URL paths under /<owner>/<repo>/releases/download/v<version>/.
 */
export function releaseAssets(o: { owner?: string; repo?: string; name?: string; version: string }): Record<string, Buffer> {
  const { owner = 'acme', repo = 'mytool', name = 'mytool', version } = o;
  const script = Buffer.from(`#!/bin/sh\necho "${name} ${version}"\n`);
  const base = `${name}_${version}_linux_amd64`;
  const assets: Record<string, Buffer> = {
    [`${base}.tar.gz`]: gzipSync(tar([{ name, mode: 0o755, body: script }])),
    [`${base}.zip`]: zip([{ name, mode: 0o755, body: script }]),
  };
  const sums = Object.entries(assets)
    .map(([f, b]) => `${sha256(b)}  ${f}\n`)
    .join('');
  assets['checksums.txt'] = Buffer.from(sums);
  const prefix = `/${owner}/${repo}/releases/download/v${version}/`;
  return Object.fromEntries(Object.entries(assets).map(([f, b]) => [prefix + f, b]));
}

interface Entry {
  name: string;
  mode: number;
  body: Buffer;
}

/** A minimal ustar archive (regular files only). */
function tar(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const put = (s: string, off: number, len: number): void => void h.write(s, off, len, 'ascii');
    const oct = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0') + '\0';
    put(e.name, 0, 100);
    put(oct(e.mode, 8), 100, 8);
    put(oct(0, 8), 108, 8); // uid
    put(oct(0, 8), 116, 8); // gid
    put(oct(e.body.length, 12), 124, 12);
    put(oct(Math.floor(Date.now() / 1000), 12), 136, 12);
    put('        ', 148, 8); // checksum is computed with this field as spaces
    put('0', 156, 1); // regular file
    put('ustar\0' + '00', 257, 8);
    let sum = 0;
    for (const b of h) sum += b;
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
    blocks.push(h, e.body, Buffer.alloc((512 - (e.body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

/** A minimal zip (deflated entries, Unix mode bits kept so unzip restores the executable bit). */
function zip(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = deflateRawSync(e.body);
    const crc = crc32(e.body);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.body.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so external attrs carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(e.body.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// A tap in front of the real lock stores (moto): every request passes through to moto unchanged, Host
// header included, and is recorded as it arrived (method, Host, raw path, DynamoDB operation), so a test
// can compare what the store received with what the action printed. A test can also make the store
// behave as some do: answer without an ETag, or act just before a request is forwarded (another client
// changing the lock mid-release, a permission the role lacks).
import { request, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  host: string;
  /** The request target exactly as sent (still percent-encoded). */
  path: string;
  /** x-amz-target's operation for DynamoDB (GetItem, DeleteItem), else undefined. */
  op?: string;
}

export interface Tap {
  endpoint: string;
  port: number;
  seen: Seen[];
  /** Drop the ETag header from S3 responses (a store that does not send one). */
  stripEtag: boolean;
  /** Runs before a request is forwarded; a returned response is sent instead of moto's. */
  before?: (s: Seen) => Promise<{ status: number; body: string; type?: string } | void>;
  close(): Promise<void>;
}

export async function startTap(upstream: string): Promise<Tap> {
  const up = new URL(upstream);
  const tap: Tap = { endpoint: '', port: 0, seen: [], stripEtag: false, close: async () => undefined };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const s: Seen = { method: req.method ?? '', host: req.headers.host ?? '', path: req.url ?? '', op: typeof target === 'string' ? target.split('.').pop() : undefined };
      tap.seen.push(s);
      void (async () => {
        const instead = await tap.before?.(s);
        if (instead) {
          res.writeHead(instead.status, { 'content-type': instead.type ?? 'application/x-amz-json-1.0' });
          res.end(instead.body);
          return;
        }
        const fwd = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
          const headers = { ...r.headers };
          if (tap.stripEtag) delete headers.etag;
          res.writeHead(r.statusCode ?? 502, headers);
          r.pipe(res);
        });
        fwd.on('error', (e) => {
          res.writeHead(502);
          res.end(String(e));
        });
        fwd.end(Buffer.concat(chunks));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  tap.port = (server.address() as AddressInfo).port;
  tap.endpoint = `http://127.0.0.1:${tap.port}`;
  tap.close = () => new Promise<void>((r) => server.close(() => r()));
  return tap;
}

/** s3://bucket/key of a recorded S3 request, read back from what the store received (path-style or virtual-hosted). */
export function receivedLocation(s: Seen, endpointHost: string): string {
  const segs = s.path.split('?')[0].slice(1).split('/').map(decodeURIComponent);
  if (s.host === endpointHost) return `s3://${segs[0]}/${segs.slice(1).join('/')}`;
  if (!s.host.endsWith(`.${endpointHost}`)) throw new Error(`request to an unexpected host ${s.host}`);
  return `s3://${s.host.slice(0, -endpointHost.length - 1)}/${segs.join('/')}`;
}

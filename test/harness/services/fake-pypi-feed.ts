// A FAKE of PyPI's vulnerability feed, the JSON API pip-audit reads by default
// (GET https://pypi.org/pypi/<name>/<version>/json, its "vulnerabilities" list). pypi.org's JSON API cannot
// be reached from here (only the package index is), and a live feed would change the tests' results from one
// day to the next. pip-audit has no option for another URL, so the fake is an HTTPS proxy: the run's
// HTTPS_PROXY points at it, it answers CONNECT pypi.org:443 itself with a certificate of its own throwaway CA
// (REQUESTS_CA_BUNDLE), and refuses every other host — nothing leaves the machine.
//   const feed = await startFakePypiFeed({ flask: { '3.1.3': [{ id: 'PYSEC-2099-1', fixed_in: ['3.1.4'], ... }] } });
//   env: feed.env   // HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One entry of the feed, in the shape of PyPI's JSON API (`vulnerabilities[]`). */
interface PypiVulnerability {
  id: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  fixed_in: string[];
  link?: string;
  withdrawn?: string | null;
}
/** Vulnerabilities by normalised project name, then version. */
export type Advisories = Record<string, Record<string, PypiVulnerability[]>>;

export interface FakePypiFeed {
  /** What the run's environment needs to reach the fake (and nothing else) over HTTPS. */
  env: Record<string, string>;
  /** Every "name==version" asked for, in order. */
  queries: string[];
  stop(): Promise<void>;
}

/** A throwaway CA and a pypi.org certificate it signed (openssl; nothing reused across runs). */
function certificates(dir: string): { ca: string; key: Buffer; cert: Buffer } {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=FAKE PyPI feed test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=pypi.org', '-keyout', 'leaf.key', '-out', 'leaf.csr');
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=DNS:pypi.org\nbasicConstraints=CA:FALSE\n');
  ssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'leaf.ext', '-out', 'leaf.pem');
  return { ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.pem')) };
}

const normalise = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

export async function startFakePypiFeed(advisories: Advisories = {}): Promise<FakePypiFeed> {
  const dir = mkdtempSync(join(tmpdir(), 'pa-pypi-feed-'));
  const { ca, key, cert } = certificates(dir);
  const queries: string[] = [];
  const feed = Object.fromEntries(Object.entries(advisories).map(([k, v]) => [normalise(k), v]));

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const [name, version] = [normalise(decodeURIComponent(m[1])), decodeURIComponent(m[2])];
    queries.push(`${name}==${version}`);
    const vulnerabilities = (feed[name]?.[version] ?? []).map((v) => ({
      aliases: [],
      details: v.summary ?? '',
      link: `https://osv.dev/vulnerability/${v.id}`,
      withdrawn: null,
      ...v,
    }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ info: { name, version }, urls: [], vulnerabilities }));
  };
  const tls = createHttpsServer({ key, cert }, answer);
  const proxy: Server = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (req.url !== 'pypi.org:443') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    tls.emit('connection', socket);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    env: { HTTPS_PROXY: url, https_proxy: url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', REQUESTS_CA_BUNDLE: ca },
    queries,
    stop: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      tls.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A real OCI registry (CNCF distribution, provisioned by provision/registry.sh) on loopback, plus
// what trivy tests need around it:
//   const reg = await startRegistry();
//   await pushDb(reg, 'trivy-db');               // the offline DB, as trivy pulls `<host>/trivy-db:2`
//   const proxy = await startRateLimitProxy(reg, ['trivy-db-limited']); // 429 TOOMANYREQUESTS there
// trivy talks plain HTTP to 127.0.0.1:<port> by itself (go-containerregistry treats loopback hosts as
// insecure), so no --insecure is needed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../net.js';
import { toolBin } from '../tools.js';
import { trivyDb } from '../trivy-db.js';

export interface Registry {
  /** host:port, as used in image references (e.g. `${host}/trivy-db:2`). */
  host: string;
  /** http://host:port */
  url: string;
  stop(): Promise<void>;
}

/** Start the registry on a free loopback port with in-memory storage (gone when it stops). */
export async function startRegistry(): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: warn, accesslog: { disabled: true } }',
      'storage: { inmemory: {}, delete: { enabled: true } }',
      // A set secret only silences the "generated random secret" warning (one instance, no load balancer).
      `http: { addr: "127.0.0.1:${port}", secret: "${randomBytes(16).toString('hex')}" }`,
      '',
    ].join('\n'),
  );
  // No tracing export: distribution's OpenTelemetry autoexport would otherwise try an OTLP endpoint.
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'none' };
  const child = spawn(toolBin('registry'), ['serve', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('registry', async () => {
      if (child.exitCode !== null) throw new Error(`registry exited ${child.exitCode}: ${stderr}`);
      return (await fetch(`${url}/v2/`)).status === 200;
    });
  } catch (e) {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** Upload one blob (OCI distribution API: POST an upload session, then PUT the bytes with ?digest=). */
async function pushBlob(reg: Pick<Registry, 'url'>, repo: string, body: Buffer, mediaType: string): Promise<Descriptor> {
  const digest = sha256(body);
  const start = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`registry: start upload to ${repo}: HTTP ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location') ?? '', reg.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
    body,
  });
  if (put.status !== 201) throw new Error(`registry: upload ${digest} to ${repo}: HTTP ${put.status} ${await put.text()}`);
  return { mediaType, digest, size: body.length };
}

/**
 * Push a single-file OCI artifact the way `oras push --artifact-type T file:layerType` does:
 * an OCI image manifest with artifactType, the empty config and one layer titled with the file name.
 * Returns the manifest digest.
 */
async function pushArtifact(
  reg: Pick<Registry, 'url'>,
  ref: { repo: string; tag: string },
  artifact: { artifactType: string; fileName: string; layerMediaType: string; content: Buffer },
): Promise<string> {
  const config = await pushBlob(reg, ref.repo, Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
  const layer = await pushBlob(reg, ref.repo, artifact.content, artifact.layerMediaType);
  layer.annotations = { 'org.opencontainers.image.title': artifact.fileName };
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      artifactType: artifact.artifactType,
      config,
      layers: [layer],
      annotations: { 'org.opencontainers.image.created': new Date().toISOString() },
    }),
  );
  const res = await fetch(`${reg.url}/v2/${ref.repo}/manifests/${ref.tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType },
    body: manifest,
  });
  if (res.status !== 201) throw new Error(`registry: put manifest ${ref.repo}:${ref.tag}: HTTP ${res.status} ${await res.text()}`);
  return sha256(manifest);
}

/** Media types of trivy's vulnerability DB artifact (trivy pkg/db; the real ghcr.io/aquasecurity/trivy-db:2). */
const TRIVY_DB_ARTIFACT = {
  artifactType: 'application/vnd.aquasec.trivy.config.v1+json',
  layerMediaType: 'application/vnd.aquasec.trivy.db.layer.v1.tar+gzip',
  // trivy names the downloaded file after the title annotation and unpacks it by its extension.
  fileName: 'db.tar.gz',
} as const;

/** Push the harness's offline trivy DB as `<repo>:<tag>` (trivy's schema-2 tag is "2"). */
export async function pushDb(reg: Pick<Registry, 'url'>, repo = 'trivy-db', tag = '2'): Promise<string> {
  const content = await readFile(trivyDb().archive);
  return pushArtifact(reg, { repo, tag }, { ...TRIVY_DB_ARTIFACT, content });
}

/** Push an image built by trivy/oci-image.ts as `<repo>:<tag>`; returns the manifest digest. */
export async function pushImage(reg: Pick<Registry, 'url'>, ref: { repo: string; tag: string }, image: { manifest: Buffer; config: Buffer; layer: Buffer }): Promise<string> {
  await pushBlob(reg, ref.repo, image.config, 'application/vnd.oci.image.config.v1+json');
  await pushBlob(reg, ref.repo, image.layer, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const res = await fetch(`${reg.url}/v2/${ref.repo}/manifests/${ref.tag}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: image.manifest });
  if (res.status !== 201) throw new Error(`registry: put manifest ${ref.repo}:${ref.tag}: HTTP ${res.status} ${await res.text()}`);
  return sha256(image.manifest);
}

export interface RateLimitProxy {
  host: string;
  url: string;
  /** Requests answered 429, by path. */
  limited: string[];
  /** Requests forwarded to the registry, by path. */
  forwarded: string[];
  /** Response body bytes the registry sent through this proxy, by path prefix `/v2/<repo>/`: what a client downloaded. */
  bytesServed(repoPrefix?: string): number;
  stop(): Promise<void>;
}

/**
 * A loopback proxy in front of `reg` that answers every request under /v2/<repo>/ for the given
 * repositories with 429 TOOMANYREQUESTS (body shaped like ghcr's) and forwards everything else,
 * counting the bytes it passes back (with no limited repositories it is a byte-counting proxy).
 */
export async function startRateLimitProxy(reg: Pick<Registry, 'url'>, limitedRepos: string[]): Promise<RateLimitProxy> {
  const upstream = new URL(reg.url);
  const limited: string[] = [];
  const forwarded: string[] = [];
  const served: Array<{ path: string; bytes: number }> = [];
  const isLimited = (path: string): boolean => limitedRepos.some((r) => path.startsWith(`/v2/${r}/`));

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (isLimited(path)) {
      limited.push(path);
      const body = JSON.stringify({
        errors: [{ code: 'TOOMANYREQUESTS', message: 'retry-after: 0.5, allowed: 44000/minute' }],
      });
      res.writeHead(429, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    forwarded.push(path);
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers }, // Host kept: the registry's URLs point back here
      (up: IncomingMessage) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        const entry = { path, bytes: 0 };
        served.push(entry);
        up.on('data', (chunk: Buffer) => void (entry.bytes += chunk.length));
        up.pipe(res);
      },
    );
    out.on('error', (e) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(String(e));
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    limited,
    forwarded,
    bytesServed: (prefix = '/v2/') => served.filter((s) => s.path.startsWith(prefix)).reduce((n, s) => n + s.bytes, 0),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

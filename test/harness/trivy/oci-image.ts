// A container image built in Node, no Docker: a one-layer OCI image layout (oci-layout, index.json,
// blobs/sha256/…) from a folder, byte-for-byte deterministic (sorted entries, zero mtimes, root owner),
// and the same image as a `docker save` tarball. Pushed to the harness registry with pushImage().
//   const img = await buildOciLayout(rootfsDir, join(tmp, 'layout'), 'demo:1');
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar header block. */
function header(name: string, size: number, type: '0' | '5', mode: number): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) throw new Error(`oci-image: path too long for this tar writer: ${name}`);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148); // checksum field counts as spaces while summing
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write('root', 265);
  h.write('root', 297);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

/** A tar of everything under `dir` (paths relative to it, sorted), as a container layer. */
function tarDir(dir: string): Buffer {
  const parts: Buffer[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p).split('\\').join('/');
      const st = statSync(p);
      if (st.isDirectory()) {
        parts.push(header(`${rel}/`, 0, '5', 0o755));
        walk(p);
      } else {
        const body = readFileSync(p);
        parts.push(header(rel, body.length, '0', 0o644), body, Buffer.alloc((512 - (body.length % 512)) % 512));
      }
    }
  };
  walk(dir);
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface OciImage {
  /** The layout folder (what `trivy image --input <dir>` takes). */
  dir: string;
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  layer: Buffer;
}

const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** Writes a one-layer linux/amd64 OCI image layout of `rootfs` into `out`, tagged `ref` in index.json. */
export function buildOciLayout(rootfs: string, out: string, ref = 'latest'): OciImage {
  const tar = tarDir(rootfs);
  const layer = gzipSync(tar, { level: 9 });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(tar)}`] },
      history: [{ created: '2026-01-01T00:00:00Z', created_by: 'test harness: buildOciLayout' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: `sha256:${sha(config)}`, size: config.length },
      layers: [{ mediaType: MEDIA.layer, digest: `sha256:${sha(layer)}`, size: layer.length }],
    }),
  );
  const blobs = join(out, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  for (const b of [layer, config, manifest]) writeFileSync(join(blobs, sha(b)), b);
  writeFileSync(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(out, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [{ mediaType: MEDIA.manifest, digest: `sha256:${sha(manifest)}`, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': ref } }],
    }),
  );
  return { dir: out, manifest, manifestDigest: `sha256:${sha(manifest)}`, config, layer };
}

/**
 * The image as a `docker save` archive, the way Docker 25+ writes one: the OCI layout plus the
 * manifest.json that docker-archive readers (trivy --input among them) look for.
 */
export function dockerArchive(image: OciImage, outFile: string, repoTag = 'web:1.4.2'): string {
  const config = JSON.parse(image.manifest.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const blob = (d: string): string => `blobs/sha256/${d.replace(/^sha256:/, '')}`;
  writeFileSync(join(image.dir, 'manifest.json'), JSON.stringify([{ Config: blob(config.config.digest), RepoTags: [repoTag], Layers: config.layers.map((l) => blob(l.digest)) }]));
  try {
    writeFileSync(outFile, tarDir(image.dir));
  } finally {
    rmSync(join(image.dir, 'manifest.json'));
  }
  return outFile;
}

// FAKE docker/build-push-action (no Docker engine here). It checks the Dockerfile exists, records the build's
// inputs as one JSON line in $FAKE_INBOX/builds.jsonl, and:
// - for `outputs: type=oci,dest=<dir>,tar=false` writes a one-layer OCI image layout of the build context
//   (its files under /app; no base image) with the harness's buildOciLayout, for the real trivy-scan to read;
// - for `push: true` records each tag with the digest in $FAKE_INBOX/registry.jsonl (the registry push stub).
// Outputs digest, imageid and metadata as the real action does.
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;
const input = (name) => (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
const list = (s) =>
  s
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);
const inbox = env.FAKE_INBOX;
if (!inbox) throw new Error('FAKE build-push: FAKE_INBOX is not set');

const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
const context = resolve(workspace, input('context') || '.');
const file = input('file') ? resolve(workspace, input('file')) : join(context, 'Dockerfile');
if (!existsSync(file)) {
  console.log(`::error::FAKE build-push: no Dockerfile at ${file}`);
  process.exit(1);
}
const build = {
  context: input('context') || '.',
  file: input('file'),
  platforms: list(input('platforms')),
  push: input('push') === 'true',
  tags: list(input('tags')),
  labels: list(input('labels')),
  buildArgs: list(input('build-args')),
  outputs: input('outputs'),
  cacheFrom: input('cache-from'),
  cacheTo: input('cache-to'),
};
appendFileSync(join(inbox, 'builds.jsonl'), JSON.stringify(build) + '\n');

// The image: the context's files under /app (no base image can be pulled here), as an OCI layout.
const { buildOciLayout } = await import(pathToFileURL(join(env.FAKE_HARNESS, 'trivy', 'oci-image.ts')).href);
const rootfs = mkdtempSync(join(tmpdir(), 'fake-build-'));
cpSync(context, join(rootfs, 'app'), { recursive: true, filter: (src) => !/(^|\/)(\.git|node_modules)(\/|$)/.test(src.slice(context.length)) });
const oci = /(?:^|,)type=oci(?:,|$)/.test(build.outputs) ? /dest=([^,]+)/.exec(build.outputs)?.[1] : undefined;
const layout = oci ? resolve(workspace, oci) : mkdtempSync(join(tmpdir(), 'fake-layout-'));
const image = buildOciLayout(rootfs, layout, build.tags[0] ?? 'latest');
rmSync(rootfs, { recursive: true, force: true });
if (!oci) rmSync(layout, { recursive: true, force: true });

if (build.push)
  for (const ref of build.tags) appendFileSync(join(inbox, 'registry.jsonl'), JSON.stringify({ ref, digest: image.manifestDigest, platforms: build.platforms }) + '\n');
const out = (name, value) => appendFileSync(env.GITHUB_OUTPUT, `${name}<<FAKE_EOF\n${value}\nFAKE_EOF\n`);
out('digest', image.manifestDigest);
out('imageid', JSON.parse(image.manifest.toString()).config.digest);
out('metadata', JSON.stringify({ 'containerimage.digest': image.manifestDigest, 'image.name': build.tags.join(',') }));
console.log(`FAKE build-push: ${build.tags.join(', ')} [${build.platforms.join(', ')}]${oci ? ` -> OCI layout ${oci}` : ''}${build.push ? ' pushed (stub)' : ''}`);

// Regenerates actions/helm-validate/schemas/kubernetes.json.gz from the upstream OpenAPI description.
//
//   npx tsx actions/helm-validate/scripts/gen-schemas.ts                 # the pinned releases below
//   npx tsx actions/helm-validate/scripts/gen-schemas.ts 1.35.4 1.36.3   # other releases
//   SWAGGER_DIR=/path npx tsx …/gen-schemas.ts                           # <dir>/<version>/swagger.json instead of Go
//
// Each Kubernetes release carries its OpenAPI v2 description in the k8s.io/kubernetes Go module at
// api/openapi-spec/swagger.json; `go mod download -json k8s.io/kubernetes@v<version>` puts the module in
// the Go module cache (through GOPROXY), so no GitHub access is needed. The script keeps what validation
// needs (types, properties, required, strictness, items, maps, enums, group/version/kind, upstream
// deprecation notes), shares identical types between versions, and writes one JSON file with one type
// per line, so a regeneration shows up as a readable diff (about 200 KiB for four versions).
// To move the window to a new Kubernetes minor: add its newest patch release to PINNED, drop the oldest,
// run this script, and commit the regenerated file (the action's README lists the shipped versions).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackedSchemas } from '../src/schema/model.js';
import { packVersions, type Swagger, type VersionInput } from '../src/schema/pack.js';

/** The four newest Kubernetes minors, newest patch of each, at the time of the last regeneration. */
export const PINNED = ['1.34.4', '1.35.4', '1.36.3', '1.37.2'];

const here = dirname(fileURLToPath(import.meta.url));
export const OUTPUT = join(here, '..', 'schemas', 'kubernetes.json');

/** Path of swagger.json for a release: from SWAGGER_DIR, else from the Go module cache (downloading if needed). */
function swaggerPath(version: string): string {
  if (process.env.SWAGGER_DIR) return join(process.env.SWAGGER_DIR, version, 'swagger.json');
  const out = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${version}`], {
    encoding: 'utf8',
    timeout: 15 * 60_000,
    // The module has no go.mod of ours to consult; GOFLAGS=-mod=mod keeps go from looking for one.
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    cwd: '/',
    maxBuffer: 16 * 1024 * 1024,
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download k8s.io/kubernetes@v${version}: ${info.Error ?? 'no Dir in output'}`);
  return join(info.Dir, 'api', 'openapi-spec', 'swagger.json');
}

function main(): void {
  const versions = process.argv.slice(2).length ? process.argv.slice(2) : PINNED;
  const inputs: VersionInput[] = versions.map((v) => {
    const path = swaggerPath(v);
    console.log(`gen-schemas: ${v} ← ${path}`);
    return { version: v, source: `k8s.io/kubernetes@v${v} api/openapi-spec/swagger.json`, swagger: JSON.parse(readFileSync(path, 'utf8')) as Swagger };
  });
  const packed = packVersions(inputs);
  const json = render(packed);
  writeFileSync(OUTPUT, json);
  const kinds = packed.versions.map((v) => `${v.version}: ${v.kinds.length} kinds`).join(', ');
  console.log(`gen-schemas: ${packed.types.length} distinct types, ${packed.names.length} names; ${kinds}`);
  console.log(`gen-schemas: wrote ${OUTPUT} (${(json.length / 1024).toFixed(0)} KiB)`);
}

/** Valid JSON with one name, type or version per line: deterministic and diffable. */
export function render(p: PackedSchemas): string {
  const lines = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join(',\n');
  return `{"format":${p.format},\n"names":[\n${lines(p.names)}\n],\n"types":[\n${lines(p.types)}\n],\n"versions":[\n${lines(p.versions)}\n]}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();

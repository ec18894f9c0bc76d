// The `schemas` input: more schemas on top of the shipped ones — CRD manifests (YAML or JSON) and JSON
// Schema files for single kinds, from files, folders or https URLs (downloaded with the kit's retries).
import { core, checkPath, download, InputError, safeUrl, UserError } from '@platform-actions/kit';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { CustomKinds, kindsFromJsonSchema } from './crds.js';
import { splitManifests } from './manifests.js';
import type { TypeNode } from './schema/model.js';

const SCHEMA_FILE = /\.(ya?ml|json)$/;

function filesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory() && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && SCHEMA_FILE.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Adds the kinds one file defines; returns how many. `rel` is the path used for catalog-style names. */
function addSchemaFile(kinds: CustomKinds, file: string, rel: string, origin: string, meta: TypeNode | undefined): number {
  const text = readFileSync(file, 'utf8');
  const before = kinds.size;
  if (file.endsWith('.json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new UserError(`schema file ${origin} is not valid JSON: ${(e as Error).message}`);
    }
    const o = doc as Record<string, unknown>;
    if (o && o.kind === 'CustomResourceDefinition') kinds.addCrd(o, origin, meta);
    else if (o && typeof o === 'object') for (const k of kindsFromJsonSchema(o, rel, origin, meta)) kinds.add(k);
  } else {
    const { objects, broken } = splitManifests(text);
    if (broken.length && !objects.length) throw new UserError(`schema file ${origin} is not valid YAML: ${broken[0].message}`);
    for (const o of objects) if (o.kind === 'CustomResourceDefinition') kinds.addCrd(o.value, origin, meta);
  }
  return kinds.size - before;
}

export async function loadUserSchemas(items: readonly string[], meta: TypeNode | undefined, timeoutMs: number): Promise<CustomKinds> {
  const kinds = new CustomKinds();
  for (const item of items) {
    if (/^https?:\/\//i.test(item)) {
      if (!/^https:\/\//i.test(item) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(item)) throw new InputError('schemas', 'URLs must use https', safeUrl(item));
      const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'helm-validate-schema-'));
      try {
        const name = basename(new URL(item).pathname) || 'schema.yaml';
        const file = join(dir, SCHEMA_FILE.test(name) ? name : `${name}.yaml`);
        await download(item, file, { timeoutMs });
        const n = addSchemaFile(kinds, file, name, safeUrl(item), meta);
        if (!n) core.warning(`schemas: ${safeUrl(item)} defines no CustomResourceDefinition or kind schema`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      continue;
    }
    const abs = checkPath('schemas', item, { mustExist: true });
    const files = statSync(abs).isDirectory() ? filesIn(abs) : [abs];
    let n = 0;
    for (const f of files)
      n += addSchemaFile(
        kinds,
        f,
        relative(statSync(abs).isDirectory() ? abs : join(abs, '..'), f)
          .split('\\')
          .join('/'),
        relative(process.env.GITHUB_WORKSPACE || process.cwd(), f) || f,
        meta,
      );
    if (!n) core.warning(`schemas: ${item} defines no CustomResourceDefinition or kind schema`);
  }
  return kinds;
}

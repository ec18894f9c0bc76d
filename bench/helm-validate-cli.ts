// Bench-only entry for bench/helm-validate.ts, bundled like the action: validate one rendered stream
// against one Kubernetes version (strict schema + duplicate keys + policies) and print what was found.
//   node <bundle>/index.js <rendered.yaml> <minor>
import { readFileSync } from 'node:fs';
import { checkObject } from '../actions/helm-validate/src/check.js';
import { CustomKinds } from '../actions/helm-validate/src/crds.js';
import { splitManifests } from '../actions/helm-validate/src/manifests.js';
import { checkPolicies } from '../actions/helm-validate/src/policies.js';
import { SchemaStore } from '../actions/helm-validate/src/schema/store.js';

const [file, minor] = process.argv.slice(2);
const store = SchemaStore.load();
const target = store.get(minor)!;
const all = store.versions.map((v) => store.get(v)!);
const kinds = new CustomKinds();
const { objects, broken } = splitManifests(readFileSync(file, 'utf8'));
let schema = broken.length;
let invalid = broken.length;
let policy = 0;
for (const o of objects) {
  const n = o.duplicates.length + checkObject(o, target, all, kinds, 'notice').length;
  schema += n;
  if (n) invalid++;
  policy += checkPolicies(o.kind, o.value).length;
}
console.log(JSON.stringify({ objects: objects.length, invalid, schema, policy }));

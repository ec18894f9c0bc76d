// One object, one definition. kubectl applies every document of the stream in order, so the same object
// in two manifest files is applied twice without a word: the second definition wins, and a Deployment
// defined twice differently gets two revisions from one deploy. Identical copies (the same file reached
// twice, a copied manifest) are applied once; different ones are a configuration error naming both.
import { UserError } from '@platform-actions/kit';
import type { K8sObject, LoadedObject } from './manifests.js';

/** The object's identity on the server: API group (not version), kind, namespace and name. */
export function objectKey(o: K8sObject, namespace: string): string | undefined {
  if (!o.metadata.name) return undefined; // generateName: every copy is a new object
  const slash = o.apiVersion.lastIndexOf('/');
  const group = slash > 0 ? o.apiVersion.slice(0, slash) : '';
  return `${group}|${o.kind}|${namespace}|${o.metadata.name}`;
}

/** JSON with object keys sorted, so key order never makes two equal definitions differ. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const place = (l: LoadedObject): string => `${l.source} document ${l.doc}`;

const shown = (o: K8sObject, namespace: string): string => `${o.kind}/${namespace ? `${namespace}/` : ''}${o.metadata.name}`;

/**
 * The objects with repeats of an identical definition dropped (each noted with `onRepeat`). Throws a
 * configuration error naming both places when one object is defined twice differently. `namespaceOf`
 * gives the namespace an object will be applied in ('' for cluster-scoped kinds).
 */
export function uniqueObjects(objects: readonly LoadedObject[], namespaceOf: (o: K8sObject) => string, onRepeat: (line: string) => void = () => undefined): LoadedObject[] {
  const first = new Map<string, LoadedObject>();
  const out: LoadedObject[] = [];
  for (const l of objects) {
    const ns = namespaceOf(l.obj);
    const key = objectKey(l.obj, ns);
    const seen = key === undefined ? undefined : first.get(key);
    if (!seen) {
      if (key !== undefined) first.set(key, l);
      out.push(l);
      continue;
    }
    if (canonical(seen.obj) !== canonical(l.obj)) {
      throw new UserError(
        `manifests: ${shown(l.obj, ns)} is defined twice with different content, in ${place(seen)} and in ${place(l)}; nothing was applied (kubectl would apply both, the second over the first): keep one definition`,
      );
    }
    onRepeat(`${shown(l.obj, ns)} is defined in both ${place(seen)} and ${place(l)}, identically: applied once`);
  }
  return out;
}

// Terraform's JSON syntax (`*.tf.json`, e.g. what CDKTF synthesises): the same `terraform` block, with
// `backend` and `cloud` as objects (or arrays of objects) keyed by label. Strings holding `${…}` are
// template expressions in JSON syntax, so they stay unknown (`Expr`). Lines come from the text, which
// is enough for an annotation: the first `"backend"` after `"terraform"`, each attribute after it.
import { UserError } from '@platform-actions/kit';
import { type Body, Expr, type HclValue } from './hcl.js';

type J = unknown;
const isObj = (v: J): v is Record<string, J> => typeof v === 'object' && v !== null && !Array.isArray(v);
const each = (v: J): Array<Record<string, J>> => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : []);

function value(v: J, depth = 0): HclValue {
  if (typeof v === 'string') return v.includes('${') ? new Expr(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  // Past any depth a backend setting has, the value is only ever compared as unknown.
  if (depth > 64) return new Expr('(nested value)');
  if (Array.isArray(v)) return v.map((x) => value(x, depth + 1));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, depth + 1)]));
  return null;
}

/** The `terraform` blocks of a .tf.json file as HCL bodies (only what the rules read: backend, cloud, required_version). */
export function parseTfJson(file: string, text: string): Body {
  let doc: J;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
    throw new UserError(`${file}:${line}: not valid JSON (Terraform JSON syntax); fix the file`);
  }
  const lineAt = (needle: string, from: number): { line: number; at: number } => {
    const at = text.indexOf(needle, from);
    return at < 0 ? { line: 1, at: from } : { line: text.slice(0, at).split('\n').length, at };
  };
  const body: Body = { attributes: {}, blocks: [] };
  if (!isObj(doc)) return body;
  let cursor = lineAt('"terraform"', 0).at;
  for (const tf of each(doc.terraform)) {
    const tfBody: Body = { attributes: {}, blocks: [] };
    const tfLine = lineAt('"terraform"', cursor);
    if (typeof tf.required_version === 'string')
      tfBody.attributes.required_version = { name: 'required_version', value: tf.required_version, line: lineAt('"required_version"', tfLine.at).line };
    for (const kind of ['backend', 'cloud'] as const) {
      for (const group of each(tf[kind])) {
        const at = lineAt(`"${kind}"`, tfLine.at);
        // backend: { "s3": { … } } (label → body); cloud: { organization, workspaces } (no label).
        const entries: Array<[string[], Record<string, J>]> =
          kind === 'cloud' ? [[[], group]] : Object.entries(group).flatMap(([label, b]) => each(b).map((x) => [[label], x] as [string[], Record<string, J>]));
        for (const [labels, b] of entries) {
          const inner: Body = { attributes: {}, blocks: [] };
          for (const [k, v] of Object.entries(b)) inner.attributes[k] = { name: k, value: value(v), line: lineAt(`"${k}"`, at.at).line };
          tfBody.blocks.push({ type: kind, labels, body: inner, line: at.line });
        }
      }
    }
    body.blocks.push({ type: 'terraform', labels: [], body: tfBody, line: tfLine.line });
    cursor = tfLine.at + 1;
  }
  return body;
}

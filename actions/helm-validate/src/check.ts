// One rendered object against one target Kubernetes version: is its API served (or deprecated), is
// there a schema for it (core or custom), and what does strict validation say. Pure over its inputs.
import type { Severity } from '@platform-actions/kit';
import type { CustomKinds } from './crds.js';
import { apiStatus } from './deprecations.js';
import type { KubeObject } from './manifests.js';
import type { TypeNode } from './schema/model.js';
import type { KubeSchema } from './schema/store.js';
import { type IssueCode, validate } from './schema/validate.js';

export interface ObjectIssue {
  ruleId: string;
  /** Only when the issue is more or less severe than its rule's default. */
  severity?: Severity;
  /** Field path, when the issue is about one field. */
  path?: string;
  /** The field's key, to look for in the template. */
  field?: string;
  /** The offending value, to tell repeated keys apart in the template. */
  value?: unknown;
  message: string;
}

export type UnknownKinds = 'notice' | 'fail';

const RULE_OF: Record<IssueCode, string> = {
  'unknown-field': 'schema-unknown-field',
  'wrong-type': 'schema-wrong-type',
  'missing-required': 'schema-missing-required',
  'invalid-value': 'schema-invalid-value',
};

/** The schema an object is validated against in `target`, or the issue that explains why there is none. */
export function schemaFor(
  o: Pick<KubeObject, 'apiVersion' | 'kind'>,
  target: KubeSchema,
  all: readonly KubeSchema[],
  custom: CustomKinds,
  unknownKinds: UnknownKinds,
): { type?: TypeNode; namespaced?: boolean; issues: ObjectIssue[] } {
  const builtIn = target.lookup(o.apiVersion, o.kind);
  const issues: ObjectIssue[] = [];
  // API findings point at the template's `apiVersion:` line (unique, or unique with this value).
  const at = { field: 'apiVersion', value: o.apiVersion };
  if (builtIn) {
    const st = apiStatus(o.apiVersion, o.kind, target, all);
    if (st.status === 'served' && st.deprecated) issues.push({ ruleId: 'api-deprecated', ...at, message: `${o.apiVersion} ${o.kind}: ${st.deprecated}` });
    if (st.status === 'served' && st.removedLater) {
      // Worded without the target version, so the finding merges across the targets it applies to.
      issues.push({
        ruleId: 'api-deprecated',
        ...at,
        message: `${o.apiVersion} ${o.kind} is no longer served from Kubernetes ${st.removedLater.in} on${st.removedLater.use.length ? `; migrate to ${st.removedLater.use.join(' or ')}` : ''}.`,
      });
    }
    return { type: builtIn, namespaced: !target.isClusterScoped(o.apiVersion, o.kind), issues };
  }
  const c = custom.get(o.apiVersion, o.kind);
  if (c) {
    if (!c.served)
      return {
        issues: [
          { ruleId: 'api-not-served', ...at, message: `${o.apiVersion} ${o.kind} is not served: its CustomResourceDefinition (${c.origin}) sets served: false for this version.` },
        ],
      };
    if (c.deprecated) issues.push({ ruleId: 'api-deprecated', ...at, message: `${o.apiVersion} ${o.kind}: ${c.deprecated} (${c.origin}).` });
    return { type: c.type, namespaced: c.namespaced, issues };
  }
  const st = apiStatus(o.apiVersion, o.kind, target, all);
  if (st.status === 'not-served') return { issues: [{ ruleId: 'api-not-served', ...at, message: st.message }] };
  return {
    issues: [
      {
        ruleId: 'unknown-kind',
        ...(unknownKinds === 'fail' ? { severity: 'high' as Severity } : {}),
        message: `no schema for ${o.apiVersion} ${o.kind}, so it was not validated: add its CustomResourceDefinition to the chart's crds/ folder or give its schema in the \`schemas\` input.`,
      },
    ],
  };
}

// Values in these places may be credentials: a message says what is wrong with them, never what they are.
const SENSITIVE_PATH = /(^|\.)(data|stringData)(\.|\[|$)|\.env\[\d+\]\.value$/;
const redact = (message: string) => message.replace(/(, got (?:string|integer|number|boolean)) .*$/, '$1 (value not shown)');

/** Every issue of `o` for `target`. */
export function checkObject(o: KubeObject, target: KubeSchema, all: readonly KubeSchema[], custom: CustomKinds, unknownKinds: UnknownKinds): ObjectIssue[] {
  const { type, issues } = schemaFor(o, target, all, custom, unknownKinds);
  if (!type) return issues;
  for (const i of validate(o.value, type)) {
    const last = i.segments[i.segments.length - 1];
    const sensitive = o.kind === 'Secret' || SENSITIVE_PATH.test(i.path);
    issues.push({
      ruleId: RULE_OF[i.code],
      path: i.path,
      field: typeof last === 'string' ? last : undefined,
      ...('value' in i && !sensitive ? { value: i.value } : {}),
      message: sensitive ? redact(i.message) : i.message,
    });
  }
  return issues;
}

// API versions that are gone or going, per target Kubernetes version. Two sources:
// 1. The shipped schemas themselves: a kind/apiVersion served by one shipped release and not by a newer
//    one was removed in between (this covers every removal inside the window, with no table to maintain).
// 2. For removals before the oldest shipped release, the table below, from the Kubernetes deprecated API
//    migration guide (kubernetes.io/docs/reference/using-api/deprecation-guide/).
// Served kinds whose upstream description says "Deprecated: …" (core/v1 Endpoints, ComponentStatus) are
// reported from the schema file's notes.
import type { KubeSchema } from './schema/store.js';

interface Removal {
  apiVersion: string;
  /** '*' for every kind of the apiVersion. */
  kind: string;
  removedIn: string;
  /** What to use instead; '' when there is no replacement. */
  replacement: string;
}

const T = (apiVersion: string, kind: string, removedIn: string, replacement: string): Removal => ({ apiVersion, kind, removedIn, replacement });

const REMOVED_BEFORE_WINDOW: readonly Removal[] = [
  T('extensions/v1beta1', 'Deployment', '1.16', 'apps/v1'),
  T('extensions/v1beta1', 'DaemonSet', '1.16', 'apps/v1'),
  T('extensions/v1beta1', 'ReplicaSet', '1.16', 'apps/v1'),
  T('extensions/v1beta1', 'NetworkPolicy', '1.16', 'networking.k8s.io/v1'),
  T('extensions/v1beta1', 'PodSecurityPolicy', '1.16', 'policy/v1beta1 (itself removed in 1.25; use Pod Security Admission)'),
  T('apps/v1beta1', '*', '1.16', 'apps/v1'),
  T('apps/v1beta2', '*', '1.16', 'apps/v1'),
  T('extensions/v1beta1', 'Ingress', '1.22', 'networking.k8s.io/v1'),
  T('networking.k8s.io/v1beta1', 'Ingress', '1.22', 'networking.k8s.io/v1'),
  T('networking.k8s.io/v1beta1', 'IngressClass', '1.22', 'networking.k8s.io/v1'),
  T('admissionregistration.k8s.io/v1beta1', 'MutatingWebhookConfiguration', '1.22', 'admissionregistration.k8s.io/v1'),
  T('admissionregistration.k8s.io/v1beta1', 'ValidatingWebhookConfiguration', '1.22', 'admissionregistration.k8s.io/v1'),
  T('apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition', '1.22', 'apiextensions.k8s.io/v1'),
  T('apiregistration.k8s.io/v1beta1', 'APIService', '1.22', 'apiregistration.k8s.io/v1'),
  T('authentication.k8s.io/v1beta1', 'TokenReview', '1.22', 'authentication.k8s.io/v1'),
  T('authorization.k8s.io/v1beta1', '*', '1.22', 'authorization.k8s.io/v1'),
  T('certificates.k8s.io/v1beta1', 'CertificateSigningRequest', '1.22', 'certificates.k8s.io/v1'),
  T('coordination.k8s.io/v1beta1', 'Lease', '1.22', 'coordination.k8s.io/v1'),
  T('rbac.authorization.k8s.io/v1beta1', '*', '1.22', 'rbac.authorization.k8s.io/v1'),
  T('rbac.authorization.k8s.io/v1alpha1', '*', '1.22', 'rbac.authorization.k8s.io/v1'),
  T('scheduling.k8s.io/v1beta1', 'PriorityClass', '1.22', 'scheduling.k8s.io/v1'),
  T('scheduling.k8s.io/v1alpha1', 'PriorityClass', '1.22', 'scheduling.k8s.io/v1'),
  T('storage.k8s.io/v1beta1', 'CSIDriver', '1.22', 'storage.k8s.io/v1'),
  T('storage.k8s.io/v1beta1', 'CSINode', '1.22', 'storage.k8s.io/v1'),
  T('storage.k8s.io/v1beta1', 'StorageClass', '1.22', 'storage.k8s.io/v1'),
  T('storage.k8s.io/v1beta1', 'VolumeAttachment', '1.22', 'storage.k8s.io/v1'),
  T('batch/v1beta1', 'CronJob', '1.25', 'batch/v1'),
  T('discovery.k8s.io/v1beta1', 'EndpointSlice', '1.25', 'discovery.k8s.io/v1'),
  T('events.k8s.io/v1beta1', 'Event', '1.25', 'events.k8s.io/v1'),
  T('autoscaling/v2beta1', 'HorizontalPodAutoscaler', '1.25', 'autoscaling/v2'),
  T('policy/v1beta1', 'PodDisruptionBudget', '1.25', 'policy/v1'),
  T('policy/v1beta1', 'PodSecurityPolicy', '1.25', 'no replacement: use Pod Security Admission'),
  T('node.k8s.io/v1beta1', 'RuntimeClass', '1.25', 'node.k8s.io/v1'),
  T('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26', 'autoscaling/v2'),
  T('flowcontrol.apiserver.k8s.io/v1beta1', '*', '1.26', 'flowcontrol.apiserver.k8s.io/v1'),
  T('storage.k8s.io/v1beta1', 'CSIStorageCapacity', '1.27', 'storage.k8s.io/v1'),
  T('flowcontrol.apiserver.k8s.io/v1beta2', '*', '1.29', 'flowcontrol.apiserver.k8s.io/v1'),
  T('flowcontrol.apiserver.k8s.io/v1beta3', '*', '1.32', 'flowcontrol.apiserver.k8s.io/v1'),
];

export type ApiStatus = { status: 'served'; deprecated?: string } | { status: 'not-served'; message: string } | { status: 'unknown' };

const cmpMinor = (a: string, b: string) => {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
};

/** Other apiVersions of the same kind the target serves, newest-looking first (v1 before v1beta1). */
function alternatives(target: KubeSchema, apiVersion: string, kind: string): string[] {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const same = target.apiVersionsOf(kind).filter((v) => v !== apiVersion);
  const rank = (v: string) => (/\/v\d+$|^v\d+$/.test(v) ? 0 : /beta/.test(v) ? 1 : 2);
  return same.sort((a, b) => Number(!a.startsWith(`${group}/`)) - Number(!b.startsWith(`${group}/`)) || rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Whether `target` serves apiVersion/kind. `all` is every shipped release (oldest first), used to say
 * when a kind was removed and whether a newer release drops a kind the target still serves.
 */
export function apiStatus(apiVersion: string, kind: string, target: KubeSchema, all: readonly KubeSchema[]): ApiStatus & { removedLater?: { in: string; use: string[] } } {
  if (target.lookup(apiVersion, kind)) {
    const note = target.deprecationOf(apiVersion, kind);
    const newer = all.filter((s) => cmpMinor(s.minor, target.minor) > 0);
    const gone = newer.find((s) => !s.lookup(apiVersion, kind));
    return {
      status: 'served',
      ...(note ? { deprecated: note } : {}),
      ...(gone ? { removedLater: { in: gone.minor, use: alternatives(gone, apiVersion, kind) } } : {}),
    };
  }
  const use = alternatives(target, apiVersion, kind);
  const servedBy = all.filter((s) => s.lookup(apiVersion, kind));
  if (servedBy.length) {
    const last = servedBy[servedBy.length - 1];
    const when = cmpMinor(last.minor, target.minor) < 0 ? `it was last served in ${last.minor}` : `it is served from ${servedBy[0].minor} on`;
    return { status: 'not-served', message: `${apiVersion} ${kind} is not served by Kubernetes ${target.minor} (${when})${use.length ? `; use ${use.join(' or ')}` : ''}.` };
  }
  const old = REMOVED_BEFORE_WINDOW.find((r) => r.apiVersion === apiVersion && (r.kind === '*' || r.kind === kind));
  if (old) {
    return { status: 'not-served', message: `${apiVersion} ${kind} was removed in Kubernetes ${old.removedIn}; use ${use.length ? use.join(' or ') : old.replacement}.` };
  }
  // A core group kind at an apiVersion that never existed (a typo such as apps/v2) is an error, not an unknown CRD.
  if (use.length && isBuiltInGroup(apiVersion)) {
    return { status: 'not-served', message: `${apiVersion} ${kind} does not exist in Kubernetes ${target.minor}; use ${use.join(' or ')}.` };
  }
  return { status: 'unknown' };
}

/** Groups that belong to Kubernetes itself: core ("v1"), the unqualified ones (apps, batch, …) and *.k8s.io. */
export function isBuiltInGroup(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true;
  const group = apiVersion.split('/')[0];
  return !group.includes('.') || group.endsWith('.k8s.io');
}

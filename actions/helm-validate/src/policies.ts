// Security and reliability policies over one rendered object. Pure: object in, hits out. Container
// fields are read with the precedence Kubernetes applies (a container's securityContext overrides the
// pod's for runAsNonRoot, runAsUser and seccompProfile).
import type { Severity } from '@platform-actions/kit';
import { formatPath } from './schema/validate.js';

export interface PolicyHit {
  ruleId: string;
  /** Set when the hit is more (or less) severe than the rule's default, e.g. an explicit allowPrivilegeEscalation: true. */
  severity?: Severity;
  /** Path of the offending field (or of the container/pod spec when something is missing). */
  path: string;
  /** The key to look for in the template, when there is one. */
  field?: string;
  /** The offending value, to find the key in a values file (never set for secrets). */
  value?: unknown;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// Facts: k8s.io/api core/v1 types.go (see the action README).
export const CONTAINER_ONLY = ['capabilities', 'privileged', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount'] as const;
export const POD_ONLY = ['fsGroup', 'fsGroupChangePolicy', 'supplementalGroups', 'supplementalGroupsPolicy', 'sysctls', 'seLinuxChangePolicy'] as const;
const BOTH = ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seLinuxOptions', 'seccompProfile', 'appArmorProfile', 'windowsOptions'] as const;
const POD_SPEC_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers'] as const;
// Pod Security Standards "baseline" allows adding these; anything else is dangerous.
const BASELINE_CAPS = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Pod']);

export interface PodSpecAt {
  spec: Obj;
  path: string[];
}

/** Where a workload keeps its pod spec; undefined for objects without one. */
export function podSpecOf(kind: string, o: Obj): PodSpecAt | undefined {
  const at = (path: string[]): PodSpecAt | undefined => {
    let cur: unknown = o;
    for (const p of path) cur = obj(cur)[p];
    return isObj(cur) ? { spec: cur, path } : undefined;
  };
  switch (kind) {
    case 'Pod':
      return at(['spec']);
    case 'CronJob':
      return at(['spec', 'jobTemplate', 'spec', 'template', 'spec']);
    case 'PodTemplate':
      return at(['template', 'spec']);
    default: {
      // Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, and custom workloads shaped like them.
      const s = at(['spec', 'template', 'spec']);
      return s && Array.isArray(s.spec.containers) ? s : undefined;
    }
  }
}

interface ContainerAt {
  c: Obj;
  name: string;
  path: Array<string | number>;
  init: boolean;
  ephemeral: boolean;
}

function containersOf(pod: PodSpecAt): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    arr(pod.spec[list]).forEach((c, i) => {
      if (isObj(c)) out.push({ c, name: String(c.name ?? `#${i}`), path: [...pod.path, list, i], init: list === 'initContainers', ephemeral: list === 'ephemeralContainers' });
    });
  }
  return out;
}

const p = (...segs: Array<string | number>) => formatPath(segs);

/** Container-only keys in the pod's securityContext, pod-only keys in a container's, and pod-spec keys in either. */
function misplaced(pod: PodSpecAt, containers: ContainerAt[]): PolicyHit[] {
  const hits: PolicyHit[] = [];
  const podSc = obj(pod.spec.securityContext);
  const names = containers.filter((c) => !c.ephemeral && !c.init).map((c) => c.name);
  const inits = containers.filter((c) => c.init).map((c) => c.name);
  const specPath = p(...pod.path);
  const where = (k: string) =>
    `${specPath}.containers[*].securityContext.${k}${names.length ? ` (containers: ${names.join(', ')})` : ''}` +
    (inits.length ? ` and ${specPath}.initContainers[*].securityContext.${k} (init containers: ${inits.join(', ')})` : '');
  for (const k of CONTAINER_ONLY) {
    if (!(k in podSc)) continue;
    hits.push({
      ruleId: 'securitycontext-misplaced',
      path: p(...pod.path, 'securityContext', k),
      field: k,
      value: podSc[k],
      message:
        `${k} is a container-only securityContext field, but it is set in the pod's securityContext (${p(...pod.path, 'securityContext', k)}), where Kubernetes does not apply it. ` +
        `Move it to ${where(k)}.`,
    });
  }
  for (const k of POD_SPEC_FIELDS) {
    if (!(k in podSc)) continue;
    hits.push({
      ruleId: 'securitycontext-misplaced',
      path: p(...pod.path, 'securityContext', k),
      field: k,
      value: podSc[k],
      message: `${k} is a pod spec field, not a securityContext field (${p(...pod.path, 'securityContext', k)}), so Kubernetes does not apply it. Move it to ${specPath}.${k}.`,
    });
  }
  for (const k of [...POD_ONLY, ...BOTH]) {
    if (!(k in pod.spec)) continue;
    hits.push({
      ruleId: 'securitycontext-misplaced',
      path: p(...pod.path, k),
      field: k,
      value: pod.spec[k],
      message: `${k} is a securityContext field, but it is set directly in the pod spec (${p(...pod.path, k)}), where Kubernetes does not apply it. Move it to ${specPath}.securityContext.${k}.`,
    });
  }
  for (const c of containers) {
    const sc = obj(c.c.securityContext);
    for (const k of POD_ONLY) {
      if (!(k in sc)) continue;
      hits.push({
        ruleId: 'securitycontext-misplaced',
        path: p(...c.path, 'securityContext', k),
        field: k,
        value: sc[k],
        message: `${k} is a pod-only securityContext field, but it is set in container "${c.name}"'s securityContext (${p(...c.path, 'securityContext', k)}), where Kubernetes does not apply it. Move it to ${specPath}.securityContext.${k}.`,
      });
    }
    for (const k of POD_SPEC_FIELDS) {
      if (!(k in sc)) continue;
      hits.push({
        ruleId: 'securitycontext-misplaced',
        path: p(...c.path, 'securityContext', k),
        field: k,
        value: sc[k],
        message: `${k} is a pod spec field, not a securityContext field (${p(...c.path, 'securityContext', k)}), so Kubernetes does not apply it. Move it to ${specPath}.${k}.`,
      });
    }
    for (const k of [...CONTAINER_ONLY, ...BOTH]) {
      if (!(k in c.c)) continue;
      hits.push({
        ruleId: 'securitycontext-misplaced',
        path: p(...c.path, k),
        field: k,
        value: c.c[k],
        message: `${k} is a securityContext field, but it is set directly on container "${c.name}" (${p(...c.path, k)}), where Kubernetes does not apply it. Move it to ${p(...c.path, 'securityContext', k)}.`,
      });
    }
  }
  return hits;
}

function image(c: ContainerAt): PolicyHit | undefined {
  const img = typeof c.c.image === 'string' ? c.c.image : '';
  if (!img || img.includes('@sha256:')) return undefined;
  const last = img.slice(img.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  if (tag && tag !== 'latest') return undefined;
  return {
    ruleId: 'image-tag',
    path: p(...c.path, 'image'),
    field: 'image',
    message: `container "${c.name}" uses image "${img}" ${tag ? 'with the moving tag "latest"' : 'without a tag (so "latest")'}; pin a version tag or a digest.`,
  };
}

const SECRET_NAME = /(^|_)(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|ACCESS_?KEY|AUTH_?KEY)(_|$)/i;
const NOT_SECRET_NAME = /(_FILE|_PATH|_DIR|_URL|_URI|_ENDPOINT|_HOST|_PORT|_USER(NAME)?|_NAME|_ENABLED|_EXPIRY|_TTL|_LENGTH|_HEADER)$/i;
const SECRET_VALUE = [
  /AKIA[0-9A-Z]{16}/,
  /gh[pousr]_[A-Za-z0-9]{36}/,
  /xox[abpors]-[A-Za-z0-9-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /glpat-[A-Za-z0-9_-]{20}/,
  /sk_live_[A-Za-z0-9]{20,}/,
];

function secretsInEnv(c: ContainerAt): PolicyHit[] {
  const hits: PolicyHit[] = [];
  arr(c.c.env).forEach((e, i) => {
    if (!isObj(e) || typeof e.value !== 'string') return;
    const name = String(e.name ?? '');
    const v = e.value.trim();
    const looksLiteral = v !== '' && !/^\$\(.+\)$/.test(v) && !v.startsWith('/') && !/^(true|false|yes|no|none|null|changeme)$/i.test(v);
    const byName = SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name) && looksLiteral;
    const byValue = SECRET_VALUE.some((re) => re.test(v));
    if (!byName && !byValue) return;
    hits.push({
      ruleId: 'secret-in-env',
      path: p(...c.path, 'env', i, 'value'),
      field: name,
      message: `container "${c.name}" sets env ${name || `#${i}`} to a literal that looks like a secret${byValue ? ' (it matches a known credential format)' : ''}; the value is not shown. Use valueFrom.secretKeyRef.`,
    });
  });
  return hits;
}

/** Every policy hit for one object. `annotations` tell Helm hooks apart (no probes needed there). */
export function checkPolicies(kind: string, o: Obj): PolicyHit[] {
  const pod = podSpecOf(kind, o);
  if (!pod) return [];
  const containers = containersOf(pod);
  const hits: PolicyHit[] = [...misplaced(pod, containers), ...hostAccess(pod)];
  const podSc = obj(pod.spec.securityContext);
  const windows = obj(pod.spec.os).name === 'windows';
  const hook = isObj(obj(o.metadata).annotations) && 'helm.sh/hook' in obj(obj(o.metadata).annotations);
  for (const c of containers) {
    if (c.ephemeral) continue;
    const sc = obj(c.c.securityContext);
    hits.push(...privileged(c, sc));
    // Linux settings: Windows containers have none of these.
    if (!windows) hits.push(...escalation(c, sc, podSc), ...runAsRoot(c, sc, podSc), ...hardening(c, sc, podSc, p(...pod.path)));
    const img = image(c);
    if (img) hits.push(img);
    hits.push(...resourcesAndProbes(c, kind, hook), ...secretsInEnv(c));
  }
  return hits;
}

/** The node's namespaces (hostNetwork, hostPID, hostIPC) and hostPath volumes. */
function hostAccess(pod: PodSpecAt): PolicyHit[] {
  const hits: PolicyHit[] = [];
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod.spec[k] === true) {
      hits.push({
        ruleId: 'host-namespaces',
        path: p(...pod.path, k),
        field: k,
        value: true,
        message: `the pod shares the node's ${k.slice(4)} namespace (${p(...pod.path, k)}: true).`,
      });
    }
  }
  arr(pod.spec.volumes).forEach((v, i) => {
    if (isObj(v) && isObj(v.hostPath)) {
      hits.push({
        ruleId: 'host-path-volume',
        path: p(...pod.path, 'volumes', i, 'hostPath'),
        field: 'hostPath',
        message: `volume "${String(v.name ?? i)}" mounts the node's ${JSON.stringify(String(v.hostPath.path ?? ''))} (hostPath).`,
      });
    }
  });
  return hits;
}

const scPath = (c: ContainerAt, k: string) => p(...c.path, 'securityContext', k);

function privileged(c: ContainerAt, sc: Obj): PolicyHit[] {
  if (sc.privileged !== true) return [];
  return [
    {
      ruleId: 'privileged-container',
      path: scPath(c, 'privileged'),
      field: 'privileged',
      value: true,
      message: `container "${c.name}" runs privileged (${scPath(c, 'privileged')}: true).`,
    },
  ];
}

/** allowPrivilegeEscalation: true (or implied by privileged), or not set to false. */
function escalation(c: ContainerAt, sc: Obj, podSc: Obj): PolicyHit[] {
  if (sc.allowPrivilegeEscalation === true || (sc.privileged === true && sc.allowPrivilegeEscalation !== false)) {
    return [
      {
        ruleId: 'allow-privilege-escalation',
        severity: 'high',
        path: scPath(c, 'allowPrivilegeEscalation'),
        // Implied by privileged: point at the privileged setting (its template line or values file), not at a key nobody wrote.
        ...(sc.allowPrivilegeEscalation === true ? { field: 'allowPrivilegeEscalation', value: true } : { field: 'privileged', value: true }),
        message: `container "${c.name}" allows privilege escalation (${sc.allowPrivilegeEscalation === true ? `${scPath(c, 'allowPrivilegeEscalation')}: true` : 'implied by privileged: true'}); set it to false.`,
      },
    ];
  }
  if (sc.allowPrivilegeEscalation === false) return [];
  return [
    {
      ruleId: 'allow-privilege-escalation',
      path: p(...c.path),
      message: `container "${c.name}" does not set securityContext.allowPrivilegeEscalation: false${'allowPrivilegeEscalation' in podSc ? ' (the pod-level setting does not apply to containers)' : ''}.`,
    },
  ];
}

/** runAsUser: 0, or neither runAsNonRoot: true nor a non-zero runAsUser (container or pod). */
function runAsRoot(c: ContainerAt, sc: Obj, podSc: Obj): PolicyHit[] {
  const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  if (runAsUser === 0) {
    return [
      {
        ruleId: 'run-as-non-root',
        path: p(...c.path, 'securityContext', 'runAsUser'),
        field: 'runAsUser',
        value: 0,
        message: `container "${c.name}" runs as root (runAsUser: 0).`,
      },
    ];
  }
  if (runAsNonRoot === true || (typeof runAsUser === 'number' && runAsUser > 0)) return [];
  return [
    {
      ruleId: 'run-as-non-root',
      path: p(...c.path),
      message: `container "${c.name}" may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set (pod or container securityContext)${runAsNonRoot === false ? '; runAsNonRoot is false' : ''}.`,
    },
  ];
}

/** A read-only root filesystem, capabilities (drop ALL, add nothing outside the baseline) and a seccomp profile. */
function hardening(c: ContainerAt, sc: Obj, podSc: Obj, specPath: string): PolicyHit[] {
  const hits: PolicyHit[] = [];
  if (sc.readOnlyRootFilesystem !== true) {
    hits.push({
      ruleId: 'read-only-root-filesystem',
      path: p(...c.path),
      message: `container "${c.name}" has a writable root filesystem (securityContext.readOnlyRootFilesystem is not true).`,
    });
  }
  const caps = obj(sc.capabilities);
  const drop = arr(caps.drop).map(String);
  if (!drop.includes('ALL')) {
    hits.push({
      ruleId: 'capabilities-drop-all',
      path: p(...c.path),
      message: `container "${c.name}" does not drop all capabilities (securityContext.capabilities.drop: [ALL]).`,
    });
  }
  const added = arr(caps.add)
    .map((x) => String(x).replace(/^CAP_/i, ''))
    .filter((x) => !BASELINE_CAPS.has(x.toUpperCase()));
  if (added.length) {
    hits.push({
      ruleId: 'dangerous-capabilities',
      path: scPath(c, 'capabilities') + '.add',
      field: 'add',
      message: `container "${c.name}" adds ${added.join(', ')}, outside the Pod Security Standards baseline set.`,
    });
  }
  const seccomp = obj(sc.seccompProfile ?? podSc.seccompProfile);
  if (seccomp.type !== 'RuntimeDefault' && seccomp.type !== 'Localhost') {
    hits.push({
      ruleId: 'seccomp-profile',
      path: p(...c.path),
      message: `container "${c.name}" ${seccomp.type ? `uses seccomp profile ${String(seccomp.type)}` : 'has no seccomp profile'}; set seccompProfile.type: RuntimeDefault in ${specPath}.securityContext or the container's.`,
    });
  }
  return hits;
}

/** Resource requests and the memory limit (not for init containers); probes for long-running workloads (not hooks). */
function resourcesAndProbes(c: ContainerAt, kind: string, hook: boolean): PolicyHit[] {
  if (c.init) return [];
  const hits: PolicyHit[] = [];
  const res = obj(c.c.resources);
  const missing = [
    ...(obj(res.requests).cpu === undefined ? ['requests.cpu'] : []),
    ...(obj(res.requests).memory === undefined ? ['requests.memory'] : []),
    ...(obj(res.limits).memory === undefined ? ['limits.memory'] : []),
  ];
  if (missing.length)
    hits.push({ ruleId: 'resources-missing', path: p(...c.path, 'resources'), message: `container "${c.name}" sets no resources.${missing.join(', resources.')}.` });
  if (LONG_RUNNING.has(kind) && !hook) {
    const probes = [...(c.c.readinessProbe ? [] : ['readinessProbe']), ...(c.c.livenessProbe ? [] : ['livenessProbe'])];
    if (probes.length) hits.push({ ruleId: 'probes-missing', path: p(...c.path), message: `container "${c.name}" has no ${probes.join(' and no ')}.` });
  }
  return hits;
}

// Security and reliability policies, with the misplaced-securityContext fix messages spelled out.
import { describe, expect, test } from '@jest/globals';
import { checkPolicies, CONTAINER_ONLY, podSpecOf, POD_ONLY } from '../src/policies.js';

type Obj = Record<string, unknown>;
const hardened = (): Obj => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: 'registry.example.com/app:1.2.3',
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      readinessProbe: { tcpSocket: { port: 80 } },
      livenessProbe: { tcpSocket: { port: 80 } },
    },
  ],
});
const deployment = (pod: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: pod } } });
const c0 = (pod: Obj) => (pod.containers as Obj[])[0];
const run = (mutate: (pod: Obj) => void, kind = 'Deployment') => {
  const pod = hardened();
  mutate(pod);
  return checkPolicies(kind, kind === 'Pod' ? { spec: pod } : deployment(pod));
};
const ids = (mutate: (pod: Obj) => void, kind?: string) => run(mutate, kind).map((h) => h.ruleId);

describe('a hardened pod', () => {
  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod'])('%s passes every rule', (kind) => {
    expect(ids(() => {}, kind)).toEqual([]);
  });
  test('objects without a pod spec are not checked', () => {
    expect(checkPolicies('ConfigMap', { data: { a: 'b' } })).toEqual([]);
    expect(podSpecOf('CronJob', { spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } } })?.path).toEqual([
      'spec',
      'jobTemplate',
      'spec',
      'template',
      'spec',
    ]);
  });
});

describe('securitycontext-misplaced: the exact fix', () => {
  test.each(CONTAINER_ONLY.map((k) => [k]))('container-only %s at pod level moves to every container', (k) => {
    const hits = run((pod) => ((pod.securityContext as Obj)[k] = k === 'capabilities' ? { drop: ['ALL'] } : k === 'procMount' ? 'Default' : false));
    const m = hits.find((h) => h.ruleId === 'securitycontext-misplaced')!;
    expect(m.path).toBe(`spec.template.spec.securityContext.${k}`);
    expect(m.message).toBe(
      `${k} is a container-only securityContext field, but it is set in the pod's securityContext (spec.template.spec.securityContext.${k}), where Kubernetes does not apply it. ` +
        `Move it to spec.template.spec.containers[*].securityContext.${k} (containers: app).`,
    );
  });

  test.each(POD_ONLY.map((k) => [k]))('pod-only %s in a container moves to the pod', (k) => {
    const hits = run((pod) => ((c0(pod).securityContext as Obj)[k] = 1000));
    expect(hits.map((h) => h.message)).toEqual([
      `${k} is a pod-only securityContext field, but it is set in container "app"'s securityContext (spec.template.spec.containers[0].securityContext.${k}), where Kubernetes does not apply it. Move it to spec.template.spec.securityContext.${k}.`,
    ]);
  });

  test('hostNetwork inside a securityContext moves to the pod spec', () => {
    expect(run((pod) => ((pod.securityContext as Obj).hostNetwork = true)).map((h) => h.message)).toEqual([
      'hostNetwork is a pod spec field, not a securityContext field (spec.template.spec.securityContext.hostNetwork), so Kubernetes does not apply it. Move it to spec.template.spec.hostNetwork.',
    ]);
  });

  test('securityContext fields set directly on a container or the pod spec', () => {
    const hits = run((pod) => {
      c0(pod).privileged = false;
      pod.runAsUser = 1000;
    });
    expect(hits.map((h) => h.path)).toEqual(['spec.template.spec.runAsUser', 'spec.template.spec.containers[0].privileged']);
    expect(hits[1].message).toMatch(/Move it to spec\.template\.spec\.containers\[0\]\.securityContext\.privileged\.$/);
  });

  test('the pod-level allowPrivilegeEscalation does not count for the container', () => {
    const hits = run((pod) => {
      (pod.securityContext as Obj).allowPrivilegeEscalation = false;
      delete (c0(pod).securityContext as Obj).allowPrivilegeEscalation;
    });
    expect(hits.map((h) => h.ruleId)).toEqual(['securitycontext-misplaced', 'allow-privilege-escalation']);
    expect(hits[1].message).toContain('the pod-level setting does not apply to containers');
  });
});

describe('the other rules', () => {
  const sc = (pod: Obj) => c0(pod).securityContext as Obj;
  test.each<[string, (pod: Obj) => void, string[]]>([
    ['privileged (implies privilege escalation unless disabled)', (pod) => Object.assign(sc(pod), { privileged: true }), ['privileged-container']],
    [
      'privileged without allowPrivilegeEscalation: false',
      (pod) => Object.assign(sc(pod), { privileged: true, allowPrivilegeEscalation: undefined }),
      ['privileged-container', 'allow-privilege-escalation'],
    ],
    ['allowPrivilegeEscalation unset', (pod) => delete sc(pod).allowPrivilegeEscalation, ['allow-privilege-escalation']],
    ['runAsNonRoot missing', (pod) => delete (pod.securityContext as Obj).runAsNonRoot, ['run-as-non-root']],
    ['a non-zero runAsUser is enough', (pod) => Object.assign(pod.securityContext as Obj, { runAsNonRoot: undefined, runAsUser: 1000 }), []],
    ['runAsUser 0 on the container overrides the pod', (pod) => Object.assign(sc(pod), { runAsUser: 0 }), ['run-as-non-root']],
    ['writable root filesystem', (pod) => delete sc(pod).readOnlyRootFilesystem, ['read-only-root-filesystem']],
    ['capabilities not dropped', (pod) => delete sc(pod).capabilities, ['capabilities-drop-all']],
    ['dangerous capability added', (pod) => Object.assign(sc(pod), { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } }), ['dangerous-capabilities']],
    ['hostPID and hostIPC', (pod) => Object.assign(pod, { hostPID: true, hostIPC: true }), ['host-namespaces', 'host-namespaces']],
    ['hostPath volume', (pod) => Object.assign(pod, { volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }] }), ['host-path-volume']],
    ['seccomp Unconfined on the container overrides the pod', (pod) => Object.assign(sc(pod), { seccompProfile: { type: 'Unconfined' } }), ['seccomp-profile']],
    ['no resources', (pod) => delete c0(pod).resources, ['resources-missing']],
    ['latest tag', (pod) => (c0(pod).image = 'nginx:latest'), ['image-tag']],
    ['no tag', (pod) => (c0(pod).image = 'registry:5000/team/nginx'), ['image-tag']],
    ['a digest is pinned', (pod) => (c0(pod).image = 'nginx@sha256:' + 'a'.repeat(64)), []],
    ['no probes', (pod) => Object.assign(c0(pod), { readinessProbe: undefined, livenessProbe: undefined }), ['probes-missing']],
    [
      'secret-looking env literal',
      (pod) =>
        (c0(pod).env = [
          { name: 'DB_PASSWORD', value: 'hunter2' },
          { name: 'API_TOKEN_FILE', value: '/run/secrets/t' },
          { name: 'X', value: 'AKIAABCDEFGHIJKLMNOP' },
        ]),
      ['secret-in-env', 'secret-in-env'],
    ],
    ['env from a secret is fine', (pod) => (c0(pod).env = [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }]), []],
  ])('%s', (_n, mutate, expected) => {
    expect(ids(mutate)).toEqual(expected);
  });

  test('explicit allowPrivilegeEscalation: true is raised to high; a secret value is never in the message', () => {
    const hits = run((pod) => {
      sc(pod).allowPrivilegeEscalation = true;
      c0(pod).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }];
    });
    expect(hits.find((h) => h.ruleId === 'allow-privilege-escalation')?.severity).toBe('high');
    expect(JSON.stringify(hits)).not.toContain('hunter2');
  });

  test('Jobs and Helm hooks need no probes', () => {
    const noProbes = (pod: Obj) => Object.assign(c0(pod), { readinessProbe: undefined, livenessProbe: undefined });
    expect(ids(noProbes, 'Job')).toEqual([]);
    const pod = hardened();
    noProbes(pod);
    expect(checkPolicies('Pod', { metadata: { annotations: { 'helm.sh/hook': 'test' } }, spec: pod })).toEqual([]);
  });
});

describe('init containers get the fix too', () => {
  test('the message names both lists', () => {
    const pod = hardened();
    pod.initContainers = [
      {
        name: 'migrate',
        image: 'registry.example.com/migrate:1.0.0',
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      },
    ];
    (pod.securityContext as Obj).privileged = false;
    const m = checkPolicies('Deployment', deployment(pod)).find((h) => h.ruleId === 'securitycontext-misplaced')!;
    expect(m.message).toMatch(
      /Move it to spec\.template\.spec\.containers\[\*\]\.securityContext\.privileged \(containers: app\) and spec\.template\.spec\.initContainers\[\*\]\.securityContext\.privileged \(init containers: migrate\)\.$/,
    );
  });
});

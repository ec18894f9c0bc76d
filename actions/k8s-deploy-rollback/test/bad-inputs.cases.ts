// Bad input corpus for k8s-deploy-rollback: every case must fail with one line naming the input (or the
// manifest) and what was expected, before anything is applied. Run by bad-inputs.e2e.test.ts through the
// local runner; the workspace it runs in holds the files named here (see that test).
import { unreachableKubeconfig } from './helpers.js';

export const cases: Array<{ name: string; inputs: Record<string, string>; expect: RegExp }> = [
  {
    name: 'kubeconfig that is not YAML',
    inputs: { manifests: 'good', kubeconfig: 'clusters: [unclosed' },
    expect: /input "kubeconfig" must be a kubeconfig \(YAML with clusters, users and contexts\); it is not valid YAML/,
  },
  {
    name: 'kubeconfig without clusters',
    inputs: { manifests: 'good', kubeconfig: 'apiVersion: v1\nkind: Config\nusers: []\n' },
    expect: /input "kubeconfig" must be a kubeconfig .* it has no clusters/,
  },
  { name: 'no manifests and no chart', inputs: { kubeconfig: unreachableKubeconfig() }, expect: /input "manifests" is required/ },
  {
    name: 'manifests glob that matches nothing',
    inputs: { manifests: 'deploy/**/*.yaml', kubeconfig: unreachableKubeconfig() },
    expect: /input "manifests" matched no \.yaml, \.yml or \.json file; got "deploy\/\*\*\/\*\.yaml"/,
  },
  {
    name: 'manifests path that does not exist',
    inputs: { manifests: 'k8s', kubeconfig: unreachableKubeconfig() },
    expect: /input "manifests" must name an existing file, directory or glob; got "k8s"/,
  },
  { name: 'manifest that is not valid YAML', inputs: { manifests: 'invalid.yaml', kubeconfig: unreachableKubeconfig() }, expect: /manifests: invalid\.yaml:\d+ is not valid YAML/ },
  {
    name: 'manifest document that is not an object',
    inputs: { manifests: 'not-an-object.yaml', kubeconfig: unreachableKubeconfig() },
    expect: /manifests: not-an-object\.yaml document 1 is not a Kubernetes object/,
  },
  {
    name: 'placeholder left unreplaced',
    inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig() },
    expect:
      /manifests: 1 value\(s\) still hold a placeholder, nothing was applied: good\/web\.yaml document 1 \(Deployment\/web\): VERSION_PLACEHOLDER at spec\.template\.spec\.containers\[0\]\.image/,
  },
  {
    name: 'unreachable API server',
    inputs: { manifests: 'good', placeholders: 'VERSION_PLACEHOLDER=1.0', kubeconfig: unreachableKubeconfig() },
    expect: /kubeconfig: the Kubernetes API server https:\/\/127\.0\.0\.1:1 did not answer after 3 attempts/,
  },
  {
    name: 'webhook URL that is not https',
    inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig(), 'webhook-url': 'http://hooks.example.com/deploy' },
    expect: /input "webhook-url" must be an https:\/\/ URL/,
  },
  {
    name: 'http webhook on a non-loopback host even with the escape hatch',
    inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig(), 'webhook-url': 'http://10.0.0.5/hook', 'webhook-allow-http-loopback': 'true' },
    expect: /input "webhook-url" must be an https:\/\/ URL \(http is allowed only for 127\.0\.0\.1, localhost or \[::1\]\)/,
  },
  {
    name: 'webhook-on not a known choice',
    inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig(), 'webhook-url': 'https://hooks.example.com/x', 'webhook-on': 'success' },
    expect: /input "webhook-on" must be one of always, failure/,
  },
  {
    name: 'smoke command that is not a JSON array',
    inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig(), 'smoke-command': './smoke.sh --env staging' },
    expect: /input "smoke-command" must be a JSON array of strings/,
  },
  {
    name: 'image substitution without a tag',
    inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig(), images: 'web' },
    expect: /input "images" entries must look like name=registry\/name:tag/,
  },
  { name: 'chart without release', inputs: { chart: 'chart', kubeconfig: unreachableKubeconfig() }, expect: /input "release" is required with chart/ },
  {
    name: 'manifests and chart together',
    inputs: { manifests: 'good', chart: 'chart', release: 'r', kubeconfig: unreachableKubeconfig() },
    expect: /input "chart" cannot be combined with manifests/,
  },
  {
    name: 'timeout that is not a duration',
    inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig(), timeout: 'ten minutes' },
    expect: /input "timeout" must be a duration such as 90s, 5m or 1h30m/,
  },
  { name: 'rollback that is not a boolean', inputs: { manifests: 'good', kubeconfig: unreachableKubeconfig(), rollback: 'yes' }, expect: /input "rollback" must be true or false/ },
  {
    name: 'pending-release not a known mode',
    inputs: { chart: 'chart', release: 'r', kubeconfig: unreachableKubeconfig(), 'pending-release': 'force' },
    expect: /input "pending-release" must be one of fail, rollback/,
  },
  // Rollback on demand (mode: rollback): the inputs that go with it, and only with it.
  { name: 'mode not a known mode', inputs: { mode: 'undo', kubeconfig: unreachableKubeconfig() }, expect: /input "mode" must be one of deploy, rollback; got "undo"/ },
  {
    name: 'mode rollback with manifests',
    inputs: { mode: 'rollback', manifests: 'good', workloads: 'deployment/web', kubeconfig: unreachableKubeconfig() },
    expect: /input "manifests" does not go with mode: rollback, which rolls back what is deployed: name it in workloads/,
  },
  { name: 'mode rollback without workloads', inputs: { mode: 'rollback', kubeconfig: unreachableKubeconfig() }, expect: /input "workloads" is required with mode: rollback/ },
  {
    name: 'workloads that are not kind/name',
    inputs: { mode: 'rollback', workloads: 'ml-api', kubeconfig: unreachableKubeconfig() },
    expect: /input "workloads" entries must look like deployment\/<name>, statefulset\/<name> or daemonset\/<name>, or one release\/<name> for a Helm release; got "ml-api"/,
  },
  {
    name: 'revision that is not a revision number',
    inputs: { mode: 'rollback', workloads: 'deployment/web', revision: 'previous', kubeconfig: unreachableKubeconfig() },
    expect: /input "revision" must be a whole number in 1\.\.2147483647; got "previous"/,
  },
  {
    name: 'one revision for two workloads',
    inputs: { mode: 'rollback', workloads: 'deployment/web\ndeployment/worker', revision: '3', kubeconfig: unreachableKubeconfig() },
    expect: /input "workloads" names 2 workloads, but a revision number belongs to one/,
  },
  {
    name: 'workloads on a deploy',
    inputs: { manifests: 'good', workloads: 'deployment/web', kubeconfig: unreachableKubeconfig() },
    expect: /input "workloads" is for mode: rollback \(a rollback on demand\); a deploy takes manifests or chart/,
  },
];

/** Cases that need a live API server to be told apart: run by manifests.e2e.test.ts on the test cluster, with these files in the workspace. */
export const clusterCases: Array<{ name: string; files: Record<string, string>; inputs: Record<string, string>; expect: RegExp }> = [
  {
    name: 'an unknown kind',
    files: {
      'k8s/web.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: "registry.example/web:1"}]}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n',
    },
    inputs: { manifests: 'k8s' },
    expect: /^k8s-deploy-rollback: manifests: k8s\/web\.yaml document 2: kind Widget \(apiVersion example\.com\/v1\) is not known to the cluster; nothing was applied$/,
  },
  {
    // Issue 25: a typo, another separator and another case of the configured placeholder are refused
    // before the cluster is asked anything, each named with its object and field; nothing is applied.
    name: 'near misses of a configured placeholder',
    files: {
      'k8s/web.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - {name: app, image: "registry.example/web:VERSION_PLACEHOLDR", env: [{name: RELEASE, value: VERSION-PLACEHOLDER}]}\n        - {name: sidecar, image: "registry.example/proxy:VERSION_PLACEHOLDER", args: ["--tag=version_placeholder"]}\n',
      'k8s/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {release: VERSION_PLACEHOLDER}\n',
    },
    inputs: { manifests: 'k8s', placeholders: 'VERSION_PLACEHOLDER=v1.4.2' },
    expect:
      /^k8s-deploy-rollback: manifests: 3 value\(s\) still hold a placeholder or a near miss of one, nothing was applied: k8s\/web\.yaml document 1 \(Deployment\/web\): VERSION_PLACEHOLDR at spec\.template\.spec\.containers\[0\]\.image \(a near miss of the placeholder VERSION_PLACEHOLDER\); k8s\/web\.yaml document 1 \(Deployment\/web\): VERSION-PLACEHOLDER at spec\.template\.spec\.containers\[0\]\.env\[0\]\.value \(a near miss of the placeholder VERSION_PLACEHOLDER\); k8s\/web\.yaml document 1 \(Deployment\/web\): version_placeholder at spec\.template\.spec\.containers\[1\]\.args\[0\] \(a near miss of the placeholder VERSION_PLACEHOLDER\)$/,
  },
  {
    // Issue 25: the same Deployment in two files, defined differently, would be applied twice (a first
    // deploy reaching revision 2); it is a configuration error naming both files, and nothing is applied.
    name: 'one object defined differently in two manifest files',
    files: {
      'k8s/web.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: "registry.example/web:1"}]}\n',
      'k8s/web-v2.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: "registry.example/web:2"}]}\n',
    },
    inputs: { manifests: 'k8s' },
    expect:
      /^k8s-deploy-rollback: manifests: Deployment\/bad-\w+\/web is defined twice with different content, in k8s\/web-v2\.yaml document 2 and in k8s\/web\.yaml document 1; nothing was applied/,
  },
  {
    name: 'a field the API does not know (strict validation)',
    files: {
      'web.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      securityContext: {allowPrivilegeEscalation: false}\n      containers: [{name: app, image: "registry.example/web:1"}]\n',
    },
    inputs: { manifests: 'web.yaml' },
    expect:
      /^k8s-deploy-rollback: manifests: the server-side dry run rejected them, nothing was applied: .*\.spec\.template\.spec\.securityContext\.allowPrivilegeEscalation: field not declared in schema/,
  },
];

// Every rule the action reports: id, default severity, title, help and rationale. The README's rules
// table is generated from this list, and `severity-overrides` / the exceptions file are checked
// against it, so an id that does not exist is an error rather than a silent no-op.
import { InputError, type Severity, SEVERITIES } from '@platform-actions/kit';

type RuleGroup = 'helm' | 'chart' | 'schema' | 'api' | 'security' | 'reliability';

export interface Rule {
  id: string;
  group: RuleGroup;
  /** 'off' for a rule only some teams want (they turn it on with severity-overrides). */
  severity: Severity | 'off';
  title: string;
  /** What to do about it (plain text; also the SARIF help). */
  help: string;
  /** Why it matters and why this severity: peers where they agree, and where we differ. */
  rationale: string;
}

const R = (id: string, group: RuleGroup, severity: Severity | 'off', title: string, help: string, rationale: string): Rule => ({ id, group, severity, title, help, rationale });

export const RULES: readonly Rule[] = [
  R(
    'render-error',
    'helm',
    'critical',
    'Chart does not render',
    'Fix the template or the values so that `helm template` succeeds; the message names the file and line helm reported.',
    'Nothing else can be checked, and the deployment would fail the same way.',
  ),
  R(
    'kube-version-excluded',
    'helm',
    'medium',
    'Chart excludes every target Kubernetes version',
    'Add a Kubernetes version the chart supports to `kubernetes-versions`, or widen `kubeVersion` in Chart.yaml. To make this fail the step, raise it with `severity-overrides: kube-version-excluded=high`.',
    'helm refuses to render the chart for any target, so none of its objects were validated; a warning by default because a chart may target only clusters outside this window on purpose.',
  ),
  R(
    'values-schema',
    'helm',
    'critical',
    "Values do not match the chart's values.schema.json",
    'Change the value at the line named (the message quotes what the schema wants), or the schema if the value is right. The finding points at the values file that sets the key.',
    'helm template, install and upgrade refuse values that fail the schema, so nothing renders; one finding per violation, at the key, instead of one render error at Chart.yaml.',
  ),
  R(
    'values-multi-document',
    'helm',
    'low',
    'Values file with several YAML documents',
    'Keep one YAML document per values file (merge the documents, or split them into files passed in order).',
    'helm 3 reads only the first document of a values file and helm 4 merges all of them in order (checked with helm 3.18.0 and 4.1.4), so the same file means different values after a helm upgrade. Both accept it, hence low; the message says which documents this run used.',
  ),
  R(
    'chart-version-bump',
    'chart',
    'high',
    'Chart changed without a version bump',
    "Raise `version` in Chart.yaml above the base branch's (a patch bump for a fix, minor for a feature, major for a breaking change).",
    "chart-testing's check-version-increment (on by default in ct lint): a chart repository or registry that already holds this version either rejects the new package or serves two different charts under one version. Checked only when base-ref is set, for charts whose files changed since the merge base, against Chart.yaml on the base ref.",
  ),
  R(
    'chart-metadata',
    'chart',
    'high',
    'Chart.yaml field invalid',
    'Fix the field the message names: name, version (SemVer 2, e.g. 1.2.3) and apiVersion are required strings; keywords and sources are lists of strings; a field Chart.yaml does not define is a typo; each maintainer has a name and, when given, a valid email and http(s) url; each dependency has a name and a version.',
    "chart-testing's Chart.yaml schema (yamale in strict mode, etc/chart_schema.yaml) and helm lint both reject these, so high. helm lint's own maintainer and version messages stop at the first problem; this rule names every one at its line, so helm's are not reported twice. ct also asks GitHub whether each maintainer name is an account; that needs the network and is not done here.",
  ),
  R(
    'chart-maintainers',
    'chart',
    'off',
    'Chart lists no maintainers (or a deprecated one lists some)',
    'List at least one maintainer (name, and email or url) in Chart.yaml, or none once the chart is deprecated. Off by default; to check it as ct lint does, set `severity-overrides: chart-maintainers=high`.',
    "chart-testing's validate-maintainers (on by default in ct lint) is a rule for published chart repositories; the internal charts of an application repository often have no maintainers on purpose, and a notice on every such chart would be noise. A maintainer entry that is there but invalid is chart-metadata's (high, on).",
  ),
  R(
    'yaml-lint',
    'chart',
    'low',
    'YAML style (ct lint yamllint rules)',
    'Fix the lines the message lists. The checks are those of the yamllint configuration ct lint uses by default: trailing spaces, a new line at the end of the file, Unix line endings, at most 2 blank lines in a row and none at the start or end, consistent indentation, one space after a hyphen, colon spacing, comment spacing, spaces inside braces, brackets and around commas, and truthy values (yes/no/on/off; info, a warning in ct too). To fail like ct lint, set `severity-overrides: yaml-lint=high`.',
    'ct lint runs yamllint on Chart.yaml and the values files and fails on its errors. None of these changes what helm reads (duplicate keys do, and are yaml-duplicate-key, high), so they are low here: one finding per file and check, listing the lines.',
  ),
  R('helm-lint-error', 'helm', 'high', 'helm lint error', 'Fix what `helm lint --strict` reports as an error.', 'helm itself rejects the chart.'),
  R(
    'helm-lint-warning',
    'helm',
    'medium',
    'helm lint warning',
    'Fix what `helm lint --strict` reports as a warning (`--strict` makes helm fail on it).',
    'helm lint --strict fails on warnings; we report them one level below errors.',
  ),
  R(
    'yaml-invalid',
    'schema',
    'high',
    'Rendered document is not a Kubernetes object',
    'Make the template render a YAML mapping with apiVersion and kind.',
    'kubectl and the API server reject the document.',
  ),
  R(
    'yaml-duplicate-key',
    'schema',
    'high',
    'Duplicate key',
    'Remove one of the repeated keys; only the last one would take effect.',
    'Strict decoding (kubectl --validate=strict, kubeconform -strict) rejects duplicate keys; lenient decoding silently keeps the last value.',
  ),
  R(
    'schema-unknown-field',
    'schema',
    'high',
    'Unknown field',
    'Remove the field or move it to where the Kubernetes API defines it (check spelling and indentation).',
    'Strict field validation rejects the object; without it Kubernetes silently drops the field, so the setting never takes effect.',
  ),
  R(
    'schema-wrong-type',
    'schema',
    'high',
    'Wrong type',
    'Give the field a value of the type the API expects (quote numbers meant as strings; `yes`/`no`/`on`/`off` are booleans in YAML 1.1).',
    'The API server rejects the object.',
  ),
  R('schema-missing-required', 'schema', 'high', 'Required field missing', 'Add the field the API requires.', 'The API server rejects the object.'),
  R(
    'schema-invalid-value',
    'schema',
    'high',
    'Invalid value',
    'Use a value the API accepts (quantities like 500m or 128Mi, RFC 3339 timestamps, base64 in Secret data, enum values).',
    'The API server rejects the object.',
  ),
  R(
    'unknown-kind',
    'schema',
    'info',
    'No schema for this kind',
    "Add the CustomResourceDefinition to the chart's crds/ folder or give its schema through the `schemas` input; set `unknown-kinds: fail` to make this an error.",
    'Without a schema nothing about the object can be checked; a notice by default because CRDs often come from elsewhere.',
  ),
  R(
    'api-not-served',
    'api',
    'high',
    'API version not served',
    'Move the object to an apiVersion the target Kubernetes version serves (the message names it).',
    'The API server rejects objects of API versions it does not serve; the deployment fails.',
  ),
  R(
    'api-deprecated',
    'api',
    'medium',
    'Deprecated API version',
    'Migrate to the replacement the message names before upgrading the cluster.',
    'Works today, fails after the upgrade that removes it.',
  ),
  R(
    'securitycontext-misplaced',
    'security',
    'high',
    'securityContext field in the wrong place',
    "Move the field to the context the message names: capabilities, privileged, readOnlyRootFilesystem, allowPrivilegeEscalation and procMount belong in each container's securityContext; fsGroup, fsGroupChangePolicy, supplementalGroups, supplementalGroupsPolicy, sysctls and seLinuxChangePolicy in the pod's; hostNetwork, hostPID, hostIPC and hostUsers in the pod spec itself.",
    'helm lint and helm template accept it; Kubernetes rejects it under strict validation or, with Helm 3 and lenient clients, silently drops it, so the workload runs without the protection the chart author intended. No peer has a dedicated rule; kubeconform -strict reports it only as an unknown field.',
  ),
  R(
    'privileged-container',
    'security',
    'critical',
    'Privileged container',
    'Remove `privileged: true`; grant only the capabilities the workload needs.',
    'A privileged container has full access to the node. kubesec gives it its largest penalty (-30, "critical"), kubescape C-0057 scores it 8 (high), kube-linter enables privileged-container by default; we follow kubesec.',
  ),
  R(
    'allow-privilege-escalation',
    'security',
    'medium',
    'Privilege escalation not disabled',
    "Set `allowPrivilegeEscalation: false` in every container's securityContext.",
    'Pod Security Standards "restricted" requires false. kubescape C-0016 scores an unset value 6 (medium); kubesec (-7) and kube-linter flag an explicit true, which we raise to high.',
  ),
  R(
    'run-as-non-root',
    'security',
    'medium',
    'May run as root',
    'Set `runAsNonRoot: true` (pod or container securityContext) or a non-zero `runAsUser`.',
    'kubescape C-0013 scores it 6 (medium); kube-linter run-as-non-root is on by default (effective value, container overrides pod), as here.',
  ),
  R(
    'read-only-root-filesystem',
    'security',
    'low',
    'Writable root filesystem',
    "Set `readOnlyRootFilesystem: true` in each container's securityContext and mount writable volumes where the app needs them.",
    'kubescape C-0017 scores it 3 (low); kubesec only rewards it (+1); kube-linter no-read-only-root-fs is on by default.',
  ),
  R(
    'capabilities-drop-all',
    'security',
    'low',
    'Capabilities not dropped',
    "Add `capabilities: {drop: [ALL]}` to each container's securityContext and add back only what is needed.",
    'Pod Security Standards "restricted" requires dropping ALL; kubesec rewards it (+1). Hardening advice, hence low.',
  ),
  R(
    'dangerous-capabilities',
    'security',
    'high',
    'Dangerous capabilities added',
    'Remove added capabilities outside the Pod Security Standards baseline set (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL, …).',
    'kubescape C-0046 scores it 7 (high); kubesec penalises SYS_ADMIN by -30.',
  ),
  R(
    'host-namespaces',
    'security',
    'high',
    'Host namespaces shared',
    'Remove hostNetwork, hostPID and hostIPC unless the workload is a node agent that needs them (then add an exception with the reason).',
    'kubescape C-0038 (PID/IPC) and C-0041 (network) score 7 (high); kubesec -9 each.',
  ),
  R(
    'host-path-volume',
    'security',
    'high',
    'hostPath volume',
    'Use a persistentVolumeClaim, emptyDir, configMap or secret volume instead of hostPath.',
    "A hostPath mount exposes the node's filesystem. kubescape C-0048 scores it 7 (high).",
  ),
  R(
    'seccomp-profile',
    'security',
    'medium',
    'No seccomp profile',
    'Set `seccompProfile: {type: RuntimeDefault}` in the pod (or every container) securityContext.',
    'Pod Security Standards "restricted" requires RuntimeDefault or Localhost; kubescape C-0055 (Linux hardening) scores 4 (medium).',
  ),
  R(
    'resources-missing',
    'reliability',
    'medium',
    'Resource requests or limits missing',
    'Set resources.requests.cpu, resources.requests.memory and resources.limits.memory for every container.',
    'Without them one workload can starve a node. kubescape C-0009 scores limits 7 (high); kube-linter unset-cpu/memory-requirements are on by default; kubesec only rewards them. We differ from kubescape (medium): it is an availability risk, not a privilege one, and we do not require a CPU limit.',
  ),
  R(
    'image-tag',
    'reliability',
    'medium',
    'Image without a pinned tag',
    'Use an explicit version tag or a digest instead of no tag or `latest`.',
    'A moving tag makes deployments and rollbacks unreproducible. kube-linter latest-tag is on by default; kubescape C-0075 scores 2 (low) and only when imagePullPolicy is not Always. We differ (medium) because a rollback to the same tag may not restore the old image.',
  ),
  R(
    'probes-missing',
    'reliability',
    'low',
    'Liveness or readiness probe missing',
    'Add a readinessProbe (and a livenessProbe where a restart helps) to every long-running container.',
    'kubescape C-0018 (readiness, 3) and C-0056 (liveness, 4) score low/medium; kube-linter has them off by default. Jobs, CronJobs and Helm hooks are not checked.',
  ),
  R(
    'secret-in-env',
    'security',
    'high',
    'Secret-looking literal in env',
    'Move the value into a Secret and reference it with valueFrom.secretKeyRef.',
    'Literal values are readable by anyone who can read the workload. kubescape C-0012 scores 8 (high); kube-linter env-var-secret is on by default. The value itself is never printed.',
  ),
];

export const RULE_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));

export type Overrides = ReadonlyMap<string, Severity | 'off'>;

/** Parses `severity-overrides` lines like `run-as-non-root=high` or `probes-missing=off`. */
export function parseOverrides(input: string, items: readonly string[]): Overrides {
  const out = new Map<string, Severity | 'off'>();
  for (const item of items) {
    const m = /^([a-z0-9-]+)\s*[=:]\s*([a-z]+)$/i.exec(item.trim());
    if (!m) throw new InputError(input, 'must be lines of <rule-id>=<severity|off>, e.g. "probes-missing=off"', item);
    const id = m[1].toLowerCase();
    const sev = m[2].toLowerCase();
    if (!RULE_BY_ID.has(id)) throw new InputError(input, `names an unknown rule "${id}" (known rules: ${RULES.map((r) => r.id).join(', ')})`, item);
    if (sev !== 'off' && !(SEVERITIES as readonly string[]).includes(sev))
      throw new InputError(input, `sets rule "${id}" to an unknown severity (use ${SEVERITIES.join(', ')} or off)`, item);
    out.set(id, sev as Severity | 'off');
  }
  return out;
}

/** The severity a rule reports at after overrides; `natural` is the finding's own default (e.g. raised for an explicit true). */
export function effectiveSeverity(ruleId: string, natural: Severity | 'off', overrides: Overrides): Severity | 'off' {
  return overrides.get(ruleId) ?? natural;
}

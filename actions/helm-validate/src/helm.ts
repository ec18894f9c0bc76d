// helm: install or find it, build its argument arrays, and read what it says. Works with helm 3 and
// helm 4 (their error texts differ: helm 3 prints `template: file:line:col: …` on one line, helm 4
// prints `file:line:col` and the cause indented on the following lines).
import { InputError, installRelease, type InstalledTool, UserError, useSystemTool } from '@platform-actions/kit';

export interface Helm {
  bin: string;
  version: string;
  major: number;
}

const MIN_HELM = '3.8.0';

/** `system` uses helm from PATH; a version such as 3.20.2 or v4.1.4 installs that release from get.helm.sh (or `mirror`). */
export async function setupHelm(version: string, mirror?: string): Promise<Helm> {
  let tool: InstalledTool;
  if (version === 'system') {
    tool = await useSystemTool({ tool: 'helm', versionArgs: ['version', '--template', '{{.Version}}'], versionPattern: /v?(\d+\.\d+\.\d+)/, minVersion: MIN_HELM }).catch(
      (e: unknown) => {
        if (e instanceof UserError && /not on PATH/.test(e.message)) {
          throw new UserError('helm is not on PATH: install it in an earlier step (e.g. azure/setup-helm) or set input "helm-version" to a release such as 3.20.2 or 4.1.4');
        }
        throw e;
      },
    );
  } else {
    const v = parseHelmVersion(version);
    const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const archive = `helm-v${v}-linux-${arch}.tar.gz`;
    tool = await installRelease(
      {
        tool: 'helm',
        version: v,
        baseUrl: 'https://get.helm.sh',
        asset: { path: archive, checksumsPath: `${archive}.sha256sum` },
        binaries: [`linux-${arch}/helm`],
      },
      { mirror, timeoutMs: 120_000 },
    );
  }
  return { bin: tool.bin.helm, version: tool.version, major: Number(tool.version.split('.')[0]) };
}

/**
 * helm 3.18.0 reads numbers from values files as json.Number (its backport of the toToml fix, helm/helm#13534),
 * so typeOf says json.Number, typeIs "float64" and kindIs "float64" are false (kindOf says string), and printf
 * verbs render "%!d(json.Number=80)". Charts that branch on a number's type then render it as a string, and
 * fine charts get findings. 3.18.1 reverted it (helm/helm#30880, commit bec66098). Checked with the real 3.18.0
 * against 4.1.4. So the advice comes first, and again next to each finding and render error that shows it.
 */
export const BUGGY_HELM: Readonly<Record<string, string>> = {
  '3.18.0':
    'helm 3.18.0 has a known rendering regression (helm/helm#30880): numbers from values files reach templates as json.Number, so typeOf/typeIs/kindIs checks on them take the wrong branch and printf renders "%!d(json.Number=…)"; findings on numbers rendered as strings may be its doing, not the chart’s. Use helm 3.18.1 or newer (for example helm-version: 3.20.2).',
};

/** helm 3.18.1 reverted the regression; this is said next to each finding it may have caused. */
const FIXED_IN = '3.18.1';

/** One warning line when this helm has a known rendering bug. */
export const helmVersionAdvice = (helm: Pick<Helm, 'version'>): string | undefined => BUGGY_HELM[helm.version];

/** Advice to append to a render error that looks like the known bug of this helm version. */
export function knownBugAdvice(helm: Pick<Helm, 'version'>, message: string): string | undefined {
  return BUGGY_HELM[helm.version] && /json\.Number/.test(message) ? `(This is likely helm ${helm.version}'s bug, not the chart's: use helm ${FIXED_IN} or newer.)` : undefined;
}

/**
 * The hint for a schema finding that looks like helm 3.18.0's regression: a number from the values
 * rendered as a string ("80", or "%!d(json.Number=80)") where the API wants a number or an enum value.
 */
export function knownBugHint(helm: Pick<Helm, 'version'>, issue: { ruleId: string; value?: unknown }): string | undefined {
  if (!BUGGY_HELM[helm.version] || !['schema-wrong-type', 'schema-invalid-value'].includes(issue.ruleId)) return undefined;
  const v = issue.value;
  if (typeof v !== 'string' || !(/^-?\d+(\.\d+)?$/.test(v.trim()) || v.includes('json.Number'))) return undefined;
  return `(Possibly helm ${helm.version}'s regression, not the chart: it hands numbers from values to templates as json.Number, so type checks and printf turn them into strings; helm/helm#30880, fixed in ${FIXED_IN}. Check with helm ${FIXED_IN} or newer before changing the chart.)`;
}

/** Validates the `helm-version` input: `system` or a full release number from 3.8.0 on. */
export function parseHelmVersion(text: string): string {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!m || Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 8)) {
    throw new InputError('helm-version', `must be "system" or a helm release from ${MIN_HELM} on, such as 3.20.2 or 4.1.4`, text);
  }
  return `${m[1]}.${m[2]}.${m[3]}`;
}

export interface TemplateArgs {
  release: string;
  chartDir: string;
  namespace: string;
  kubeVersion: string;
  valuesFiles: readonly string[];
  apiVersions: readonly string[];
}

export function templateArgs(a: TemplateArgs): string[] {
  return [
    'template',
    a.release,
    a.chartDir,
    '--namespace',
    a.namespace,
    '--kube-version',
    `v${a.kubeVersion.replace(/^v/, '')}`,
    '--include-crds',
    ...a.apiVersions.flatMap((v) => ['--api-versions', v]),
    ...a.valuesFiles.flatMap((f) => ['--values', f]),
  ];
}

export function lintArgs(chartDir: string, valuesFiles: readonly string[]): string[] {
  return ['lint', chartDir, '--strict', ...valuesFiles.flatMap((f) => ['--values', f])];
}

/** `--skip-refresh` when every missing dependency is a local file:// chart, so the build works offline. */
export function dependencyBuildArgs(chartDir: string, allLocal: boolean): string[] {
  return ['dependency', 'build', chartDir, ...(allLocal ? ['--skip-refresh'] : [])];
}

export interface RenderError {
  /** Path as helm printed it (chart name first), e.g. web/templates/deployment.yaml */
  file?: string;
  line?: number;
  column?: number;
  /** One line, without helm's "Error:" prefix and "--debug" advice. */
  message: string;
}

/** Helm's error output, flattened to one line. */
export function helmErrorText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((l) => !/^Use --debug flag/.test(l) && !/^(WARNING|walk\.go|install\.go|coalesce\.go)/.test(l.trim()))
    .map((l) => l.trim())
    .filter(Boolean);
  const at = lines.findIndex((l) => l.startsWith('Error:'));
  const from = at >= 0 ? lines.slice(at) : lines;
  return from
    .join(' ')
    .replace(/^Error:\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where a template failed, from helm 3 or helm 4 output. */
export function parseRenderError(stderr: string): RenderError {
  const message = helmErrorText(stderr);
  const loc =
    /(?:template: |execution error at \(|parse error at \(|^)([^\s:()]+\.(?:ya?ml|tpl|txt|json)):(\d+)(?::(\d+))?/.exec(message) ??
    /(?:YAML parse error on |error converting YAML.*? on )([^\s:]+\.(?:ya?ml|tpl))/.exec(message);
  if (!loc) return { message };
  return { file: loc[1], line: loc[2] ? Number(loc[2]) : undefined, column: loc[3] ? Number(loc[3]) : undefined, message };
}

/** `chart requires kubeVersion: >=1.36 which is incompatible with Kubernetes v1.35.4`: the chart opts out of that version. */
export function kubeVersionConstraint(stderr: string): string | undefined {
  return /chart requires kubeVersion: (.+?) which is incompatible with Kubernetes/.exec(stderr)?.[1];
}

export interface LintMessage {
  level: 'ERROR' | 'WARNING' | 'INFO';
  /** Chart-relative path helm names, e.g. templates/deployment.yaml, Chart.yaml, or templates/ */
  path: string;
  message: string;
}

/** `helm lint` output: `[LEVEL] path: message`, with helm 4 continuing a message on indented lines. */
export function parseLint(output: string): LintMessage[] {
  const out: LintMessage[] = [];
  let cur: LintMessage | undefined;
  for (const line of output.split('\n')) {
    const m = /^\[(ERROR|WARNING|INFO)\] ([^:]*?): ?(.*)$/.exec(line);
    if (m) {
      cur = { level: m[1] as LintMessage['level'], path: m[2].trim(), message: m[3].trim() };
      out.push(cur);
    } else if (cur && line.trim() && !/^(==> Linting|\d+ chart\(s\) linted|Error:)/.test(line.trim())) {
      cur.message = `${cur.message} ${line.trim()}`.trim();
    } else if (!line.trim()) {
      cur = undefined;
    }
  }
  return out;
}

// helm-validate benchmark (issue #4): strict schema + policy validation of ≥ 2,000 rendered objects,
// against `kubeconform -strict` on the same YAML, side by side in the same run. Both are whole
// processes reading local schemas: ours is bundled like the action (ncc, Node 24) with its shipped
// schema file; kubeconform gets strict JSON schemas generated from the same upstream swagger.json.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaLocation, swaggerFor, writeKubeconformSchemas } from '../actions/helm-validate/test/helpers/kubeconform.js';
import { fixtureCharts } from '../actions/helm-validate/test/helpers/paths.js';
import { toolBin } from '../test/harness/tools.js';
import { report, sideBySide } from './lib.js';

const VERSION = '1.37.2';
const TARGET_OBJECTS = 2400;

/** Rendered fixture charts, repeated with unique names until there are enough objects. */
function renderedStream(): { text: string; objects: number } {
  const helm = toolBin('helm');
  const renders = [
    ['clean', []],
    ['sentiment-api', []],
    ['shop', []],
    ['matrix', ['--values', join(fixtureCharts, 'matrix', 'values-staging.yaml')]],
    ['matrix', ['--values', join(fixtureCharts, 'matrix', 'values-production.yaml')]],
  ] as const;
  const docs: string[] = [];
  for (const [chart, extra] of renders) {
    const out = execFileSync(helm, ['template', 'release', join(fixtureCharts, chart), '--kube-version', `v${VERSION}`, ...extra], { encoding: 'utf8' });
    docs.push(...out.split(/^---$/m).filter((d) => /^kind:/m.test(d)));
  }
  const parts: string[] = [];
  for (let i = 0; parts.length < TARGET_OBJECTS; i++) for (const d of docs) parts.push(d.replace(/name: release-/g, `name: r${i}-`));
  return { text: `---${parts.join('---')}`, objects: parts.length };
}

function time(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
  });
}

export async function benchHelmValidate(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-helm-validate-'));
  const { text, objects } = renderedStream();
  const file = join(dir, 'rendered.yaml');
  writeFileSync(file, text);

  // Bundled with the same ncc settings as the action (scripts/bundle.mjs is plain JS, hence the untyped import).
  const bundler = '../scripts/bundle.mjs';
  const { bundle } = (await import(bundler)) as { bundle: (entry: string, outDir: string) => void };
  const ours = join(dir, 'ours');
  bundle(join(process.cwd(), 'bench', 'helm-validate-cli.ts'), ours);
  execFileSync(process.execPath, ['actions/helm-validate/scripts/build-assets.mjs', ours]);
  const schemas = join(dir, 'kubeconform');
  writeKubeconformSchemas(schemas, VERSION, swaggerFor(VERSION));
  const node24 = toolBin('node24', 'node');
  const kc = toolBin('kubeconform');
  const kcArgs = ['-strict', '-summary', '-kubernetes-version', VERSION, '-schema-location', schemaLocation(schemas), file];

  // What each found, so the timing compares real work.
  const found = JSON.parse(execFileSync(node24, [join(ours, 'index.js'), file, VERSION.split('.').slice(0, 2).join('.')], { encoding: 'utf8' })) as {
    objects: number;
    invalid: number;
    schema: number;
    policy: number;
  };
  let summary = '';
  try {
    execFileSync(kc, kcArgs, { encoding: 'utf8' });
  } catch (e) {
    summary =
      String((e as { stdout?: string }).stdout ?? '')
        .trim()
        .split('\n')
        .pop() ?? '';
  }
  console.log(
    `helm-validate bench: ${objects} rendered objects; ours: ${found.invalid} invalid objects (${found.schema} schema problems) and ${found.policy} policy hits; kubeconform: ${summary}`,
  );

  const r = await sideBySide(
    [
      { name: 'ours', run: () => time(node24, [join(ours, 'index.js'), file, '1.37']) },
      { name: 'kubeconform', run: () => time(kc, kcArgs) },
    ],
    9,
    2,
  );
  return report(
    `helm-validate: strict schema + policies on ${objects} objects (Kubernetes ${VERSION})`,
    { name: 'helm-validate', ms: r.ours },
    { name: 'kubeconform -strict', ms: r.kubeconform },
    1.0,
  );
}

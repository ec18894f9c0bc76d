// tf-lock-check benchmark (issue #12): lint over a synthetic repository at the scale of the large real
// one the issue was measured on (1,000+ .tf files, 100+ S3 roots, 60 workflows, wrapper scripts and a
// Makefile), generated here, timed side by side with checkov and `terraform fmt -check -recursive` on
// the same tree. All three are measured spawn to exit: ours is the whole action (Node 24, bundle, every
// rule and reporter) through the local runner.
// - checkov runs only its backend-locking check (CKV_TF_3). Its PyPI wheels (3.2.x and 3.3.x, checked up to
//   3.3.30) do not ship that check, so checkov parses and graphs every root and runs no check: a lower
//   bound of what the check would cost. Target: at most 0.5x checkov.
// - `terraform fmt -check -recursive` only parses and formats: a floor for "read every .tf file" in a
//   native binary. Target: at most 3x (we also read workflows and scripts, start Node and report).
// Before timing, our answer is checked: every unlocked root (TFLOCK001) and every job that applies through
// a wrapper script without a concurrency group (TFLOCK008), nothing else at high or above.
// checkov and terraform come from the harness (provision/checkov.sh, provision/terraform.sh).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../test/harness/tools.js';
import { runBundledAction } from '../test/runner/runner.js';
import { report, sideBySide } from './lib.js';

const ENVS = ['dev', 'test', 'staging', 'production', 'dr'];
const STACKS = 26; // 5 × 26 = 130 roots
const MODULES = 60;
const WORKFLOWS = 60;
const WRAPPER_JOBS = 10; // workflows whose apply job calls scripts/apply.sh with no concurrency group

interface Planted {
  tfFiles: number;
  roots: number;
  unlocked: number;
  wrapperJobs: number;
}

function buildRepo(dir: string): Planted {
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  let tfFiles = 0;
  const tf = (rel: string, text: string) => {
    write(rel, text);
    tfFiles++;
  };
  for (let m = 0; m < MODULES; m++) {
    const mod = `modules/mod-${m}`;
    tf(`${mod}/variables.tf`, `variable "name" {\n  type = string\n}\n\nvariable "tags" {\n  type    = map(string)\n  default = {}\n}\n`);
    tf(`${mod}/main.tf`, `locals {\n  full_name = "\${var.name}-${m}"\n}\n\nresource "terraform_data" "this" {\n  input = merge(var.tags, { name = local.full_name })\n}\n`);
    tf(`${mod}/outputs.tf`, `output "id" {\n  value = terraform_data.this.id\n}\n`);
    tf(`${mod}/versions.tf`, `terraform {\n  required_version = ">= 1.10"\n}\n`);
    tf(`${mod}/data.tf`, `locals {\n  index = ${m}\n}\n`);
  }
  let roots = 0;
  let unlocked = 0;
  // A shared provider file linked into every production root (the symlink pattern of issue #12).
  tf('common/providers.tf', `provider "terraform" {}\n`);
  ENVS.forEach((env, e) => {
    for (let s = 0; s < STACKS; s++) {
      const root = `envs/${env}/stack-${s}`;
      const n = e * STACKS + s;
      const locking = n % 10 === 0 ? '' : n % 10 === 1 ? 'dynamodb_table = "tf-locks"\n    use_lockfile   = true' : 'use_lockfile = true';
      if (!locking) unlocked++;
      roots++;
      tf(
        `${root}/backend.tf`,
        `terraform {\n  required_version = ">= 1.10"\n  backend "s3" {\n    bucket  = "acme-tfstate-${env}"\n    key     = "${env}/stack-${s}/terraform.tfstate"\n    region  = "eu-west-1"\n    encrypt = true\n    ${locking}\n  }\n}\n`,
      );
      tf(`${root}/main.tf`, `module "app" {\n  source = "../../../modules/mod-${n % MODULES}"\n  name   = "stack-${s}"\n  tags   = local.tags\n}\n`);
      tf(`${root}/variables.tf`, `variable "replicas" {\n  type    = number\n  default = ${(n % 4) + 1}\n}\n`);
      tf(`${root}/locals.tf`, `locals {\n  tags = { env = "${env}", stack = "stack-${s}", owner = "team-${n % 9}" }\n}\n`);
      tf(`${root}/outputs.tf`, `output "id" {\n  value = module.app.id\n}\n`);
      if (env === 'production') symlinkSync('../../../common/providers.tf', join(dir, root, 'providers.tf'));
      else tf(`${root}/providers.tf`, `provider "terraform" {}\n`);
    }
  });
  write(
    'scripts/apply.sh',
    `#!/usr/bin/env bash\n# Usage: scripts/apply.sh <env> <stack>\nset -euo pipefail\nroot="envs/$1/$2"\nterraform -chdir="$root" init -input=false\nterraform -chdir="$root" apply -input=false -auto-approve -lock-timeout=10m\n`,
  );
  write(
    'scripts/plan.sh',
    `#!/usr/bin/env bash\nset -euo pipefail\nterraform -chdir="envs/$1/$2" init -input=false\nterraform -chdir="envs/$1/$2" plan -input=false -lock-timeout=5m\n`,
  );
  write(
    'Makefile',
    `ENV ?= dev\nSTACK ?= stack-0\nROOT := envs/$(ENV)/$(STACK)\n\ninit:\n\tterraform -chdir=$(ROOT) init -input=false\n\nplan: init\n\tterraform -chdir=$(ROOT) plan -lock-timeout=5m\n\napply: init\n\tterraform -chdir=$(ROOT) apply -auto-approve -lock-timeout=10m\n`,
  );
  for (let w = 0; w < WORKFLOWS; w++) {
    const env = ENVS[w % ENVS.length];
    const stack = `stack-${w % STACKS}`;
    const wrapper = w < WRAPPER_JOBS;
    const viaMake = !wrapper && w % 3 === 0;
    const concurrency = wrapper ? '' : `concurrency:\n  group: terraform-${env}-${stack}\n  cancel-in-progress: false\n`;
    const applyRun = wrapper
      ? `bash scripts/apply.sh ${env} ${stack}`
      : viaMake
        ? `make apply ENV=${env} STACK=${stack}`
        : `|\n          terraform -chdir=envs/${env}/${stack} init -input=false\n          terraform -chdir=envs/${env}/${stack} apply -auto-approve -lock-timeout=10m`;
    write(
      `.github/workflows/deploy-${w}.yml`,
      `name: deploy ${env} ${stack}
on:
  push:
    branches: [main]
    paths: ['envs/${env}/${stack}/**']
  pull_request:
    paths: ['envs/${env}/${stack}/**']
${concurrency}permissions:
  contents: read
  id-token: write
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
      - run: bash scripts/plan.sh ${env} ${stack}
  apply:
    needs: plan
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    environment: ${env}
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
      - name: Apply
        run: ${applyRun}
`,
    );
  }
  return { tfFiles, roots, unlocked, wrapperJobs: WRAPPER_JOBS };
}

/** Spawns a tool and resolves with its wall time and output (stdout). */
function timed(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.resume();
    child.on('error', rej);
    child.on('close', (code) => res({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code, out }));
  });
}

async function checkov(dir: string): Promise<{ ms: number; failed: number }> {
  const r = await timed(toolBin('checkov'), ['-d', dir, '--framework', 'terraform', '--check', 'CKV_TF_3', '-o', 'json', '--quiet', '--skip-download'], {
    ...process.env,
    BC_SKIP_MAPPING: 'TRUE',
    LOG_LEVEL: 'ERROR',
  });
  try {
    const j = JSON.parse(r.out) as { results?: { failed_checks?: Array<{ check_id: string }> } } | Array<{ results?: { failed_checks?: Array<{ check_id: string }> } }>;
    const runs = Array.isArray(j) ? j : [j];
    return { ms: r.ms, failed: runs.flatMap((x) => x.results?.failed_checks ?? []).filter((c) => c.check_id === 'CKV_TF_3').length };
  } catch {
    throw new Error(`bench: checkov output is not JSON: ${r.out.slice(0, 500)}`);
  }
}

async function terraformFmt(dir: string): Promise<number> {
  const r = await timed(toolBin('terraform'), ['fmt', '-check', '-recursive', dir], { ...process.env, CHECKPOINT_DISABLE: '1' });
  // Exit 3 lists files that are not formatted; anything else non-zero is a failure to read them.
  if (r.code !== 0 && r.code !== 3) throw new Error(`bench: terraform fmt exited ${r.code}`);
  return r.ms;
}

const lintInputs = { command: 'lint', 'fail-on': 'none', 'terraform-version': '1.10.5' };

export async function benchTfLockCheck(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tflc-'));
  try {
    const planted = buildRepo(dir);
    // Same answer first: every planted problem found, nothing else at high or above.
    const probe = await runBundledAction({ action: 'tf-lock-check', workspace: dir, inputs: lintInputs });
    // From the SARIF file: annotations are capped per step, SARIF holds every result.
    const sarif = JSON.parse(readFileSync(probe.outputs['sarif-file'], 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    const count = (id: string) => sarif.runs.flatMap((r) => r.results).filter((r) => r.ruleId === id).length;
    const high = Number(probe.outputs['high-count']) + Number(probe.outputs['critical-count'] ?? 0);
    if (count('TFLOCK001') !== planted.unlocked || count('TFLOCK008') !== planted.wrapperJobs || high !== planted.unlocked + planted.wrapperJobs) {
      throw new Error(
        `bench: expected ${planted.unlocked} TFLOCK001 and ${planted.wrapperJobs} TFLOCK008 (and nothing else at high or above); got ${count('TFLOCK001')}, ${count('TFLOCK008')}, ${high} at high or above`,
      );
    }
    const rootsLine = /Checked (\d+) root module\(s\)/.exec(probe.main.log)?.[1];
    if (Number(rootsLine) !== planted.roots) throw new Error(`bench: expected ${planted.roots} roots checked; the log says ${rootsLine}`);
    const peer = await checkov(dir);
    if (peer.failed !== planted.unlocked)
      console.log(
        `tf-lock-check bench: checkov flagged ${peer.failed} of ${planted.unlocked} unlocked roots (its package lacks CKV_TF_3); timing its terraform scan as a lower bound`,
      );
    const med = await sideBySide(
      [
        { name: 'tf-lock-check', run: async () => (await runBundledAction({ action: 'tf-lock-check', workspace: dir, inputs: lintInputs })).main.durationMs },
        { name: 'checkov CKV_TF_3', run: async () => (await checkov(dir)).ms },
        { name: 'terraform fmt', run: () => terraformFmt(dir) },
      ],
      3,
      1,
    );
    console.log(
      `tf-lock-check bench: ${planted.tfFiles} .tf files, ${planted.roots} roots, ${MODULES} modules, ${WORKFLOWS} workflows (${planted.wrapperJobs} applying through scripts/apply.sh, others directly or through make); found all ${planted.unlocked} unlocked roots and ${planted.wrapperJobs} wrapper jobs without concurrency`,
    );
    const a = report('tf-lock-check lint vs checkov CKV_TF_3', { name: 'tf-lock-check', ms: med['tf-lock-check'] }, { name: 'checkov', ms: med['checkov CKV_TF_3'] }, 0.5);
    const b = report(
      'tf-lock-check lint vs terraform fmt -check -recursive',
      { name: 'tf-lock-check', ms: med['tf-lock-check'] },
      { name: 'terraform fmt', ms: med['terraform fmt'] },
      3,
    );
    return a && b;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/tf-lock-check.ts` runs this bench alone.
if (process.argv[1]?.endsWith('bench/tf-lock-check.ts')) process.exitCode = (await benchTfLockCheck()) ? 0 : 1;

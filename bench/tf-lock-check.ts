// tf-lock-check benchmark (issue #6): the static checks over a synthetic repository with 500 root
// modules and 100 workflow files, against checkov's backend-locking check (CKV_TF_3) on the same
// repository, side by side in one process (see the note below on what checkov's package ships). Both are measured spawn to exit: ours is the whole action
// (Node 24, bundle, every rule and reporter) through the local runner; checkov runs only CKV_TF_3.
// Target: at most 0.5x checkov's time. checkov comes from the harness (provision/checkov.sh).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../test/harness/tools.js';
import { runAction } from '../test/runner/runner.js';
import { report, sideBySide } from './lib.js';

const ROOTS = 500;
const WORKFLOWS = 100;

/** Every fifth root has no locking: both tools must find exactly those. */
function buildRepo(dir: string): number {
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  let unlocked = 0;
  for (let i = 0; i < ROOTS; i++) {
    const locking = i % 5 === 0 ? '' : i % 5 === 1 ? 'dynamodb_table = "locks"' : 'use_lockfile = true';
    if (!locking) unlocked++;
    write(
      `services/svc-${i}/main.tf`,
      `terraform {
  required_version = ">= 1.10"
  backend "s3" {
    bucket  = "tfstate-${i % 7}"
    key     = "services/svc-${i}/terraform.tfstate"
    region  = "eu-west-1"
    encrypt = true
    ${locking}
  }
}

variable "replicas" {
  type    = number
  default = ${i % 4 + 1}
}

locals {
  tags = { service = "svc-${i}", tier = "${i % 2 ? 'web' : 'worker'}" }
  names = [for n in range(var.replicas) : "svc-${i}-\${n}"]
}

resource "terraform_data" "service" {
  for_each = toset(local.names)
  input    = merge(local.tags, { name = each.key })
}

output "names" {
  value = local.names
}
`,
    );
  }
  for (let w = 0; w < WORKFLOWS; w++) {
    const a = (w * 5) % ROOTS;
    write(
      `.github/workflows/deploy-${w}.yml`,
      `name: deploy-${w}
on:
  push:
    branches: [main]
concurrency:
  group: deploy-${w}
  cancel-in-progress: false
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: terraform -chdir=services/svc-${a} init
      - run: terraform -chdir=services/svc-${a} plan -lock-timeout=300s
  apply:
    needs: plan
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          terraform -chdir=services/svc-${a + 1} init
          terraform -chdir=services/svc-${a + 1} apply -auto-approve -lock-timeout=300s
`,
    );
  }
  return unlocked;
}

function checkov(dir: string): Promise<{ ms: number; failed: number }> {
  const args = ['-d', dir, '--framework', 'terraform', '--check', 'CKV_TF_3', '-o', 'json', '--quiet', '--skip-download'];
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(toolBin('checkov'), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', LOG_LEVEL: 'ERROR' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('close', () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      try {
        const j = JSON.parse(out) as { results?: { failed_checks?: Array<{ check_id: string }> } } | Array<{ results?: { failed_checks?: Array<{ check_id: string }> } }>;
        const runs = Array.isArray(j) ? j : [j];
        res({ ms, failed: runs.flatMap((r) => r.results?.failed_checks ?? []).filter((c) => c.check_id === 'CKV_TF_3').length });
      } catch {
        rej(new Error(`bench: checkov output is not JSON: ${out.slice(0, 500)}`));
      }
    });
  });
}

export async function benchTfLockCheck(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tflc-'));
  try {
    const unlocked = buildRepo(dir);
    // Same answer first: both flag exactly the roots without locking.
    const probe = await runAction({ action: 'tf-lock-check', workspace: dir, inputs: { command: 'lint', 'fail-on': 'none', 'terraform-version': '1.10.5' } });
    const ours = probe.main.annotations.filter((a) => a.title?.includes('TFLOCK001')).length;
    const high = Number(probe.outputs['high-count']);
    const peer = await checkov(dir);
    if (high !== unlocked) throw new Error(`bench: expected ${unlocked} unlocked roots; tf-lock-check found ${high} (annotated ${ours})`);
    // The PyPI wheels of checkov (3.2.x and 3.3.x, checked up to 3.3.30) do not ship CKV_TF_3 (StateLock is
    // in the repository but not in the package), so `--check CKV_TF_3` parses and graphs every root and runs
    // no check: a lower bound of what the check would cost. Say so rather than compare answers.
    if (peer.failed !== unlocked) console.log(`tf-lock-check bench: checkov flagged ${peer.failed} of ${unlocked} unlocked roots (its package lacks CKV_TF_3); timing its terraform scan as a lower bound`);
    const med = await sideBySide(
      [
        {
          name: 'tf-lock-check',
          run: async () => (await runAction({ action: 'tf-lock-check', workspace: dir, inputs: { command: 'lint', 'fail-on': 'none', 'terraform-version': '1.10.5' } })).main.durationMs,
        },
        { name: 'checkov CKV_TF_3', run: async () => (await checkov(dir)).ms },
      ],
      3,
      1,
    );
    console.log(`tf-lock-check bench: ${ROOTS} roots, ${WORKFLOWS} workflows, ${unlocked} unlocked roots, all found by tf-lock-check`);
    return report('tf-lock-check lint vs checkov CKV_TF_3', { name: 'tf-lock-check', ms: med['tf-lock-check'] }, { name: 'checkov', ms: med['checkov CKV_TF_3'] }, 0.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

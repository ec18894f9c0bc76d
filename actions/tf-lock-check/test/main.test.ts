// main() in-process (no bundle): what the log says about the roots it checked, and the outputs it sets.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain as runMainInProcess } from '../../../test/helpers/main-in-process.js';
import { ACTION } from '../src/action.js';
import { main } from '../src/main.js';
import { repoWith, s3Root } from './helpers.js';

const runMain = (workspace: string, inputs: Record<string, string>, clear: string[] = []) =>
  runMainInProcess(ACTION, main, {
    workspace,
    inputs: { command: 'lint', 'fail-on': 'high', flavor: 'auto', 'terraform-version': '1.10.5', comment: 'false', ...inputs },
    clear,
  });

const cloud = (name: string) => `terraform {\n  cloud {\n    organization = "acme"\n    workspaces {\n      name = "${name}"\n    }\n  }\n}\n`;

describe('main() in-process', () => {
  test('HCP Terraform roots are counted as checked roots, and the run is clean', async () => {
    const ws = repoWith({
      'a/main.tf': cloud('a'),
      'b/main.tf': cloud('b'),
      'c/main.tf': 'terraform {\n  backend "remote" {\n    organization = "acme"\n  }\n}\n',
      '.github/workflows/apply.yml': 'on: push\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform -chdir=a apply -auto-approve\n',
    });
    const r = await runMain(ws, {});
    expect(r.stdout).toContain(
      'Checked 3 root module(s) (3 on HCP Terraform / remote, which lock and queue runs themselves), 0 backend environment(s) and 1 terraform/tofu command(s)',
    );
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
  });
  test('an s3 root with the same workflow: counted, and the job findings are there', async () => {
    const ws = repoWith({
      'a/main.tf': s3Root('a'),
      '.github/workflows/apply.yml': 'on: push\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform -chdir=a apply -auto-approve\n',
    });
    const r = await runMain(ws, { 'fail-on': 'none' });
    expect(r.stdout).toContain('Checked 1 root module(s), 1 backend environment(s) and 1 terraform/tofu command(s)');
    expect(r.outputs['findings-count']).toBe('2');
  });
  test('live status on an HCP Terraform root says why there is nothing to read; on an s3 root it gets to the credentials', async () => {
    const ws = repoWith({ 'a/main.tf': cloud('a'), 'b/main.tf': s3Root('b') });
    const hcp = await runMain(ws, { command: 'status', 'working-directory': 'a' });
    expect(hcp.failure).toMatch(
      /^tf-lock-check: a runs on HCP Terraform \/ a remote backend \(a\/main\.tf:2\), which holds and shows its own workspace lock; live status reads s3 and pg locks$/,
    );
    const s3 = await runMain(ws, { command: 'status', 'working-directory': 'b' }, ['AWS_']);
    expect(s3.failure).toMatch(/^tf-lock-check: AWS credentials are missing/);
  });
  test('backend-config: a file behind a symlink that leads outside the workspace is refused, never read', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'tflc-out-'));
    writeFileSync(join(outside, 'prod.tfbackend'), 'key = "OUTSIDE-SECRET"\n');
    const ws = repoWith({ 'b/main.tf': s3Root('b') });
    symlinkSync(join(outside, 'prod.tfbackend'), join(ws, 'b/prod.tfbackend'));
    const linked = await runMain(ws, { command: 'status', 'working-directory': 'b', 'backend-config': 'prod.tfbackend' });
    expect(linked.failure).toMatch(/^tf-lock-check: input "backend-config" must name files inside the workspace; got "prod\.tfbackend"$/);
    const escaping = await runMain(ws, { command: 'status', 'working-directory': 'b', 'backend-config': '../../etc/passwd' });
    expect(escaping.failure).toMatch(/^tf-lock-check: input "backend-config" must (name files inside the workspace|list \.tfbackend files)/);
    for (const r of [linked, escaping]) expect(r.outputs.outcome).toBe('config-error');
    expect(linked.stdout + escaping.stdout).not.toContain('OUTSIDE-SECRET');
  });
  test.each([
    [{ command: 'lnt' }, 'tf-lock-check: input "command" must be one of lint, status, wait, recover; got "lnt"'],
    [{ 'terraform-version': 'latest' }, 'tf-lock-check: input "terraform-version" must be a version such as 1.11.4; got "latest"'],
  ])('bad input %j: one config-error line naming it', async (inputs, line) => {
    const r = await runMain(repoWith({ 'a/main.tf': s3Root('a') }), inputs);
    expect(r.failure).toBe(line);
    expect(r.outputs.outcome).toBe('config-error');
  });
  test('a Terragrunt repository: the notice is an annotation and in the summary', async () => {
    const ws = repoWith({ 'live/prod/terragrunt.hcl': 'terraform {\n  source = "../../modules/app"\n}\n', 'modules/app/main.tf': 'variable "x" {}\n' });
    const r = await runMain(ws, {});
    expect(r.stdout).toMatch(/::notice::Terragrunt: 1 terragrunt\.hcl \/ root\.hcl file\(s\) found\. Their remote_state blocks are not analysed/);
    // Escaped for Markdown (it is text from the repository); it renders as written.
    expect(r.summary.replace(/\\/g, '')).toContain('- Terragrunt: 1 terragrunt.hcl / root.hcl file(s) found.');
  });
});

// main() in-process (no bundle): what the log says about the roots it checked, and the outputs it sets.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/main.js';
import { repoWith, s3Root } from './helpers.js';

const saved = { ...process.env };
let out: string[];
let files: { output: string; summary: string };

beforeEach(() => {
  const tmp = mkdtempSync(join(tmpdir(), 'tflc-main-'));
  files = { output: join(tmp, 'output'), summary: join(tmp, 'summary') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  out = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...saved };
});

async function runMain(workspace: string, inputs: Record<string, string>): Promise<{ log: string; outputs: string }> {
  Object.assign(process.env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'tflc-rt-')),
  });
  for (const [k, v] of Object.entries({ command: 'lint', 'fail-on': 'high', flavor: 'auto', 'terraform-version': '1.10.5', comment: 'false', ...inputs }))
    process.env[`INPUT_${k.toUpperCase()}`] = v;
  await main();
  return { log: out.join(''), outputs: readFileSync(files.output, 'utf8') };
}

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
    expect(r.log).toContain(
      'Checked 3 root module(s) (3 on HCP Terraform / remote, which lock and queue runs themselves), 0 backend environment(s) and 1 terraform/tofu command(s)',
    );
    expect(r.outputs).toMatch(/^outcome<<.*\nclean\n/m);
    expect(r.outputs).toMatch(/findings-count<<.*\n0\n/);
  });
  test('an s3 root with the same workflow: counted, and the job findings are there', async () => {
    const ws = repoWith({
      'a/main.tf': s3Root('a'),
      '.github/workflows/apply.yml': 'on: push\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform -chdir=a apply -auto-approve\n',
    });
    const r = await runMain(ws, { 'fail-on': 'none' });
    expect(r.log).toContain('Checked 1 root module(s), 1 backend environment(s) and 1 terraform/tofu command(s)');
    expect(r.outputs).toMatch(/findings-count<<.*\n2\n/);
  });
  test('live status on an HCP Terraform root says why there is nothing to read; on an s3 root it gets to the credentials', async () => {
    const ws = repoWith({ 'a/main.tf': cloud('a'), 'b/main.tf': s3Root('b') });
    await expect(runMain(ws, { command: 'status', 'working-directory': 'a' })).rejects.toThrow(
      /^a runs on HCP Terraform \/ a remote backend \(a\/main\.tf:2\), which holds and shows its own workspace lock; live status reads s3 and pg locks$/,
    );
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(runMain(ws, { command: 'status', 'working-directory': 'b' })).rejects.toThrow(/^AWS credentials are missing/);
  });
  test('backend-config: a file behind a symlink that leads outside the workspace is refused, never read', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'tflc-out-'));
    writeFileSync(join(outside, 'prod.tfbackend'), 'key = "OUTSIDE-SECRET"\n');
    const ws = repoWith({ 'b/main.tf': s3Root('b') });
    symlinkSync(join(outside, 'prod.tfbackend'), join(ws, 'b/prod.tfbackend'));
    const err = runMain(ws, { command: 'status', 'working-directory': 'b', 'backend-config': 'prod.tfbackend' });
    await expect(err).rejects.toThrow(/^input "backend-config" must name files inside the workspace; got "prod\.tfbackend"$/);
    await expect(runMain(ws, { command: 'status', 'working-directory': 'b', 'backend-config': '../../etc/passwd' })).rejects.toThrow(
      /^input "backend-config" must (name files inside the workspace|list \.tfbackend files)/,
    );
    expect(out.join('')).not.toContain('OUTSIDE-SECRET');
  });
  test('a Terragrunt repository: the notice is an annotation and in the summary', async () => {
    const ws = repoWith({ 'live/prod/terragrunt.hcl': 'terraform {\n  source = "../../modules/app"\n}\n', 'modules/app/main.tf': 'variable "x" {}\n' });
    const r = await runMain(ws, {});
    expect(r.log).toMatch(/::notice::Terragrunt: 1 terragrunt\.hcl \/ root\.hcl file\(s\) found\. Their remote_state blocks are not analysed/);
    // Escaped for Markdown (it is text from the repository); it renders as written.
    expect(readFileSync(files.summary, 'utf8').replace(/\\/g, '')).toContain('- Terragrunt: 1 terragrunt.hcl / root.hcl file(s) found.');
  });
});

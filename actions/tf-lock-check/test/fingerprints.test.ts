// tf-lock-check's fingerprint recipe, pinned: users' baselines and code-scanning alerts are keyed on it.
// One repository that breaks the backend, shared-state, command and workflow rules.
import { beforeAll, expect, test } from '@jest/globals';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { initHcl } from '../src/hcl.js';
import { scanRepo } from '../src/repo.js';
import { lint } from '../src/rules.js';
import { initShell } from '../src/shell.js';
import { repoWith, s3Root } from './helpers.js';

beforeAll(() => Promise.all([initHcl(), initShell()]));

test('fingerprints stay what they were: backend, shared state, command and concurrency findings', () => {
  const repo = repoWith({
    'infra/prod/main.tf': s3Root('app.tfstate', ''),
    'infra/staging/main.tf': s3Root('app.tfstate'),
    '.github/workflows/apply.yml': `name: apply
on: push
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - run: terraform -chdir=infra/prod apply -auto-approve -lock=false
`,
  });
  const findings = lint(scanRepo(repo), { flavor: 'auto' });
  const got = Object.fromEntries(findings.map((f) => [`${f.ruleId} ${f.location?.path}`, f.fingerprint]));
  expect(Object.keys(got).length).toBe(findings.length);
  expectPinnedFingerprints(got, {
    'TFLOCK001 infra/prod/main.tf': '6a5f33a7f3cb28b840182dd6c1ebbe49',
    'TFLOCK003 infra/prod/main.tf': '36f39a839ee2477f1da5173b7c433956',
    'TFLOCK004 infra/prod/main.tf': '6ee01fc668a26e98833cb1114da80d0d',
    'TFLOCK004 infra/staging/main.tf': '28060c37f817de5be094bbb17e737b8c',
    'TFLOCK006 .github/workflows/apply.yml': 'fc274beff8d8c0a508de0d2c92db8476',
    'TFLOCK007 .github/workflows/apply.yml': '4e3bf10721946a0e7c6b3df326283dc4',
    'TFLOCK008 .github/workflows/apply.yml': 'a6a055402c8a6caf81782309532cb3c9',
  });
});

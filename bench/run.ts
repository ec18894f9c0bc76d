// npm run bench: every benchmark, side by side with its peer, printing ratios. Exits 1 if a target is missed.
import { benchCli } from './cli.js';
import { benchFanout } from './fanout.js';
import { benchGitleaksScan } from './gitleaks-scan.js';
import { benchHelmValidate } from './helm-validate.js';
import { benchK8sDeployRollback } from './k8s-deploy-rollback.js';
import { benchKit } from './kit.js';
import { benchMigrationTest } from './migration-test.js';
import { benchTestReport } from './test-report.js';
import { benchTfLockCheck } from './tf-lock-check.js';
import { benchTrivyScan } from './trivy-scan.js';

const suites: Array<[string, () => Promise<boolean>]> = [
  ['kit', benchKit],
  ['helm-validate', benchHelmValidate],
  ['gitleaks-scan', benchGitleaksScan],
  ['tf-lock-check', benchTfLockCheck],
  ['migration-test', benchMigrationTest],
  ['trivy-scan', benchTrivyScan],
  ['k8s-deploy-rollback', benchK8sDeployRollback],
  ['test-report', benchTestReport],
  ['cli', benchCli],
  ['fanout', benchFanout],
];
const only = process.argv[2];
const results: boolean[] = [];
for (const [name, fn] of suites) {
  if (only && only !== name) continue;
  console.log(`== ${name}`);
  results.push(await fn());
}
process.exitCode = results.every(Boolean) ? 0 : 1;

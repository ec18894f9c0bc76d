// `check` on every example repository under examples/ that has workflows: the stages it finds are the
// steps of those workflows that use our actions (directly or through our reusable workflows), and where
// the tools are here, each stage's verdict and finding counts equal what the same action reports through
// the runner with the same inputs, and the JSON report validates against the schema we ship.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { type Postgres, startPostgres as harnessPostgres } from '../../../test/harness/services/postgres.js';
import { toolBin } from '../../../test/harness/tools.js';
import { installTrivyDb } from '../../../test/harness/trivy-db.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import { check, type CheckResult } from '../src/check.js';
import { flagPostgres } from '../src/services.js';
import { toJsonReport } from '../src/report.js';
import { freshBundle, git, node24, root } from './helpers.js';

interface Example {
  /** Stages `check --list` finds: [stage, action, workflow › job]. */
  stages: Array<[string, string, string]>;
  /** Run for real (tools and services available here) with these extra arguments; else listed only. */
  run?: { tools: string[]; postgres?: boolean; skip?: string[]; trivy?: boolean; outcomes: Record<string, string> };
}

const PA = 'platform-actions/.github/workflows';
const DEPLOYS: Example['stages'] = [
  ['staging/k8s-deploy-rollback', 'k8s-deploy-rollback', `${PA}/k8s-deploy.yml › staging`],
  ['production/k8s-deploy-rollback', 'k8s-deploy-rollback', `${PA}/k8s-deploy.yml › production`],
];
// security-scan.yml's fan-out: the plan job computed here, the image shards (none without image-refs), the
// scan-path's folder scan, the verdict (not a check here), gitleaks beside them.
const SECURITY = (plan = 'plan', verdict = 'verdict'): Example['stages'] => [
  [plan, 'plan', `${PA}/security-scan.yml › plan`],
  ['trivy/trivy-scan', 'trivy-scan', `${PA}/security-scan.yml › trivy`],
  ['trivy-folder/trivy-scan', 'trivy-scan', `${PA}/security-scan.yml › trivy-folder`],
  [verdict, 'verdict', `${PA}/security-scan.yml › verdict`],
  ['gitleaks-scan', 'gitleaks-scan', `${PA}/security-scan.yml › gitleaks`],
];
const TESTS: Example['stages'][number] = ['test-report', 'test-report', `${PA}/python-ci.yml › tests`];
const IMAGE: Example['stages'][number] = ['build/trivy-scan', 'trivy-scan', `${PA}/container-image.yml › build`];
const MIGRATIONS: Example['stages'][number] = ['migration-test', 'migration-test', `${PA}/db-migrations.yml › migrations`];
/** The outcomes of the stages that are not checks here, as check reports them (skipped, with why). */
const NOT_CHECKS = (...names: string[]) => Object.fromEntries(names.map((n) => [n, 'skipped']));

// trivy-scan stages get their targets as security-scan.yml's run: step makes them (from scan-path and
// image-refs); where they run here, trivy reads the harness's offline database from a warm cache dir.
const EXAMPLES: Record<string, Example> = {
  'helm-microservices': {
    stages: [['helm-validate', 'helm-validate', '.github/workflows/charts.yml › helm-validate']],
    run: { tools: ['helm'], outcomes: { 'helm-validate': 'policy-failure' } },
  },
  'sentiment-platform': {
    stages: [
      ['plan/plan', 'plan', `${PA}/helm-ci.yml › plan`],
      ['helm-validate', 'helm-validate', `${PA}/helm-ci.yml › helm-validate`],
      ['verdict/verdict', 'verdict', `${PA}/helm-ci.yml › verdict`],
      TESTS,
      ...SECURITY('plan/plan-2', 'verdict/verdict-2'),
      IMAGE,
      ['lint/tf-lock-check', 'tf-lock-check', `${PA}/terraform.yml › lint`],
      ['roots/plan', 'plan', `${PA}/terraform.yml › roots`],
      ['plan/tf-lock-check', 'tf-lock-check', `${PA}/terraform.yml › plan`],
      ['apply/tf-lock-check', 'tf-lock-check', `${PA}/terraform.yml › apply`],
      ['verdict/verdict-3', 'verdict', `${PA}/terraform.yml › verdict`],
      ...DEPLOYS,
    ],
    run: {
      tools: ['helm'],
      skip: ['trivy-scan', 'gitleaks-scan'],
      outcomes: {
        ...NOT_CHECKS('plan/plan', 'verdict/verdict', 'test-report', 'plan/plan-2', 'verdict/verdict-2', 'roots/plan', 'verdict/verdict-3'),
        ...NOT_CHECKS('trivy/trivy-scan', 'trivy-folder/trivy-scan', 'gitleaks-scan', 'build/trivy-scan'),
        'helm-validate': 'clean',
        'lint/tf-lock-check': 'clean',
        'plan/tf-lock-check': 'skipped',
        'apply/tf-lock-check': 'skipped',
        'staging/k8s-deploy-rollback': 'skipped',
        'production/k8s-deploy-rollback': 'skipped',
      },
    },
  },
  'python-web-service-secrets': {
    stages: [['gitleaks-scan', 'gitleaks-scan', '.github/workflows/secrets.yml › gitleaks']],
    run: { tools: ['gitleaks'], outcomes: { 'gitleaks-scan': 'policy-failure' } },
  },
  'python-web-service-migrations': {
    stages: [['migration-test', 'migration-test', '.github/workflows/migrations.yml › migration-test']],
    run: { tools: ['pyenv/alembic'], postgres: true, outcomes: { 'migration-test': 'policy-failure' } },
  },
  'python-service-hardened': {
    stages: [TESTS, ...SECURITY(), MIGRATIONS, IMAGE],
    run: {
      tools: ['trivy', 'gitleaks', 'pyenv/alembic'],
      postgres: true,
      trivy: true,
      outcomes: {
        ...NOT_CHECKS('test-report', 'plan', 'trivy/trivy-scan', 'verdict', 'build/trivy-scan'),
        'trivy-folder/trivy-scan': 'clean',
        'gitleaks-scan': 'clean',
        'migration-test': 'clean',
      },
    },
  },
  'flask-react-app': {
    stages: [
      ['tests/test-report', 'test-report', `${PA}/python-ci.yml › tests`],
      ['tests/test-report-2', 'test-report', `${PA}/node-ci.yml › tests`],
      MIGRATIONS,
      IMAGE,
      ['build/trivy-scan-2', 'trivy-scan', `${PA}/container-image.yml › build`],
      ...DEPLOYS,
    ],
  },
  'ml-platform': {
    stages: [TESTS, IMAGE, ...SECURITY(), MIGRATIONS, ...DEPLOYS, ['rollback/k8s-deploy-rollback', 'k8s-deploy-rollback', `${PA}/k8s-rollback.yml › rollback`]],
  },
  'trading-service': { stages: [TESTS, ...SECURITY(), IMAGE, ...DEPLOYS] },
};

const withWorkflows = readdirSync(join(root, 'examples')).filter((e) => existsSync(join(root, 'examples', e, '.github', 'workflows')));

/** The example as its own git repository (gitleaks reads history; the CLI reads git facts). */
function copyExample(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'pa-cli-ex-')), name);
  cpSync(join(root, 'examples', name), dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'example');
  return dir;
}

const toolsPath = (tools: string[]) => [...tools.map((t) => dirname(toolBin(t.split('/')[0], t.split('/')[1]))), process.env.PATH].join(':');

let pg: Postgres;
let trivyInputs: Record<string, string>;
beforeAll(async () => {
  for (const a of ['helm-validate', 'tf-lock-check', 'gitleaks-scan', 'migration-test', 'trivy-scan']) freshBundle(a);
  pg = await harnessPostgres();
  const cache = mkdtempSync(join(tmpdir(), 'pa-cli-trivy-'));
  await installTrivyDb(cache);
  trivyInputs = { 'trivy-scan.cache-dir': cache, 'trivy-scan.skip-db-update': 'true' };
}, 600_000);
afterAll(async () => {
  await pg?.stop();
});

describe('examples', () => {
  it('every example with workflows is covered here (a new one must say what check finds in it)', () => {
    expect(withWorkflows.filter((e) => EXAMPLES[e] === undefined && e !== 'sentiment-terraform')).toEqual([]);
  });

  it.each(Object.keys(EXAMPLES))('%s: check --list finds one stage per step that uses our actions', async (name) => {
    const ex = EXAMPLES[name];
    const res = await check({
      repo: join(root, 'examples', name),
      listOnly: true,
      startPostgres: () => flagPostgres(),
    });
    // Nothing is missing: trivy-scan's targets come from security-scan.yml's scan-path, as in the workflow;
    // test-report reads the test run's reports (matrix.python), so without --run-steps it is not a check.
    expect([res.errors, res.stages.flatMap((s) => s.notes.filter((n) => n.startsWith('needs')))]).toEqual([[], []]);
    expect(res.stages.map((s) => [s.name, s.action, `${s.workflow} › ${s.job}`])).toEqual(ex.stages);
    // One note says why, and nothing about its if: or its matrix (they do not matter when it does not run).
    for (const s of res.stages.filter((x) => x.action === 'test-report')) {
      expect(s.notes).toEqual(['reads the reports of the test run; platform-actions check --run-steps runs the tests first']);
    }
    for (const s of res.stages.filter((x) => x.job === 'build' && x.workflow.endsWith('/container-image.yml'))) {
      expect(s.notes).toEqual([
        expect.stringMatching(
          /^scans the image an earlier step of its job builds \(image-input:\.platform-actions-image, not here\); platform-actions check --run-steps builds it first/,
        ),
      ]);
    }
  });

  it('sentiment-terraform: its deploy workflow uses none of our actions, so there is nothing to run', async () => {
    const res = await check({ repo: join(root, 'examples', 'sentiment-terraform') });
    expect([res.stages, res.exitCode]).toEqual([[], 0]);
  });

  const validate = (() => {
    const schema = JSON.parse(readFileSync(join(root, 'packages/cli/schema/report.schema.json'), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ajv = new (Ajv2020 as any)({ strict: true });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (addFormats as any)(ajv);
    return ajv.compile(schema) as ((d: unknown) => boolean) & { errors?: unknown };
  })();

  const runnable = Object.entries(EXAMPLES).filter(([, ex]) => ex.run);
  it.each(runnable.map(([n]) => n))(
    '%s: verdicts and counts equal the runner’s, report valid',
    async (name) => {
      const run = EXAMPLES[name].run!;
      const repo = copyExample(name);
      const PATH = toolsPath(run.tools);
      // The stages get the user's environment: tools on PATH, no .pyc files written into the example.
      const saved = { ...process.env };
      Object.assign(process.env, { PATH, PYTHONDONTWRITEBYTECODE: '1' });
      let res: CheckResult;
      try {
        res = await check({ repo, skip: run.skip, inputs: run.trivy ? trivyInputs : {}, startPostgres: run.postgres ? () => flagPostgres() : undefined, node: node24() });
      } finally {
        process.env.PATH = saved.PATH;
        if (saved.PYTHONDONTWRITEBYTECODE === undefined) delete process.env.PYTHONDONTWRITEBYTECODE;
      }
      // A stage's one-line errors ride along, so an unexpected tool error says what it was.
      expect(Object.fromEntries(res.stages.map((s) => [s.name, s.outcome === run.outcomes[s.name] ? s.outcome : `${s.outcome}: ${s.errors.join('; ')}`]))).toEqual(run.outcomes);
      expect(validate(toJsonReport(res)) ? [] : validate.errors).toEqual([]);
      for (const s of res.stages.filter((x) => x.outcome !== 'skipped')) {
        const inputs = { ...s.inputs! };
        // The runner's run gets its own empty database; the check's has the migrations applied already.
        if (s.action === 'migration-test') inputs['database-url'] = await pg.createDatabase(`parity_${name.replace(/-/g, '_')}`);
        for (const f of ['sarif-file', 'report-file', 'report-dir']) delete inputs[f];
        const r = await runBundledAction({ action: s.action, inputs, workspace: repo, env: { PATH, PYTHONDONTWRITEBYTECODE: '1' } });
        const counts = Object.fromEntries(['critical', 'high', 'medium', 'low', 'info'].map((x) => [x, Number(r.outputs[`${x}-count`] ?? 0)]));
        expect([s.name, s.outcome, s.findingsCount, s.counts]).toEqual([s.name, r.outputs.outcome, Number(r.outputs['findings-count']), counts]);
      }
    },
    300_000,
  );
});

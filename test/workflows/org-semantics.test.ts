// What GitHub does in a real organisation that no local run (act) can show, encoded as rules over every
// workflow we ship — the reusable workflows, the starters and the example callers. Each rule quotes the
// GitHub documentation it encodes. Where a rule is carried out by a script in a workflow, the test runs
// that script (test/helpers/workflows.ts: runStep) with the inputs GitHub would give it.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { condition, evaluate, type Value } from '@platform-actions/expressions';
import { parseRunReport } from '@platform-actions/kit';
import {
  all,
  callSpec,
  environmentOf,
  errorLines,
  exampleWorkflows,
  load,
  needsOf,
  ourWorkflow,
  own,
  permissionsOf,
  reusable,
  runStep,
  secretReads,
  shipped,
  stepNamed,
  templates,
  type Job,
  type Workflow,
} from '../helpers/workflows.js';

// The calling jobs of our reusable workflows, in every starter and example.
const callers = all.flatMap((file) =>
  Object.entries(load(file).jobs ?? {}).flatMap(([id, job]) => {
    const w = job.uses ? ourWorkflow(job.uses) : undefined;
    return w ? [{ file, id, job, target: w[0] }] : [];
  }),
);

// GitHub's contexts for the events the pipelines run on (only what the conditions read).
const repo = { full_name: 'acme/svc', fork: false };
const events: Record<string, Record<string, Value>> = {
  'a pull request from a branch': { event_name: 'pull_request', actor: 'dev', repository: 'acme/svc', event: { pull_request: { number: 7, head: { repo } } } },
  'a pull request from a fork': {
    event_name: 'pull_request',
    actor: 'outsider',
    repository: 'acme/svc',
    event: { pull_request: { number: 8, head: { repo: { full_name: 'outsider/svc', fork: true } } } },
  },
  "Dependabot's pull request": { event_name: 'pull_request', actor: 'dependabot[bot]', repository: 'acme/svc', event: { pull_request: { number: 9, head: { repo } } } },
  'a push to main': { event_name: 'push', actor: 'dev', repository: 'acme/svc', ref: 'refs/heads/main', event: {} },
};

describe('secrets that live in an environment', () => {
  // "Environment secrets cannot be passed from the caller workflow as on.workflow_call does not support
  // the environment keyword. If you include environment in the reusable workflow at the job level, the
  // environment secret will be used, and not the secret passed from the caller workflow."
  // — https://docs.github.com/en/actions/how-tos/reuse-automations/reuse-workflows
  // A calling job has no environment, so `required: true` on such a secret is checked against an empty
  // value in the caller; and a called job that reads an environment secret must say which one is missing.
  test('every secret a job that binds an environment reads is declared required: false', () => {
    const bad: string[] = [];
    let checked = 0;
    for (const f of reusable) {
      const wf = load(f);
      const declared = callSpec(wf)!.secrets;
      for (const [id, job] of Object.entries(wf.jobs)) {
        if (!job.environment) continue;
        for (const s of new Set(secretReads(job))) {
          if (!(s in declared)) continue;
          checked++;
          if (declared[s]?.required !== false) bad.push(`${f} ${id}: secret ${s} is not declared required: false`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  // Secrets described as an environment's are the ones a stage cannot run without (a kubeconfig).
  const envSecrets = reusable.flatMap((f) =>
    Object.entries(callSpec(load(f))!.secrets)
      .filter(([, v]) => /environment secret of/.test(v?.description ?? ''))
      .map(([name]) => ({ f, name })),
  );

  test('each job that reads an environment secret checks it first, in a step that names it', () => {
    expect(envSecrets.map((s) => `${s.f} ${s.name}`).sort()).toEqual([
      '.github/workflows/k8s-deploy.yml PRODUCTION_KUBECONFIG',
      '.github/workflows/k8s-deploy.yml STAGING_KUBECONFIG',
      '.github/workflows/k8s-rollback.yml PRODUCTION_KUBECONFIG',
      '.github/workflows/k8s-rollback.yml STAGING_KUBECONFIG',
    ]);
    for (const { f, name } of envSecrets) {
      const readers = Object.entries(load(f).jobs).filter(([, job]) => secretReads(job).includes(name));
      expect(readers.length).toBeGreaterThan(0);
      for (const [id, job] of readers) {
        expect([f, id, environmentOf(job) !== undefined]).toEqual([f, id, true]);
        const steps = job.steps ?? [];
        const check = steps.findIndex((s) => s.name === 'Environment secrets');
        const firstUse = steps.findIndex((s) => s.name !== 'Environment secrets' && secretReads(s).includes(name));
        expect([f, id, check >= 0 && check < firstUse]).toEqual([f, id, true]);
        // A plain list, or an expression choosing the stage's secret by name.
        expect([f, id, new RegExp(`(^|[\\s'])${name}($|[\\s'])`).test(String(steps[check].env?.REQUIRED_SECRETS))]).toEqual([f, id, true]);
      }
    }
  });

  test.each([
    ['staging', 'STAGING_KUBECONFIG', 'paper-trading'],
    ['production', 'PRODUCTION_KUBECONFIG', 'live'],
  ])('k8s-deploy %s: an empty %s fails with one line naming it and the environment; a set one passes', (job, secret, environment) => {
    const step = stepNamed('.github/workflows/k8s-deploy.yml', job, 'Environment secrets');
    const missing = runStep(step, { ENVIRONMENT: environment, [secret]: '' });
    expect(missing.status).toBe(1);
    const lines = errorLines(missing.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${secret} is empty in the job of environment "${environment}"`);
    expect(lines[0]).toContain(`Settings → Environments → ${environment}`);
    const set = runStep(step, { ENVIRONMENT: environment, [secret]: 'apiVersion: v1' });
    expect([set.status, set.stdout]).toEqual([0, '']);
  });

  // The caller still has to name the secret (or use secrets: inherit): "If the caller workflow does not
  // pass the environment secret, the secret resolves to an empty string in the reusable workflow", even
  // when the called job's environment has it (actions/runner#4453).
  test('every caller of a workflow with environment secrets names them (or inherits)', () => {
    const bad: string[] = [];
    for (const c of callers) {
      const needed = envSecrets.filter((s) => s.f === c.target).map((s) => s.name);
      if (c.job.secrets === 'inherit') continue;
      const passed = Object.keys(c.job.secrets ?? {});
      // A stage that cannot run (production-environment: '') needs nothing.
      const used = needed.filter((n) => !(n === 'PRODUCTION_KUBECONFIG' && c.job.with?.['production-environment'] === ''));
      for (const n of used) if (!passed.includes(n)) bad.push(`${c.file} ${c.id}: does not name ${n}`);
      for (const n of used) if (passed.includes(n)) expect((c.job.secrets as Record<string, string>)[n]).toBe(`\${{ secrets.${n} }}`);
    }
    expect(bad).toEqual([]);
  });

  test('the release job checks its App credentials the same way, in the environment that holds them', () => {
    const job = load('.github/workflows/release.yml').jobs.publish;
    expect(environmentOf(job)).toBe('release');
    expect(job.steps?.[0].name).toBe('Environment secrets');
    const r = runStep(job.steps![0], { ENVIRONMENT: 'release', RELEASE_APP_PRIVATE_KEY: '', RELEASE_APP_CLIENT_ID: 'Iv23li' });
    expect(r.status).toBe(1);
    expect(errorLines(r.stdout)).toEqual([expect.stringContaining('RELEASE_APP_PRIVATE_KEY is empty in the job of environment "release"')]);
  });
});

describe('the required check is an aggregate gate that gates', () => {
  // "If a job in a workflow is skipped due to a conditional, it will report its status as "Success"."
  // — https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/troubleshooting-required-status-checks
  // "If a job fails or is skipped, all jobs that need it are skipped unless the jobs use a conditional
  // expression that causes the job to continue." — https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idneeds
  const starters = [...templates, ...exampleWorkflows.filter((f) => readFileSync(f, 'utf8').startsWith('# Generated from'))];

  test('every starter has a "ready" job that runs always, hands over every result, and needs every check', () => {
    expect(starters).toHaveLength(10);
    for (const f of starters) {
      const wf = load(f);
      const ready = wf.jobs.ready;
      expect([f, ready?.uses && ourWorkflow(ready.uses)?.[0]]).toEqual([f, '.github/workflows/all-passed.yml']);
      expect([f, ready.if]).toEqual([f, 'always()']);
      expect([f, ready.with?.needs]).toEqual([f, '${{ toJSON(needs) }}']);
      expect([f, ready.permissions]).toEqual([f, {}]);
      // Every other job is either a check the gate needs, or comes after the gate (a deploy, and what
      // follows a deploy: cleanup, notify).
      const after: string[] = [];
      for (let grew = true; grew;) {
        grew = false;
        for (const [id, j] of Object.entries(wf.jobs))
          if (!after.includes(id) && needsOf(j).some((n) => n === 'ready' || after.includes(n))) {
            after.push(id);
            grew = true;
          }
      }
      const checks = Object.keys(wf.jobs).filter((id) => id !== 'ready' && !after.includes(id));
      expect([f, [...needsOf(ready)].sort()]).toEqual([f, checks.sort()]);
      // Nothing deploys unless the gate passed.
      for (const [id, job] of Object.entries(wf.jobs)) if (job.uses?.includes('k8s-deploy.yml')) expect([f, id, needsOf(job)]).toEqual([f, id, expect.arrayContaining(['ready'])]);
    }
  });

  test('no other job in a starter or example aggregates needs without running always', () => {
    const bad: string[] = [];
    for (const f of shipped.filter((x) => !x.startsWith('.github/'))) {
      for (const [id, job] of Object.entries(load(f).jobs ?? {})) {
        const readsResults = /needs\.[\w*-]+\.result|toJSON\(needs\)/.test(JSON.stringify(job));
        const gateLike = /^(ready|gate|all[-_]?(passed|green|checks))$/i.test(id);
        if ((readsResults || gateLike) && !/always\(\)/.test(String(job.if))) bad.push(`${f} ${id}`);
      }
    }
    expect(bad).toEqual([]);
  });

  const gate = () => stepNamed('.github/workflows/all-passed.yml', 'all-passed', 'check');
  const needs = (r: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { result: v, outputs: {} }])));

  test('all passed: every need succeeded', () => {
    const r = runStep(gate(), { NEEDS: needs({ security: 'success', migrations: 'success' }), SKIPPED_BY_DESIGN: '' });
    expect(r.status).toBe(0);
    expect(r.output).toBe('results=security=success migrations=success\n');
  });

  test('a failed or cancelled need fails the gate with one line naming each', () => {
    const r = runStep(gate(), { NEEDS: needs({ security: 'failure', migrations: 'success', image: 'cancelled' }), SKIPPED_BY_DESIGN: '' });
    expect(r.status).toBe(1);
    expect(errorLines(r.stdout)).toEqual(['::error title=Not every required job passed::security failure, image cancelled']);
  });

  test('a skipped need fails the gate unless it is named as skipped by design', () => {
    const skipped = needs({ image: 'skipped', security: 'success' });
    const r = runStep(gate(), { NEEDS: skipped, SKIPPED_BY_DESIGN: '' });
    expect(r.status).toBe(1);
    expect(errorLines(r.stdout)).toEqual(['::error title=Not every required job passed::image was skipped (not skipped by design)']);
    expect(runStep(gate(), { NEEDS: skipped, SKIPPED_BY_DESIGN: 'image' }).status).toBe(0);
    // By design means skipped: the same name does not excuse a failure.
    expect(runStep(gate(), { NEEDS: needs({ image: 'failure' }), SKIPPED_BY_DESIGN: 'image' }).status).toBe(1);
  });

  test('a skipped-by-design name that is not a need, or needs that are not toJSON(needs), are one-line configuration errors', () => {
    const typo = runStep(gate(), { NEEDS: needs({ image: 'skipped' }), SKIPPED_BY_DESIGN: 'imgae' });
    expect([typo.status, errorLines(typo.stdout)]).toEqual([1, ['::error title=skipped-by-design::skipped-by-design names imgae, which the calling job does not need']]);
    for (const bad of ['', '{}', 'security']) {
      const r = runStep(gate(), { NEEDS: bad, SKIPPED_BY_DESIGN: '' });
      expect([bad, r.status, errorLines(r.stdout).length]).toEqual([bad, 1, 1]);
    }
  });
});

describe('OIDC subjects, one per job', () => {
  // "The subject claim includes the environment name when the job references an environment." / "The
  // subject claim includes the pull_request string when the workflow is triggered by a pull request event,
  // but only if the job doesn't reference an environment." — https://docs.github.com/en/actions/reference/security/oidc
  // So a role trusted for environment:E refuses a job without that environment: each job assumes its own.
  const roleJobs = reusable.flatMap((f) =>
    Object.entries(load(f).jobs).flatMap(([id, job]) =>
      (job.steps ?? [])
        .filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))
        .map((s) => ({ f, id, job, input: /inputs\.([\w-]+)/.exec(String(s.with?.['role-to-assume']))?.[1] })),
    ),
  );

  test('a job that binds an environment and a job that does not never assume the same role', () => {
    expect(roleJobs.map((r) => `${r.id}:${r.input}`)).toEqual(['plan:plan-aws-role-arn', 'apply:aws-role-arn']);
    for (const a of roleJobs)
      for (const b of roleJobs) {
        if (a.f === b.f && environmentOf(a.job) !== environmentOf(b.job)) expect([a.id, b.id, a.input === b.input]).toEqual([a.id, b.id, false]);
      }
  });

  test("each role input documents the subject its job's token carries", () => {
    const spec = callSpec(load('.github/workflows/terraform.yml'))!;
    expect(environmentOf(load('.github/workflows/terraform.yml').jobs.apply)).toBe('${{ inputs.environment }}');
    expect(spec.inputs['aws-role-arn'].description).toContain('repo:OWNER/REPO:environment:<environment>');
    expect(spec.inputs['plan-aws-role-arn'].description).toContain('repo:OWNER/REPO:pull_request');
    expect(spec.inputs['plan-aws-role-arn'].description).toContain('repo:OWNER/REPO:ref:refs/heads/<default branch>');
    expect(spec.inputs['plan-aws-role-arn'].description).toContain('repo:OWNER/REPO:environment:<plan-environment>');
    expect(environmentOf(load('.github/workflows/terraform.yml').jobs.plan)).toBe('${{ inputs.plan-environment }}');
  });

  // "Pull requests from forked repositories ... the GITHUB_TOKEN has read-only permissions" and id-token
  // is a write scope, so a fork's (and Dependabot's) pull request gets no OIDC token.
  test.each(Object.keys(events))('%s: with a plan role, exactly one of plan / plan-skipped runs; without one, plan runs', (event) => {
    const wf = load('.github/workflows/terraform.yml');
    // The roots job found something to plan (with nothing to plan neither runs, and the verdict says so).
    const needs = { roots: { outputs: { empty: 'false' } } };
    const runs = (job: Job, role: string) => condition(job.if, { github: events[event], inputs: { 'plan-aws-role-arn': role }, needs });
    const noToken = /fork|Dependabot/.test(event);
    expect([runs(wf.jobs.plan, 'arn:aws:iam::1:role/plan'), runs(wf.jobs['plan-skipped'], 'arn:aws:iam::1:role/plan')]).toEqual([!noToken, noToken]);
    expect([runs(wf.jobs.plan, ''), runs(wf.jobs['plan-skipped'], '')]).toEqual([true, false]);
  });

  test('the skipped plan says why in a notice, not a failure', () => {
    const r = runStep(load('.github/workflows/terraform.yml').jobs['plan-skipped'].steps![0], { ROOTS: '2', ENVIRONMENT: 'staging' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^::notice title=terraform plan skipped::2 root\(s\) \(staging\) are not planned: a pull request from a fork or Dependabot gets no OIDC token/);
  });

  test('the starter gives plan and apply their own role', () => {
    const infra = load('workflows-templates/helm-terraform-platform.yml').jobs['infra-staging'];
    expect(infra.with).toMatchObject({ 'plan-aws-role-arn': '${{ vars.TERRAFORM_PLAN_ROLE_ARN_STAGING }}', 'aws-role-arn': '${{ vars.TERRAFORM_ROLE_ARN_STAGING }}' });
  });
});

describe('permissions a caller grants', () => {
  // "The GITHUB_TOKEN permissions passed from the caller workflow can be only downgraded (not elevated) by
  // the called workflow." — https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
  test('every calling job grants each permission any job of the called workflow asks for', () => {
    const rank: Record<string, number> = { none: 0, read: 1, write: 2 };
    const bad: string[] = [];
    for (const c of callers) {
      const grants = permissionsOf(c.job);
      for (const [jobId, job] of Object.entries(load(c.target).jobs)) {
        for (const [scope, level] of Object.entries(permissionsOf(job))) {
          if ((rank[grants[scope] ?? 'none'] ?? 0) < rank[level]) bad.push(`${c.file} ${c.id}: ${c.target} job ${jobId} asks for ${scope}: ${level}`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(callers.length).toBeGreaterThanOrEqual(30);
  });
});

describe('credentials a called workflow needs', () => {
  test('security-scan: optional registry credentials, and packages: read to pull private GHCR images', () => {
    const wf = load('.github/workflows/security-scan.yml');
    const spec = callSpec(wf)!;
    expect(spec.secrets).toMatchObject({ REGISTRY_USERNAME: { required: false }, REGISTRY_PASSWORD: { required: false } });
    expect(spec.inputs.registry).toMatchObject({ type: 'string', default: '' });
    expect(permissionsOf(wf.jobs.trivy)).toMatchObject({ packages: 'read' });
    // The scan reads the docker config the credentials step wrote.
    const scan = wf.jobs.trivy.steps!.find((s) => s.id === 'scan')!;
    expect(scan.env).toEqual({
      DOCKER_CONFIG: '${{ steps.registries.outputs.docker-config }}',
      // The shard's run report, for the verdict.
      PLATFORM_ACTIONS_REPORT_DIR: '${{ runner.temp }}/platform-actions-report',
      PLATFORM_ACTIONS_SHARD: '${{ matrix.shard }}',
    });
  });

  const registries = () => stepNamed('.github/workflows/security-scan.yml', 'trivy', 'registries');
  const base = { REGISTRY_USERNAME: 'robot', GHCR_USERNAME: 'dev', GHCR_TOKEN: 'ghs_run_token_123', SERVER_URL: 'https://github.com' };
  const auths = (dir: string) => {
    const out = /docker-config=(.*)/.exec(readFileSync(join(dir, 'output'), 'utf8'))![1];
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(statSync(join(out, 'config.json')).mode & 0o777).toBe(0o600);
    return Object.fromEntries(Object.entries(config.auths).map(([h, a]) => [h, Buffer.from(a.auth, 'base64').toString()]));
  };

  test('registry credentials: ghcr.io gets the run token, the private registry its own secret, nothing else is configured', () => {
    const r = runStep(registries(), {
      ...base,
      IMAGE_REFS: 'ghcr.io/acme/ml-api:abc\nregistry.example.com/team/job:1\npython:3.12',
      REGISTRY: 'registry.example.com',
      REGISTRY_PASSWORD: 's3cret-pass',
    });
    expect(r.status).toBe(0);
    expect(auths(r.dir)).toEqual({ 'ghcr.io': 'dev:ghs_run_token_123', 'registry.example.com': 'robot:s3cret-pass' });
    // Neither credential is printed.
    expect(r.stdout + r.stderr).not.toMatch(/s3cret-pass|ghs_run_token_123/);
  });

  test('registry credentials: no ghcr.io image, no ghcr.io entry (the token goes nowhere it is not needed)', () => {
    const r = runStep(registries(), { ...base, IMAGE_REFS: 'docker.io/library/python:3.12', REGISTRY: '', REGISTRY_PASSWORD: '' });
    expect(r.status).toBe(0);
    expect(auths(r.dir)).toEqual({});
  });

  test('registry set without REGISTRY_PASSWORD is one line naming the secret', () => {
    const r = runStep(registries(), { ...base, IMAGE_REFS: 'registry.example.com/a:1', REGISTRY: 'registry.example.com', REGISTRY_PASSWORD: '' });
    expect(r.status).toBe(1);
    expect(errorLines(r.stdout)).toEqual([expect.stringContaining('registry is registry.example.com but the REGISTRY_PASSWORD secret is empty')]);
  });

  test('terraform: optional TF_TOKENS, PROVIDER_ENV, TF_VARS, MODULES_GIT_TOKEN and PLAN_ENCRYPTION_KEY, read by plan and apply', () => {
    const wf = load('.github/workflows/terraform.yml');
    const secrets = callSpec(wf)!.secrets;
    expect(Object.keys(secrets).sort()).toEqual(['MODULES_GIT_TOKEN', 'PLAN_ENCRYPTION_KEY', 'PROVIDER_ENV', 'TF_TOKENS', 'TF_VARS']);
    for (const v of Object.values(secrets)) expect(v?.required).toBe(false);
    for (const job of ['plan', 'apply']) {
      const creds = wf.jobs[job].steps!.find((s) => s.name?.startsWith('Credentials'))!;
      expect([job, Object.keys(creds.env ?? {}).sort()]).toEqual([job, ['MODULES_GIT_HOST', 'MODULES_GIT_TOKEN', 'PROVIDER_ENV', 'TF_TOKENS', 'TF_VARS']]);
      // Before init, so a private registry, module or backend credential is there when terraform needs it.
      const steps = wf.jobs[job].steps!;
      expect(steps.indexOf(creds)).toBeLessThan(steps.findIndex((s) => s.name === 'Init'));
    }
  });

  const credentials = () => stepNamed('.github/workflows/terraform.yml', 'plan', 'Credentials (TF_TOKENS, PROVIDER_ENV, TF_VARS, MODULES_GIT_TOKEN)');

  test('credentials: each line becomes the variable terraform reads, each value masked on its own', () => {
    const r = runStep(credentials(), {
      TF_TOKENS: 'app.terraform.io=atlas-token-1\r\n# a comment\n\ntfe.example-corp.com=tfe-token-2',
      PROVIDER_ENV: 'ARM_CLIENT_SECRET=arm=secret=3\nCLOUDFLARE_API_TOKEN=cf-token-4',
      TF_VARS: 'db_password=pw with spaces 5\nlist-var=["a","b"]',
      MODULES_GIT_TOKEN: 'ghs_modules_6',
      MODULES_GIT_HOST: 'github.com',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.envFile.split('\n').filter(Boolean)).toEqual([
      'TF_TOKEN_app_terraform_io=atlas-token-1',
      'TF_TOKEN_tfe_example__corp_com=tfe-token-2',
      'ARM_CLIENT_SECRET=arm=secret=3',
      'CLOUDFLARE_API_TOKEN=cf-token-4',
      'TF_VAR_db_password=pw with spaces 5',
      'TF_VAR_list-var=["a","b"]',
      'PLATFORM_ACTIONS_MODULES_GIT_TOKEN=ghs_modules_6',
      'GIT_CONFIG_COUNT=1',
      'GIT_CONFIG_KEY_0=credential.https://github.com.helper',
      'GIT_CONFIG_VALUE_0=!f() { test "$1" = get && echo username=x-access-token && echo "password=$PLATFORM_ACTIONS_MODULES_GIT_TOKEN"; }; f',
    ]);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(
      ['atlas-token-1', 'tfe-token-2', 'arm=secret=3', 'cf-token-4', 'pw with spaces 5', '["a","b"]', 'ghs_modules_6'].map((v) => `::add-mask::${v}`),
    );
  });

  test('credentials: git asks the helper and gets the token for modules-git-host only', () => {
    const r = runStep(credentials(), { TF_TOKENS: '', PROVIDER_ENV: '', TF_VARS: '', MODULES_GIT_TOKEN: 'ghs_modules_6', MODULES_GIT_HOST: 'github.com' });
    const env = Object.fromEntries(
      r.envFile
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const ask = (host: string) =>
      spawnSync('git', ['credential', 'fill'], {
        input: `protocol=https\nhost=${host}\n\n`,
        encoding: 'utf8',
        env: { ...env, PATH: process.env.PATH, HOME: r.dir, GIT_TERMINAL_PROMPT: '0' },
      });
    expect(ask('github.com').stdout).toContain('password=ghs_modules_6');
    expect(ask('gitlab.example.com').stdout).not.toContain('ghs_modules_6');
  });

  test.each([
    ['TF_TOKENS', 'not a line', 'line 1 of the TF_TOKENS secret is not name=value'],
    ['TF_TOKENS', 'bad host!=x', "line 1 of the TF_TOKENS secret: 'bad host!' is not a host name"],
    ['PROVIDER_ENV', 'OK=1\nPATH=/evil', 'line 2 of the PROVIDER_ENV secret sets PATH, which belongs to the runner'],
    ['PROVIDER_ENV', 'GITHUB_TOKEN=x', 'line 1 of the PROVIDER_ENV secret sets GITHUB_TOKEN, which belongs to the runner'],
    ['TF_VARS', '1x=2', "line 1 of the TF_VARS secret: '1x' is not a variable name"],
  ])('credentials: a bad %s line is one error naming the secret and the line, never the value', (secret, value, message) => {
    const r = runStep(credentials(), { TF_TOKENS: '', PROVIDER_ENV: '', TF_VARS: '', MODULES_GIT_TOKEN: '', MODULES_GIT_HOST: 'github.com', [secret]: value });
    expect(r.status).toBe(1);
    expect(errorLines(r.stdout)).toEqual([`::error title=${secret}::${message}`]);
    expect(r.stdout).not.toMatch(/\/evil|::x$/m);
  });
});

describe('apply applies the reviewed plan', () => {
  const wf = load('.github/workflows/terraform.yml');
  const plan = wf.jobs.plan.steps!;
  const apply = wf.jobs.apply.steps!;
  // (Read when the file is loaded: terraform.yml's plan and apply jobs exist before and after this change.)

  test('plan saves its plan file, encrypted, as an artifact with its digest; apply downloads, checks and applies that file', () => {
    expect(plan.find((s) => s.id === 'plan')!.run).toContain('-out="$RUNNER_TEMP/tfplan"');
    const save = plan.find((s) => s.id === 'save')!;
    expect(save.run).toMatch(/openssl enc -aes-256-cbc -pbkdf2 .* -pass env:PLAN_ENCRYPTION_KEY -in "\$RUNNER_TEMP\/tfplan" -out "\$RUNNER_TEMP\/reviewed-plan\/tfplan.enc"/);
    // One job per root: the digest cannot be a job output (a matrix's outputs are the last root's), so it
    // travels beside the encrypted plan in the artifact.
    expect(save.run).toContain('sha256sum "$RUNNER_TEMP/tfplan"');
    const upload = plan.find((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === '${{ steps.save.outputs.artifact }}')!;
    expect(upload.with).toMatchObject({ path: '${{ runner.temp }}/reviewed-plan' });
    const download = apply.findIndex((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(apply[download].with).toMatchObject({ name: '${{ steps.artifact.outputs.name }}' });
    const reviewed = apply.findIndex((s) => s.name === 'The reviewed plan');
    expect(apply[reviewed].run).toContain('sha256sum --check');
    const run = apply.findIndex((s) => s.id === 'apply');
    expect(download < reviewed && reviewed < run).toBe(true);
    // The saved plan and nothing else: no second plan, no variables (terraform refuses both with a plan file).
    expect(apply[run].run!.trim()).toBe('exec "$TF" apply -input=false -lock-timeout="$LOCK_TIMEOUT" "$RUNNER_TEMP/tfplan"');
    expect(JSON.stringify(apply)).not.toMatch(/\bplan -input|-var-file|-auto-approve/);
  });

  test('the plan is encrypted with a key that round-trips, and a missing key stops the plan job with one line', () => {
    const check = plan.find((s) => s.name === 'The plan can be saved for the apply')!;
    const r = runStep(check, { PLAN_ENCRYPTION_KEY: '' });
    expect([r.status, errorLines(r.stdout)]).toEqual([1, [expect.stringContaining('the PLAN_ENCRYPTION_KEY secret is empty')]]);
    // The save step and the apply's decrypt step with the same key give back the same bytes.
    const dir = mkdtempSync(join(tmpdir(), 'pa-plan-'));
    const env = {
      PLAN_ENCRYPTION_KEY: 'k3y',
      DIR: 'infra/aws',
      ENVIRONMENT: 'staging',
      GITHUB_RUN_ATTEMPT: '2',
      RUNNER_TEMP: dir,
      CHANGES: 'Plan: 1 to add, 0 to change, 0 to destroy.',
    };
    const save = plan.find((s) => s.id === 'save')!;
    expect(runStep(save, env).status).not.toBe(0); // no plan file: it fails rather than save nothing
    writeFileSync(join(dir, 'tfplan'), 'plan-bytes');
    const saved = runStep(save, env);
    expect(saved.status).toBe(0);
    expect(saved.output).toBe('artifact=terraform-plan-staging-infra_aws-2\n');
    // The apply job finds the artifact by the same name.
    const named = runStep(
      apply.find((s) => s.id === 'artifact')!,
      env,
    );
    expect(named.output).toBe('name=terraform-plan-staging-infra_aws-2\n');
    expect(readFileSync(join(dir, 'reviewed-plan', 'tfplan.enc')).includes(Buffer.from('plan-bytes'))).toBe(false);
    // As download-artifact leaves it for the apply job (the same folder).
    rmSync(join(dir, 'tfplan'));
    const reviewed = apply.find((s) => s.name === 'The reviewed plan')!;
    const ok = runStep(reviewed, { PLAN_ENCRYPTION_KEY: 'k3y', RUNNER_TEMP: dir });
    expect(ok.status).toBe(0);
    expect(readFileSync(join(dir, 'tfplan'), 'utf8')).toBe('plan-bytes');
    expect(ok.summary).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    const wrongKey = runStep(reviewed, { PLAN_ENCRYPTION_KEY: 'other', RUNNER_TEMP: dir });
    expect(wrongKey.status).not.toBe(0);
    writeFileSync(join(dir, 'reviewed-plan', 'tfplan.sha256'), '0'.repeat(64));
    const tampered = runStep(reviewed, { PLAN_ENCRYPTION_KEY: 'k3y', RUNNER_TEMP: dir });
    expect([tampered.status, errorLines(tampered.stdout)]).toEqual([1, [expect.stringContaining('the plan artifact does not have the digest the plan job recorded')]]);
  });

  test("each root's plan is in its job summary and, through its run report, in the verdict's one sticky PR comment", () => {
    const show = plan.find((s) => s.id === 'show')!;
    expect(show.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(plan.some((s) => /comment/i.test(s.name ?? ''))).toBe(false);
    // The report step writes a run report the kit reads back: a plan that failed is a tool error naming the root.
    const report = plan.find((s) => s.name === "This root's report, for the verdict")!;
    const dir = mkdtempSync(join(tmpdir(), 'pa-report-'));
    writeFileSync(join(dir, 'plan-comment.md'), '### terraform plan of live/app (staging)\n\n**Plan: 1 to add**\n');
    const read = () => parseRunReport(readFileSync(join(dir, 'platform-actions-report', 'terraform-plan.json'), 'utf8'));
    const base = { ROOT: 'live/app', SHARD: '3', ENVIRONMENT: 'staging', INIT: 'success', CHANGES: 'Plan: 1 to add, 0 to change, 0 to destroy.', RUNNER_TEMP: dir };
    expect(runStep(report, { ...base, PLAN: 'success' }).status).toBe(0);
    expect(read()).toMatchObject({ report: { action: 'terraform-plan', shard: '3', outcome: 'clean', details: expect.stringContaining('**Plan: 1 to add**') } });
    expect(runStep(report, { ...base, PLAN: 'failure' }).status).toBe(0);
    expect(read()).toMatchObject({ report: { outcome: 'tool-error', failure: 'terraform plan of live/app (staging) did not succeed; see its job log' } });
    const verdict = wf.jobs.verdict.steps!.find((s) => s.id === 'verdict')!;
    expect(verdict.with).toMatchObject({ plan: '${{ needs.roots.outputs.plan }}', comment: '${{ inputs.comment }}' });
    expect(wf.jobs.verdict.if).toBe('always()');
  });

  test('the shown plan never carries a secret value, in any encoding terraform could print', () => {
    const show = plan.find((s) => s.id === 'show')!;
    const secret = 'hunter2-db-password';
    const b64 = Buffer.from(secret).toString('base64');
    const printed = [
      '  + resource "x" "y" {',
      `      + password = "${secret}"`,
      `      + encoded  = "${b64}"`,
      `      + url      = "https://u:${encodeURIComponent(`${secret}/x`).replace(/%2F.*/, '')}@db"`,
      `      + hex      = "${Buffer.from(secret).toString('hex')}"`,
      '      + token    = "ghs_modules_token"',
      '    }',
      'Plan: 1 to add, 0 to change, 0 to destroy.',
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'pa-show-'));
    // A stand-in for `terraform show`: prints what a plan with those values would print.
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'printed'), printed);
    writeFileSync(join(dir, 'bin', 'terraform'), `#!/bin/sh\ncat "${dir}/printed"\n`, { mode: 0o755 });
    const r = runStep(
      show,
      {
        TF: 'terraform',
        TF_VARS: `db_password=${secret}`,
        PROVIDER_ENV: '',
        TF_TOKENS: '',
        MODULES_GIT_TOKEN: 'ghs_modules_token',
        TITLE: 'terraform plan of infra (staging)',
        RUNNER_TEMP: dir,
      },
      { path: [join(dir, 'bin')] },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const comment = readFileSync(join(dir, 'plan-comment.md'), 'utf8');
    for (const text of [r.summary, comment]) {
      expect(text).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
      expect(text).toContain('password = "***"');
      for (const leak of [secret, b64, Buffer.from(secret).toString('hex'), 'ghs_modules_token']) expect(text).not.toContain(leak);
    }
    expect(r.output).toBe('changes=Plan: 1 to add, 0 to change, 0 to destroy.\n');
  });
});

describe('starters run as copied: they build what they deploy', () => {
  const starters = templates;

  test('every image a starter deploys is the output of a container-image job it needs', () => {
    let deploys = 0;
    for (const f of starters) {
      const wf = load(f);
      for (const [id, job] of Object.entries(wf.jobs)) {
        if (!job.uses?.includes('/k8s-deploy.yml@')) continue;
        deploys++;
        // images: name=<ref> per line; helm-set: image.repository= / image.tag= lines.
        const refs = [
          ...String(job.with?.images ?? '')
            .split('\n')
            .filter((l) => l.includes('='))
            .map((l) => l.slice(l.indexOf('=') + 1).trim()),
          ...String(job.with?.['helm-set'] ?? '')
            .split('\n')
            .filter((l) => /^\s*image\.(repository|tag)=/.test(l))
            .map((l) => l.slice(l.indexOf('=') + 1).trim()),
        ];
        expect([f, id, refs.length > 0]).toEqual([f, id, true]);
        for (const ref of refs) {
          const m = /^\$\{\{ needs\.([\w-]+)\.outputs\.(image|repository|tag) \}\}$/.exec(ref);
          expect([f, id, ref, Boolean(m)]).toEqual([f, id, ref, true]);
          expect([f, id, m![1], wf.jobs[m![1]]?.uses?.includes('/container-image.yml@')]).toEqual([f, id, m![1], true]);
          expect([f, id, needsOf(job)]).toEqual([f, id, expect.arrayContaining([m![1]])]);
        }
        // A chart deploy sets both halves of the image.
        if (job.with?.chart) expect([f, id, String(job.with['helm-set'])]).toEqual([f, id, expect.stringMatching(/image\.repository=[\s\S]*image\.tag=/)]);
      }
    }
    expect(deploys).toBe(4);
  });

  test('no starter or example workflow names a registry organisation by hand', () => {
    const bad = [...starters, ...exampleWorkflows].filter((f) => /ghcr\.io\/(?!\$\{\{ github\.repository_owner \}\})/.test(readFileSync(f, 'utf8').replace(/^\s*#.*$/gm, '')));
    expect(bad).toEqual([]);
    expect(stepNamed('.github/workflows/container-image.yml', 'build', 'ref').env?.REGISTRY).toBe('ghcr.io/${{ github.repository_owner }}');
  });

  test('the image reference is ghcr.io/<owner, lowercased>/<name>:<tag>, and a bad name is one line', () => {
    const ref = stepNamed('.github/workflows/container-image.yml', 'build', 'ref');
    const r = runStep(ref, { REGISTRY: 'ghcr.io/Acme-Corp', NAME: 'ml-api', TAG: 'v1.4.2', VERSION: '', PLATFORMS: 'linux/amd64' });
    expect(r.status).toBe(0);
    expect(r.output).toBe(
      'repository=ghcr.io/acme-corp/ml-api\ntag=v1.4.2\nimage=ghcr.io/acme-corp/ml-api:v1.4.2\nscan-platform=linux/amd64\nemulate=false\nartifact=image-scan-ml-api\n',
    );
    // Two platforms: QEMU for the foreign one; the scan builds the first.
    const multi = runStep(ref, { REGISTRY: 'ghcr.io/acme', NAME: 'team/engine', TAG: 'v2.0.0', VERSION: 'v2.0.0', PLATFORMS: 'linux/amd64,linux/arm64' });
    expect(multi.output).toContain('scan-platform=linux/amd64\nemulate=true\nartifact=image-scan-team-engine\n');
    for (const [k, v, message] of [
      ['PLATFORMS', 'amd64', "platforms 'amd64' is not a comma-separated list of os/arch"],
      ['VERSION', 'latest', "version 'latest' is not a semantic version"],
    ]) {
      const r2 = runStep(ref, { REGISTRY: 'ghcr.io/acme', NAME: 'api', TAG: 'x', VERSION: '', PLATFORMS: 'linux/amd64', [k]: v });
      expect([r2.status, errorLines(r2.stdout)]).toEqual([1, [expect.stringContaining(message)]]);
    }
    const bad = runStep(ref, { REGISTRY: 'ghcr.io/acme', NAME: 'ML API', TAG: 'x', VERSION: '', PLATFORMS: 'linux/amd64' });
    expect([bad.status, errorLines(bad.stdout)]).toEqual([1, [expect.stringContaining("name 'ML API' is not an image name")]]);
  });

  test('each example repository has the Dockerfile (or context) its starter builds', () => {
    const { pipelines } = JSON.parse(
      spawnSync(process.execPath, ['--input-type=module', '-e', "import { pipelines } from './workflows-templates/sync.mjs'; console.log(JSON.stringify({ pipelines }))"], {
        encoding: 'utf8',
      }).stdout,
    ) as { pipelines: Record<string, string> };
    let built = 0;
    for (const f of starters) {
      const example = pipelines[f.replace(/^workflows-templates\/|\.yml$/g, '')];
      for (const [id, job] of Object.entries(load(f).jobs)) {
        if (!job.uses?.includes('/container-image.yml@')) continue;
        const context = String(job.with?.context ?? '.');
        const dockerfile = String(job.with?.file || join(context, 'Dockerfile'));
        expect([f, id, statSync(join('examples', example, dockerfile), { throwIfNoEntry: false })?.isFile()]).toEqual([f, id, true]);
        built++;
      }
    }
    // flask-api and web, ml-api, sentiment-api, strategy-engine, orders-api.
    expect(built).toBe(6);
  });
});

describe('concurrency', () => {
  // "This means that there can be at most one running and one pending job in a concurrency group at any
  // time. Any existing pending job or workflow in the same concurrency group, if it exists, will be
  // canceled and the new queued job or workflow will take its place."
  // — https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#concurrency
  const wf = load('.github/workflows/terraform.yml');
  const group = (job: Job, github: Record<string, Value>) => {
    const g = (job.concurrency as { group: string }).group;
    return evaluate(/\$\{\{([\s\S]*)\}\}/.exec(g)?.[1] ?? `'${g}'`, { github, inputs: { environment: 'staging' }, matrix });
  };
  const apply = (github: Record<string, Value>) =>
    String(wf.jobs.apply.concurrency && (wf.jobs.apply.concurrency as { group: string }).group).replace(/\$\{\{ (.*?) \}\}/g, (_m, e: string) =>
      String(evaluate(e, { github, inputs: { environment: 'staging' }, matrix })),
    );
  // One job per root: its group is keyed by its state (the root from the plan's matrix) and the environment.
  const matrix = { state: 'live/app', shard: 1, shards: 2, items: 'live/app', count: 1 };

  test("pull request plans never share a group with the default branch's plan and apply; pushes do", () => {
    const main = events['a push to main'];
    const pr = events['a pull request from a branch'];
    expect(group(wf.jobs.plan, main)).toBe(apply(main));
    expect(group(wf.jobs.plan, pr)).not.toBe(apply(main));
    expect(group(wf.jobs.plan, pr)).not.toBe(group(wf.jobs.plan, { ...pr, event: { pull_request: { number: 8 } } }));
    expect(group(wf.jobs.plan, main)).toContain('live/app-staging');
  });

  test('no workflow says runs queue in a concurrency group (one pending run at most)', () => {
    expect(all.filter((f) => /runs queue/i.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});

describe('runs-on', () => {
  const inputs = (v: string) => ({ inputs: { 'runs-on': v } });
  test('every job of every reusable workflow takes one label or a JSON list or runner group', () => {
    for (const f of reusable) {
      for (const [id, job] of Object.entries(load(f).jobs)) {
        const expr = /^\$\{\{(.*)\}\}$/.exec(String(job['runs-on']))?.[1];
        expect([f, id, typeof expr]).toEqual([f, id, 'string']);
        expect(evaluate(expr!, inputs('ubuntu-latest'))).toBe('ubuntu-latest');
        expect(evaluate(expr!, inputs('["self-hosted", "linux", "x64"]'))).toEqual(['self-hosted', 'linux', 'x64']);
        expect(evaluate(expr!, inputs('{"group": "deploy", "labels": ["linux"]}'))).toEqual({ group: 'deploy', labels: ['linux'] });
      }
    }
  });
});

describe('SARIF uploads', () => {
  // Pull requests from forks (and Dependabot's) get a read-only GITHUB_TOKEN, so an upload there fails
  // with "Resource not accessible by integration" (github/codeql-action#2117).
  test('every upload in every workflow we ship — reusable, starter or example — is skipped on fork and Dependabot pull requests', () => {
    const bad: string[] = [];
    let uploads = 0;
    for (const f of shipped) {
      for (const [id, job] of Object.entries(load(f).jobs ?? {})) {
        for (const step of job.steps ?? []) {
          if (!step.uses?.startsWith('github/codeql-action/upload-sarif@')) continue;
          uploads++;
          const c = String(step.if);
          if (!c.includes('github.event.pull_request.head.repo.fork != true') || !c.includes("github.actor != 'dependabot[bot]'")) bad.push(`${f} ${id}`);
          for (const [event, github] of Object.entries(events)) {
            const skipped = /fork|Dependabot/.test(event);
            // Every step output the condition reads is set (the scan ran and wrote its SARIF).
            const steps: Record<string, { outputs: Record<string, string> }> = {};
            // A verdict's `complete` is true: the plan covered every item (what a push to main runs).
            for (const m of c.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) (steps[m[1]] ??= { outputs: {} }).outputs[m[2]] = m[2] === 'complete' ? 'true' : 'x.sarif';
            const runs = condition(c, { github, inputs: { 'upload-sarif': true }, steps });
            expect([f, id, event, runs]).toEqual([f, id, event, !skipped]);
          }
        }
      }
    }
    expect(bad).toEqual([]);
    // security-scan (2), helm-ci, terraform, the release's own, container-image's image scan, sast (Bandit, Semgrep).
    expect(uploads).toBe(9);
  });
});

describe('README snippets', () => {
  const docs = [
    'README.md',
    '.github/workflows/README.md',
    'workflows-templates/README.md',
    ...readdirSync('examples', { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join('examples', e.name, 'README.md')),
  ].filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
  const snippets = docs.flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)].flatMap((m) => {
      try {
        const wf = parse(m[1]) as Workflow;
        return wf && typeof wf === 'object' && wf.jobs ? [{ f, wf }] : [];
      } catch {
        return [];
      }
    }),
  );

  test('no snippet grants security-events: write without an upload, and every checkout keeps no credentials', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
    const bad: string[] = [];
    for (const { f, wf } of snippets) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const grants = { ...(typeof wf.permissions === 'object' ? (wf.permissions as Record<string, string>) : {}), ...permissionsOf(job) };
        const uploads = (job.steps ?? []).some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
        if (grants['security-events'] === 'write' && !uploads && !job.uses) bad.push(`${f} ${id}: security-events: write without an upload`);
        for (const s of job.steps ?? [])
          if (s.uses?.startsWith('actions/checkout@') && s.with?.['persist-credentials'] !== false) bad.push(`${f} ${id}: checkout persists credentials`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('what a private or internal host repository needs, documented', () => {
  const text = readFileSync('.github/workflows/README.md', 'utf8') + readFileSync('workflows-templates/README.md', 'utf8');
  // "For internal or private repositories, the Access policy on the Actions settings page of the called
  // workflow's repository must be explicitly configured to allow access from repositories containing
  // caller workflows" and "Workflow templates in a private .github repository are only available to
  // private repositories." — https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
  test('the Actions "Access" setting and who is offered templates from a private .github repository', () => {
    expect(text).toMatch(/Settings → Actions → General → \*\*Access\*\*/);
    expect(text).toMatch(/private `\.github` repository are offered only to\s+private repositories/);
    expect(text).toMatch(/internal `\.github` repository[\s\S]*?internal and private repositories/);
  });
});

// Every reusable workflow this file's rules range over is one we ship.
test('the rules above cover every reusable workflow', () => {
  expect(reusable.map((f) => f.replace('.github/workflows/', ''))).toEqual([
    'all-passed.yml',
    'container-image.yml',
    'db-migrations.yml',
    'helm-ci.yml',
    'k8s-deploy.yml',
    'k8s-rollback.yml',
    'node-ci.yml',
    'notify.yml',
    'python-ci.yml',
    'release-version.yml',
    'sast.yml',
    'security-scan.yml',
    'terraform.yml',
  ]);
  expect(own.length).toBe(15);
});

// Structural checks of every workflow we ship: this repository's reusable workflows, CI and release
// (.github/workflows), the starter workflows (workflows-templates) and the example callers
// (examples/*/.github/workflows). Linters first (actionlint, zizmor), then what no linter knows: the
// inputs, outputs and secrets our workflows pass to our actions and to each other, read from the YAML,
// so renaming an input breaks the build. No network: pins are checked for form, not looked up.
import { describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { toolBin } from '../harness/tools.js';
import { all, callSpec, exampleWorkflows, load, ourAction, ourWorkflow, own, reusable, shipped, templates, type Job, type Workflow } from '../helpers/workflows.js';

interface ActionSpec {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: Record<string, unknown>;
}

const ourActions = readdirSync('actions').filter((d) => existsSync(join('actions', d, 'action.yml')));
const actionSpec = (name: string): ActionSpec => {
  const a = parse(readFileSync(join('actions', name, 'action.yml'), 'utf8')) as Partial<ActionSpec>;
  return { inputs: a.inputs ?? {}, outputs: a.outputs ?? {} };
};
const required = (spec: Record<string, { required?: boolean; default?: unknown } | null>) =>
  Object.entries(spec)
    .filter(([, v]) => v?.required === true && v.default === undefined)
    .map(([k]) => k);
/** Every `<prefix>.<name>.outputs.<output>` read anywhere in a value (expressions in with/env/outputs/if/run). */
const outputReads = (value: unknown, prefix: 'steps' | 'needs') => {
  const text = JSON.stringify(value ?? null);
  return [...text.matchAll(new RegExp(`\\b${prefix}\\.([\\w-]+)\\.outputs\\.([\\w-]+)`, 'g'))].map((m) => [m[1], m[2]] as const);
};

describe('workflow files', () => {
  test('there are reusable workflows, CI, release, starter workflows and example callers', () => {
    for (const f of ['security-scan', 'helm-ci', 'terraform', 'db-migrations', 'k8s-deploy', 'ci', 'release']) {
      expect(own).toContain(`.github/workflows/${f}.yml`);
    }
    expect(templates.length).toBe(5);
    expect(exampleWorkflows.length).toBeGreaterThanOrEqual(9);
    expect(own).toEqual(expect.arrayContaining(['.github/workflows/all-passed.yml', '.github/workflows/container-image.yml']));
  });

  test('actionlint passes (only the `$/` self-repository syntax, which actionlint 1.7.12 does not know yet, is ignored)', () => {
    const r = spawnSync(toolBin('actionlint'), ['-no-color', '-ignore', 'specifying action "\\$/', ...all], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('zizmor reports nothing (offline audits; the only inline ignores are commented)', () => {
    const r = spawnSync(toolBin('zizmor'), ['--offline', '--no-progress', ...shipped], { encoding: 'utf8' });
    expect(r.stdout).toContain('No findings to report');
    expect(r.status).toBe(0);
    // Every inline ignore sits under a comment line that says why.
    for (const f of shipped) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((l, i) => {
        if (l.includes('zizmor: ignore')) expect(`${f}:${i + 1} ${lines[i - 1].trim().startsWith('#') || lines[i - 2]?.trim().startsWith('#')}`).toBe(`${f}:${i + 1} true`);
      });
    }
  });

  test('no run: script interpolates ${{ }} (values reach scripts through env:)', () => {
    const offenders: string[] = [];
    for (const f of all) {
      for (const [job, spec] of Object.entries(load(f).jobs ?? {})) {
        for (const step of spec.steps ?? []) if (step.run?.includes('${{')) offenders.push(`${f}: job ${job}, step ${step.name ?? '(unnamed)'}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  test('no pull_request_target anywhere', () => {
    expect(all.filter((f) => /\bpull_request_target\b/.test(readFileSync(f, 'utf8').replace(/#.*$/gm, '')))).toEqual([]);
  });

  test('every uses: is ours at the same commit, local, or pinned by a full commit SHA with its version in a comment', () => {
    const bad: string[] = [];
    const versionOf = new Map<string, string>();
    for (const f of shipped) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const m = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$/.exec(line);
          if (!m) return;
          const [, ref, comment] = m;
          const where = `${f}:${i + 1} ${ref}`;
          if (/[<>]|OWNER|FULL_SHA|\bsha\b/i.test(ref)) return void bad.push(`${where}: placeholder`);
          if (ref.startsWith('$/')) return void (ourAction(ref) && ourActions.includes(ourAction(ref)!) ? undefined : bad.push(`${where}: no such action here`));
          if (ref.startsWith('./')) return;
          const pin = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@([0-9a-f]{40})$/.exec(ref);
          if (!pin) return void bad.push(`${where}: not pinned by a full commit SHA`);
          if (!comment?.trim()) return void bad.push(`${where}: no version comment`);
          const key = ref.replace(/\/[^@]*(?=@)/, (p) => p.split('/').slice(0, 2).join('/'));
          const seen = versionOf.get(key);
          if (seen && seen !== comment.trim()) bad.push(`${where}: the same commit is labelled ${seen} elsewhere`);
          versionOf.set(key, comment.trim());
          if (!ref.startsWith('acme/platform-actions/') && !/^v\d+\.\d+\.\d+$/.test(comment.trim())) bad.push(`${where}: comment "${comment.trim()}" is not an exact vX.Y.Z`);
        });
    }
    expect(bad).toEqual([]);
  });
});

describe('our actions as the workflows use them', () => {
  test('every with: key is an input of the action, every required input is given, every output read exists', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const f of all) {
      for (const [jobId, job] of Object.entries(load(f).jobs ?? {})) {
        const stepsById = new Map<string, string>();
        for (const step of job.steps ?? []) {
          const name = step.uses ? ourAction(step.uses) : undefined;
          if (!name) continue;
          if (!ourActions.includes(name)) {
            problems.push(`${f} ${jobId}: ${step.uses} — no action ${name} in actions/`);
            continue;
          }
          checked++;
          const spec = actionSpec(name);
          for (const k of Object.keys(step.with ?? {})) if (!(k in spec.inputs)) problems.push(`${f} ${jobId}: ${name} has no input ${k}`);
          for (const k of required(spec.inputs)) if (!(k in (step.with ?? {}))) problems.push(`${f} ${jobId}: ${name} needs input ${k}`);
          if (step.id) stepsById.set(step.id, name);
        }
        for (const [id, out] of outputReads(job, 'steps')) {
          const name = stepsById.get(id);
          if (name && !(out in actionSpec(name).outputs)) problems.push(`${f} ${jobId}: steps.${id}.outputs.${out} — ${name} has no output ${out}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

describe('reusable workflows', () => {
  test('each is callable: workflow_call, the runner as an input, permissions: {} at the top and per job', () => {
    expect(reusable.map((f) => f.replace('.github/workflows/', '')).sort()).toEqual([
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
    for (const f of reusable) {
      const wf = load(f);
      expect([f, callSpec(wf)!.inputs['runs-on']?.type]).toEqual([f, 'string']);
      expect([f, wf.permissions]).toEqual([f, {}]);
      for (const [id, job] of Object.entries(wf.jobs)) {
        expect([f, id, typeof job.permissions]).toEqual([f, id, 'object']);
        // One label or JSON (a list of labels, a runner group): test/workflows/org-semantics.test.ts evaluates it.
        expect([f, id, job['runs-on']]).toEqual([
          f,
          id,
          "${{ (startsWith(inputs.runs-on, '[') || startsWith(inputs.runs-on, '{')) && fromJSON(inputs.runs-on) || inputs.runs-on }}",
        ]);
      }
    }
  });

  test('each input has a description, a type GitHub accepts, and a default unless required', () => {
    for (const f of reusable) {
      for (const [k, v] of Object.entries(callSpec(load(f))!.inputs)) {
        expect([f, k, typeof (v as { description?: string }).description]).toEqual([f, k, 'string']);
        expect(['string', 'boolean', 'number']).toContain(v.type);
        expect([f, k, v.required === true || v.default !== undefined]).toEqual([f, k, true]);
      }
    }
  });

  test('each workflow output maps to a job output that exists', () => {
    for (const f of reusable) {
      const wf = load(f);
      for (const [k, v] of Object.entries(callSpec(wf)!.outputs)) {
        const refs = [...String(v.value).matchAll(/jobs\.([\w-]+)\.outputs\.([\w-]+)/g)];
        expect([f, k, refs.length > 0]).toEqual([f, k, true]);
        for (const [, job, out] of refs) expect([f, k, Object.keys(wf.jobs[job]?.outputs ?? {})]).toEqual([f, k, expect.arrayContaining([out])]);
      }
    }
  });

  // A job's `defaults.run.working-directory` applies to every run step, and the runner cannot start a
  // step in a folder that does not exist yet: nothing may run before the checkout that creates it.
  test('in a job with a run working-directory, no run step comes before the checkout', () => {
    const bad: string[] = [];
    for (const f of all) {
      for (const [id, job] of Object.entries(load(f).jobs ?? {})) {
        if (!(job.defaults as { run?: { 'working-directory'?: string } } | undefined)?.run?.['working-directory']) continue;
        for (const step of job.steps ?? []) {
          if (step.uses?.startsWith('actions/checkout@')) break;
          if (step.run !== undefined && !(step as { 'working-directory'?: string })['working-directory']) bad.push(`${f} ${id}: ${step.name ?? step.id}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  test('a terraform apply is never cancelled half-way and runs terraform as the step process', () => {
    const wf = load('.github/workflows/terraform.yml');
    for (const id of ['plan', 'apply']) {
      expect(wf.jobs[id].concurrency).toMatchObject({ 'cancel-in-progress': false });
      // Every terraform command that can hold the state lock (`show` of a saved plan file does not).
      const tfSteps = (wf.jobs[id].steps ?? []).filter((s) => s.run?.includes('"$TF"') && !/"\$TF" show /.test(s.run));
      expect(tfSteps.length).toBeGreaterThan(0);
      for (const s of tfSteps) expect(s.run).toMatch(/exec "\$TF"/);
    }
    expect(JSON.stringify(wf.jobs.apply)).toContain('-lock-timeout');
    expect(wf.jobs.apply.environment).toBe('${{ inputs.environment }}');
  });
});

describe('callers of the reusable workflows', () => {
  const callers: Array<{ file: string; job: string; spec: Job; target: string; pin?: string }> = [];
  for (const f of all) {
    for (const [job, spec] of Object.entries(load(f).jobs ?? {})) {
      const w = spec.uses ? ourWorkflow(spec.uses) : undefined;
      if (w) callers.push({ file: f, job, spec, target: w[0], pin: w[1] });
    }
  }

  test('every caller passes only inputs and secrets the called workflow declares, and all it requires', () => {
    expect(callers.length).toBeGreaterThanOrEqual(12);
    const problems: string[] = [];
    for (const c of callers) {
      const spec = callSpec(load(c.target))!;
      const where = `${c.file} ${c.job} → ${c.target}`;
      for (const k of Object.keys(c.spec.with ?? {})) if (!(k in spec.inputs)) problems.push(`${where}: no input ${k}`);
      for (const k of required(spec.inputs)) if (!(k in (c.spec.with ?? {}))) problems.push(`${where}: needs input ${k}`);
      if (c.spec.secrets !== 'inherit') {
        for (const k of Object.keys(c.spec.secrets ?? {})) if (!(k in spec.secrets)) problems.push(`${where}: no secret ${k}`);
        for (const k of required(spec.secrets)) if (!(k in (c.spec.secrets ?? {}))) problems.push(`${where}: needs secret ${k}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every needs.<job>.outputs.<name> a caller reads is an output of the workflow that job calls', () => {
    const problems: string[] = [];
    for (const f of all) {
      const wf = load(f);
      for (const [job, spec] of Object.entries(wf.jobs ?? {})) {
        for (const [dep, out] of outputReads(spec, 'needs')) {
          const w = wf.jobs[dep]?.uses ? ourWorkflow(wf.jobs[dep].uses!) : undefined;
          if (w && !(out in callSpec(load(w[0]))!.outputs)) problems.push(`${f} ${job}: needs.${dep}.outputs.${out}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every pinned commit exists in this repository and its workflow accepts what the caller passes', () => {
    const problems: string[] = [];
    for (const c of callers.filter((x) => x.pin)) {
      const where = `${c.file} ${c.job} @${c.pin}`;
      let text: string;
      try {
        text = execFileSync('git', ['show', `${c.pin}:${c.target}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch {
        problems.push(`${where}: ${c.target} does not exist at that commit (or the clone is shallow: fetch-depth 0)`);
        continue;
      }
      const spec = callSpec(parse(text) as Workflow)!;
      for (const k of Object.keys(c.spec.with ?? {})) if (!(k in spec.inputs)) problems.push(`${where}: no input ${k} at that commit`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the pinned commit serves every action its workflows use', () => {
  // A caller at the pinned commit runs that commit's action.yml and bundle. The pin may not lag behind a
  // bundle HEAD already has (after a dist rebuild: node workflows-templates/sync.mjs --pin <that commit>).
  test('each action a called workflow uses has its action.yml at the pin, and its bundle whenever HEAD has one', () => {
    const at = (commit: string, path: string) => spawnSync('git', ['cat-file', '-e', `${commit}:${path}`]).status === 0;
    const problems: string[] = [];
    const pins = new Set<string>();
    for (const f of all)
      for (const job of Object.values(load(f).jobs ?? {})) {
        const w = job.uses ? ourWorkflow(job.uses) : undefined;
        if (w?.[1]) pins.add(`${w[1]} ${w[0]}`);
      }
    expect(pins.size).toBeGreaterThan(0);
    for (const entry of pins) {
      const [pin, workflow] = entry.split(' ');
      const text = execFileSync('git', ['show', `${pin}:${workflow}`], { encoding: 'utf8' });
      for (const m of text.matchAll(/uses: \$\/actions\/([\w.-]+)/g)) {
        const bundle = `dist/${m[1]}/index.js`;
        if (!at(pin, `actions/${m[1]}/action.yml`)) problems.push(`${workflow}@${pin}: no actions/${m[1]}/action.yml`);
        if (!at(pin, bundle) && at('HEAD', bundle)) problems.push(`${workflow}@${pin}: no ${bundle} (HEAD has it: re-pin with node workflows-templates/sync.mjs --pin <commit>)`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('starter workflows', () => {
  test('each has its properties file, and the example copies are current (node workflows-templates/sync.mjs --check)', () => {
    for (const t of templates) {
      const props = JSON.parse(readFileSync(t.replace(/\.yml$/, '.properties.json'), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(props)).toEqual(expect.arrayContaining(['name', 'description', 'iconName', 'categories']));
    }
    const r = spawnSync(process.execPath, ['workflows-templates/sync.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('actions/cache across runs', () => {
  // A cache entry's version is a hash of its `path` lines (@actions/cache getCacheVersion), so a restore
  // finds only entries saved with the same paths; a different folder on the two sides never hits. The cache
  // belongs to the repository, not to a job: a save in any job of the workflow feeds the next run's restores
  // (helm-ci's plan job reads the durations its verdict job saved).
  test('each restore is fed by a save with the same path (and a key its restore-keys prefix matches)', () => {
    const problems: string[] = [];
    const isCache = (uses: unknown, kind: 'restore' | 'save') => typeof uses === 'string' && uses.startsWith(`actions/cache/${kind}@`);
    type CacheStep = { uses?: string; with?: Record<string, string> };
    for (const f of all) {
      const jobs = Object.entries(load(f).jobs ?? {});
      const saves = jobs.flatMap(([, job]) => ((job.steps ?? []) as CacheStep[]).filter((s) => isCache(s.uses, 'save')));
      for (const [id, job] of jobs) {
        const steps = (job.steps ?? []) as CacheStep[];
        for (const r of steps.filter((s) => isCache(s.uses, 'restore'))) {
          const prefix = String(r.with?.['restore-keys'] ?? r.with?.key ?? '').trim();
          const feeding = saves.filter((s) => String(s.with?.key ?? '').startsWith(prefix));
          if (feeding.length === 0) problems.push(`${f} ${id}: no actions/cache/save whose key starts with ${prefix}`);
          for (const s of feeding)
            if (String(s.with?.path).trim() !== String(r.with?.path).trim()) problems.push(`${f} ${id}: restore path ${r.with?.path} ≠ save path ${s.with?.path}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

// gitleaks-scan benchmarks (issue #5), side by side in one process:
// (a) a 10-commit PR on top of a 5,000-commit history against the same PR on top of a 10-commit history:
//     choosing the range must not cost more as history grows (target ≤ 1.2x);
// (b) the action's whole run (Node 24, bundle, git, gitleaks, every reporter) against bare gitleaks on the
//     same range (target ≤ 1.15x), on a PR big enough that scanning is the work (1,000 commits, 200,000
//     added lines). The action's fixed cost (mostly starting Node and loading the bundle) is printed
//     separately from the 10-commit PR, where it dominates;
// (c) what scanning merge commits' own changes costs (issue 13): bare gitleaks over a history with 200
//     merges (every branch merged with --no-ff, one in ten with a change made while merging), with and
//     without --remerge-diff, and how many secrets each sees (only the merges' own, planted at run time).
// Histories are synthetic (git fast-import), so the run needs no network; gitleaks comes from the harness
// and sits in a tool cache laid out as @actions/tool-cache leaves it, the way a warm runner has it.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundledAction } from '../test/runner/runner.js';
import { pinnedVersion, toolBin } from '../test/harness/tools.js';
import { report, sideBySide } from './lib.js';

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd: dir, env: GIT_ENV, maxBuffer: 256 << 20 })
    .toString()
    .trim();

/** Deterministic, code-like text with no secrets in it. */
function source(seed: number, lines: number): string {
  let x = (seed * 2654435761) % 4294967296;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`export const value${seed}_${i} = compute(${next() % 1000}, "item-${next() % 97}", ${next() % 7 === 0});`);
  return out.join('\n') + '\n';
}

/**
 * A repository whose main has `base` commits (each editing one of 50 modules) and a `feature` branch with
 * `pr` commits on top (each adding a new module of `prLines` lines). Built with git fast-import.
 */
function buildRepo(dir: string, base: number, pr: number, prLines: number): { head: string; mergeBase: string } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '--initial-branch=main');
  const chunks: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  let t = 1_700_000_000;
  const commit = (branch: string, mark: number, from: number | undefined, path: string, body: string, msg: string) => {
    chunks.push(`commit refs/heads/${branch}\nmark :${mark}\ncommitter Bench <bench@example.invalid> ${t++} +0000\n${data(msg)}`);
    if (from !== undefined) chunks.push(`from :${from}\n`);
    chunks.push(`M 100644 inline ${path}\n${data(body)}\n`);
  };
  for (let i = 1; i <= base; i++) commit('main', i, i === 1 ? undefined : i - 1, `src/module${i % 50}.ts`, source(i, 20), `main change ${i}`);
  for (let j = 1; j <= pr; j++) commit('feature', base + j, base + j - 1, `src/feature/part${j}.ts`, source(100_000 + j, prLines), `feature part ${j}`);
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env: GIT_ENV, input: chunks.join(''), maxBuffer: 256 << 20 });
  git(dir, 'checkout', '-q', 'feature');
  return { head: git(dir, 'rev-parse', 'feature'), mergeBase: git(dir, 'rev-parse', 'main') };
}

/**
 * main with `merges` topic branches merged into it, `perBranch` commits each (a new module of `lines`
 * lines per commit), main moving on between merges. One merge in ten also edits a file while merging,
 * and every such edit adds a generated AWS-style key id: the findings only a merge-aware scan can see.
 */
function buildMergeRepo(dir: string, merges: number, perBranch: number, lines: number): { evil: number } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '--initial-branch=main');
  const chunks: string[] = [];
  // Ends with the optional LF after inline data and nothing more: a blank line would end the commit.
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const b32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const keyId = (i: number) => 'AKIA' + Array.from({ length: 16 }, (_, j) => b32[(i * 7 + j * 13 + ((i * j) % 5)) % 32]).join('');
  let t = 1_700_000_000;
  let mark = 0;
  const header = (ref: string, msg: string) => {
    mark++;
    chunks.push(`commit ${ref}\nmark :${mark}\ncommitter Bench <bench@example.invalid> ${t++} +0000\n${data(msg)}`);
    return mark;
  };
  let main = header('refs/heads/main', 'root');
  chunks.push(`M 100644 inline README.md\n${data('# bench\n')}`);
  let evil = 0;
  for (let m = 1; m <= merges; m++) {
    const files: Array<[string, string]> = [];
    let tip = main;
    for (let c = 1; c <= perBranch; c++) {
      const path = `src/topic${m}/part${c}.ts`;
      const body = source(m * 100 + c, lines);
      files.push([path, body]);
      const from = tip;
      tip = header('refs/heads/topic', `topic ${m} part ${c}`);
      chunks.push(`from :${from}\nM 100644 inline ${path}\n${data(body)}`);
    }
    const onMain = header('refs/heads/main', `main moves ${m}`);
    chunks.push(`from :${main}\nM 100644 inline src/module${m % 50}.ts\n${data(source(m, 20))}`);
    main = header('refs/heads/main', `Merge topic ${m}`);
    chunks.push(`from :${onMain}\nmerge :${tip}\n`);
    for (const [path, body] of files) chunks.push(`M 100644 inline ${path}\n${data(body)}`);
    if (m % 10 === 0) {
      evil++;
      chunks.push(`M 100644 inline config/merged${m}.ini\n${data(`[default]\naws_access_key_id = ${keyId(m)}\n`)}`);
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env: GIT_ENV, input: chunks.join(''), maxBuffer: 256 << 20 });
  git(dir, 'checkout', '-q', 'main');
  return { evil };
}

/** Bare gitleaks over every ref with the action's log options, with or without --remerge-diff, in ms. */
function gitleaksAllMs(workspace: string, remergeDiff: boolean, reportPath: string): Promise<number> {
  const opts = `--full-history --diff-filter=tuxdb${remergeDiff ? ' --remerge-diff' : ''} --all --end-of-options`;
  const args = [
    'git',
    workspace,
    '--no-banner',
    '--no-color',
    '--redact=100',
    '--exit-code',
    '0',
    '--report-format',
    'json',
    '--report-path',
    reportPath,
    '--platform',
    'none',
    '--log-opts',
    opts,
  ];
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(toolBin('gitleaks'), args, { stdio: 'ignore' });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(Number(process.hrtime.bigint() - t0) / 1e6) : rej(new Error(`bench: gitleaks exited ${code}`))));
  });
}

/** A tool cache holding the harness gitleaks where @actions/tool-cache would have put the pinned release. */
function warmToolCache(root: string): string {
  const dir = join(root, 'gitleaks', pinnedVersion('gitleaks'), process.arch);
  mkdirSync(dir, { recursive: true });
  copyFileSync(toolBin('gitleaks'), join(dir, 'gitleaks'));
  writeFileSync(`${dir}.complete`, '');
  return root;
}

const prEvent = (base: string, head: string) => ({
  name: 'pull_request',
  payload: {
    number: 1,
    pull_request: { number: 1, base: { sha: base, ref: 'main' }, head: { sha: head, ref: 'feature', repo: { full_name: 'acme/example' } } },
    repository: { default_branch: 'main' },
  },
});

/** The action's main step, spawn to exit, in ms. */
async function actionMs(workspace: string, base: string, head: string, toolCache: string): Promise<number> {
  const r = await runBundledAction({ action: 'gitleaks-scan', workspace, event: prEvent(base, head), inputs: { comment: 'false' }, env: { RUNNER_TOOL_CACHE: toolCache } });
  if (r.main.exitCode !== 0 || r.outputs.outcome !== 'clean') throw new Error(`bench: the action failed: ${r.main.stdout.slice(-2000)}`);
  return r.main.durationMs;
}

/** Bare gitleaks on the same range with the same flags, spawn to exit, in ms. */
function gitleaksMs(workspace: string, range: { head: string; mergeBase: string }, reportPath: string): Promise<number> {
  const args = [
    'git',
    workspace,
    '--no-banner',
    '--no-color',
    '--redact=100',
    '--exit-code',
    '3',
    '--report-format',
    'json',
    '--report-path',
    reportPath,
    '--platform',
    'none',
    '--log-opts',
    `--full-history --diff-filter=tuxdb ${range.head} ^${range.mergeBase}`,
  ];
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(toolBin('gitleaks'), args, { stdio: 'ignore' });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(Number(process.hrtime.bigint() - t0) / 1e6) : rej(new Error(`bench: gitleaks exited ${code}`))));
  });
}

export async function benchGitleaksScan(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gitleaks-'));
  try {
    const cache = warmToolCache(join(dir, 'tool-cache'));
    const t0 = Date.now();
    const large = buildRepo(join(dir, 'large'), 5000, 10, 40);
    const small = buildRepo(join(dir, 'small'), 10, 10, 40);
    const big = buildRepo(join(dir, 'big-pr'), 500, 1000, 200);
    console.log(`(repositories built with git fast-import in ${Date.now() - t0} ms)`);

    const a = await sideBySide(
      [
        { name: 'history 5000', run: () => actionMs(join(dir, 'large'), large.mergeBase, large.head, cache) },
        { name: 'history 10', run: () => actionMs(join(dir, 'small'), small.mergeBase, small.head, cache) },
      ],
      9,
      1,
    );
    const okA = report('gitleaks-scan (a) 10-commit PR, whole action', { name: 'on 5,000 commits', ms: a['history 5000'] }, { name: 'on 10 commits', ms: a['history 10'] }, 1.2);

    const b = await sideBySide(
      [
        { name: 'action', run: () => actionMs(join(dir, 'big-pr'), big.mergeBase, big.head, cache) },
        { name: 'gitleaks', run: () => gitleaksMs(join(dir, 'big-pr'), big, join(dir, 'bare.json')) },
      ],
      5,
      1,
    );
    const okB = report('gitleaks-scan (b) 1,000-commit PR (200,000 added lines)', { name: 'action', ms: b.action }, { name: 'bare gitleaks', ms: b.gitleaks }, 1.15);

    const s = await sideBySide(
      [
        { name: 'action', run: () => actionMs(join(dir, 'small'), small.mergeBase, small.head, cache) },
        { name: 'gitleaks', run: () => gitleaksMs(join(dir, 'small'), small, join(dir, 'bare.json')) },
      ],
      9,
      1,
    );
    console.log(
      `gitleaks-scan (info) 10-commit PR: action ${s.action.toFixed(1)} ms vs bare gitleaks ${s.gitleaks.toFixed(1)} ms → ${(s.action - s.gitleaks).toFixed(0)} ms fixed overhead (Node 24 start, git range selection, reporters)`,
    );

    const merged = buildMergeRepo(join(dir, 'merges'), 200, 3, 60);
    const c = await sideBySide(
      [
        { name: 'remerge', run: () => gitleaksAllMs(join(dir, 'merges'), true, join(dir, 'remerge.json')) },
        { name: 'plain', run: () => gitleaksAllMs(join(dir, 'merges'), false, join(dir, 'plain.json')) },
      ],
      7,
      1,
    );
    const seen = (f: string) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown[]).length;
    console.log(
      `gitleaks-scan (c) 200 merges (${merged.evil} with a key added while merging), 1,001 commits: --remerge-diff ${c.remerge.toFixed(1)} ms vs without ${c.plain.toFixed(1)} ms → ${(c.remerge / c.plain).toFixed(2)}x; ` +
        `secrets seen: ${seen('remerge.json')} with, ${seen('plain.json')} without (of ${merged.evil})`,
    );
    return okA && okB;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

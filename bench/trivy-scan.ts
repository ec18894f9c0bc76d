// trivy-scan benchmarks (issue #14), side by side in one process:
// (a) warm database: the whole action (Node 24, bundle, trivy, every reporter) against bare trivy on the
//     same target with the same flags (target ≤ 1.10x). The target is big enough that scanning is the
//     work: an image built here plus a 12,000-file source tree scanned for vulnerabilities and secrets.
//     Bare trivy scans one target after the other, as a script or two trivy-action steps would; the
//     action overlaps the two scans (they only read the cache).
// (e) the same image plus a 10-file tree, warm database (target ≤ 1.10x): a small project, where the
//     action's fixed cost (Node 24 start, the bundle, the reporters) is a large share of the time.
//     Printed with it: one 10-file tree alone, where nothing overlaps, so the fixed cost shows in full.
// (b) cold database: both download the DB from the harness's local registry into an empty cache first
//     (target ≤ 1.10x).
// (c) rendering 10,000 findings (as the kit's bench defines it: gate, SARIF, job summary with this
//     action's tables, annotations) from a trivy JSON report (< 300 ms); parsing the report into
//     findings is printed separately.
// (d) bytes the registry serves on a warm run of the action (= 0), counted at a proxy in front of it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSarif, type Finding, fingerprint, gate, planAnnotations, renderSummary, SEVERITIES } from '@platform-actions/kit';
import { parseReport, toFindings } from '../actions/trivy-scan/src/findings.js';
import { detailsMarkdown } from '../actions/trivy-scan/src/report.js';
import { parseTargets } from '../actions/trivy-scan/src/targets.js';
import { trivyToolCache, warmCacheDir } from '../actions/trivy-scan/test/helpers.js';
import { writeProject } from '../actions/trivy-scan/test/fixtures.js';
import { pushDb, startRateLimitProxy, startRegistry } from '../test/harness/services/registry.js';
import { toolBin } from '../test/harness/tools.js';
import { runBundledAction } from '../test/runner/runner.js';
import { median, report, sideBySide } from './lib.js';

/** `n` small source files with no secrets: work for the secret scanner. */
function sourceTree(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const d = join(dir, `mod${i % 50}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.py`), Array.from({ length: 60 }, (_, j) => `value_${i}_${j} = compute(${(i * 31 + j) % 997}, "item-${j % 13}")`).join('\n') + '\n');
  }
}

function bareTrivy(args: string[], cwd: string): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const env: NodeJS.ProcessEnv = { ...process.env, TRIVY_DISABLE_VEX_NOTICE: 'true' };
    delete env.GITHUB_TOKEN;
    const child = spawn(toolBin('trivy'), args, { cwd, env, stdio: 'ignore' });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(Number(process.hrtime.bigint() - t0) / 1e6) : rej(new Error(`bench: trivy exited ${code} (${args.join(' ')})`))));
  });
}

/**
 * A synthetic trivy JSON report with `n` vulnerabilities in 10 lockfiles: n/5 distinct advisories, each
 * hitting five packages (as one upstream CVE hits several packages built from the same source), with
 * descriptions of realistic length.
 */
function bigReport(n: number): string {
  const results = Array.from({ length: 10 }, (_, f) => ({
    Target: `svc${f}/requirements.txt`,
    Class: 'lang-pkgs',
    Type: 'pip',
    Packages: Array.from({ length: n / 40 }, (_, k) => ({
      Name: `pkg${f}-${k}`,
      Version: '1.0.0',
      Identifier: { UID: `u${f}-${k}` },
      Locations: [{ StartLine: k + 1, EndLine: k + 1 }],
    })),
    Vulnerabilities: Array.from({ length: n / 10 }, (_, i) => ({
      VulnerabilityID: `CVE-2099-${String(Math.floor(((f * n) / 10 + i) / 5)).padStart(5, '0')}`,
      PkgName: `pkg${f}-${i % (n / 40)}`,
      PkgIdentifier: { UID: `u${f}-${i % (n / 40)}`, PURL: `pkg:pypi/pkg${f}-${i % (n / 40)}@1.0.0` },
      InstalledVersion: '1.0.0',
      FixedVersion: i % 3 ? '1.0.1' : '',
      Severity: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'][i % 5],
      Title: `synthetic advisory ${i} with a title of ordinary length`,
      Description: 'A synthetic description of the kind trivy carries, a few sentences long. '.repeat(3),
      PrimaryURL: `https://example.invalid/CVE-2099-${String(Math.floor(((f * n) / 10 + i) / 5)).padStart(5, '0')}`,
    })),
  }));
  return JSON.stringify({ SchemaVersion: 2, Trivy: { Version: '0.74.0' }, ArtifactName: '.', ArtifactType: 'filesystem', Results: results });
}

/** (c): gate, SARIF, summary and annotations for 10,000 trivy findings, in-process; true when under 300 ms. */
function benchRender(ws = process.cwd()): boolean {
  // (c) rendering 10,000 findings in-process.
  const text = bigReport(10_000);
  const [target] = parseTargets(['fs:.'], ['vuln'], ws);
  const parseTimes: number[] = [];
  const renderTimes: number[] = [];
  let count = 0;
  let sarifBytes = 0;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const findings = toFindings(parseReport(text)!, target);
    const t1 = performance.now();
    const g = gate({ findings, failOn: 'high' });
    const sarif = JSON.stringify(buildSarif([{ tool: { name: 'trivy' }, category: 'trivy-scan/fs-root', findings: g.active }]).log);
    const md = renderSummary({
      title: 'Trivy scan',
      gate: g,
      details: detailsMarkdown({ dbNeeded: true, targets: [{ target, findings: g.active }], ignoreFiles: [], ignoreHits: new Map(), suppressed: [], ignoreUnfixed: false }),
    });
    planAnnotations(g.active);
    parseTimes.push(t1 - t0);
    renderTimes.push(performance.now() - t1);
    count = findings.length;
    sarifBytes = sarif.length + (md.length ? 0 : 1);
  }
  const renderMs = median(renderTimes.slice(2));
  const okC = renderMs < 300 && count === 10_000;
  console.log(
    `trivy-scan (c) render ${count} findings (gate, SARIF ${(sarifBytes / 1e6).toFixed(1)} MB, summary, annotations): ${renderMs.toFixed(1)} ms (target < 300 ms) ${okC ? 'OK' : 'OVER TARGET'}; parsing the JSON report into findings: ${median(parseTimes.slice(2)).toFixed(1)} ms`,
  );
  // Side by side, the kit bench's own reference workload (10,000 findings of 120 short rules), so a
  // figure from a busy machine can be read against the same machine's speed.
  const ref: Finding[] = Array.from({ length: 10_000 }, (_, i) => ({
    tool: 'bench',
    ruleId: `RULE-${i % 120}`,
    severity: SEVERITIES[i % 5],
    title: `Rule ${i % 120}`,
    message: `finding ${i}: something is wrong with object ${i} in a realistic-length message`,
    location: { path: `charts/app-${i % 40}/templates/file-${i % 13}.yaml`, startLine: (i % 500) + 1 },
    fingerprint: fingerprint('bench', i),
    help: { text: 'Fix it like this.', markdown: '**Fix** it like this.' },
  }));
  const refTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const g = gate({ findings: ref, failOn: 'high' });
    JSON.stringify(buildSarif([{ tool: { name: 'bench' }, category: 'bench', findings: g.active }]).log);
    renderSummary({ title: 'bench', gate: g });
    planAnnotations(g.active);
    refTimes.push(performance.now() - t0);
  }
  const refMs = median(refTimes.slice(2));
  console.log(
    `trivy-scan (c, reference) the kit bench's 10,000-finding render on this machine now: ${refMs.toFixed(1)} ms → trivy findings cost ${(renderMs / refMs).toFixed(2)}x the reference`,
  );
  return okC;
}

export async function benchTrivyScan(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trivy-'));
  const registry = await startRegistry();
  const proxy = await startRateLimitProxy(registry, []);
  try {
    await pushDb(registry, 'trivy-db');
    const repo = `${proxy.host}/trivy-db:2`;
    const ws = join(dir, 'ws');
    await writeProject(ws);
    sourceTree(join(ws, 'src'), 12_000);
    sourceTree(join(ws, 'small'), 10);
    const toolCache = trivyToolCache(join(dir, 'tool-cache'));
    const warm = await warmCacheDir(join(dir, 'warm-cache'));
    const runnerTemp = join(dir, 'bare-out');
    mkdirSync(runnerTemp, { recursive: true });
    let n = 0;
    const fresh = (): string => join(dir, `cold-${n++}`);

    const inputs = (cacheDir: string, tree: string, image: boolean) => ({
      targets: `${image ? 'image-input:build/layout\n' : ''}fs:${tree}`,
      scanners: 'vuln,secret',
      'fail-on': 'none',
      comment: 'false',
      'cache-dir': cacheDir,
      'db-repositories': repo,
    });
    const action = async (cacheDir: string, tree = 'src', image = true): Promise<number> => {
      const r = await runBundledAction({ action: 'trivy-scan', workspace: ws, inputs: inputs(cacheDir, tree, image), env: { RUNNER_TOOL_CACHE: toolCache } });
      if (r.main.exitCode !== 0 || r.outputs.outcome !== 'clean') throw new Error(`bench: the action failed: ${r.main.stdout.slice(-2000)}`);
      return r.main.durationMs;
    };
    // Bare trivy doing the same work: one JSON scan per target, same flags, plus the DB download when cold.
    const common = (cacheDir: string, out: string) => [
      '--format',
      'json',
      '--output',
      out,
      '--severity',
      'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
      '--cache-dir',
      cacheDir,
      '--skip-version-check',
      '--disable-telemetry',
      '--no-progress',
      '--scanners',
      'vuln,secret',
      '--list-all-pkgs',
      '--cache-backend',
      'memory',
      '--skip-db-update',
      '--skip-java-db-update',
    ];
    const bare = async (cacheDir: string, cold: boolean, tree = 'src', image = true): Promise<number> => {
      let ms = 0;
      if (cold)
        ms += await bareTrivy(
          ['image', '--download-db-only', '--db-repository', repo, '--cache-dir', cacheDir, '--skip-version-check', '--disable-telemetry', '--no-progress'],
          ws,
        );
      if (image) ms += await bareTrivy(['image', ...common(cacheDir, join(runnerTemp, 'a.json')), '--input', join(ws, 'build', 'layout')], ws);
      ms += await bareTrivy(['fs', ...common(cacheDir, join(runnerTemp, 'b.json')), join(ws, tree)], ws);
      return ms;
    };

    const a = await sideBySide(
      [
        { name: 'action', run: () => action(warm) },
        { name: 'trivy', run: () => bare(warm, false) },
      ],
      5,
      1,
    );
    const okA = report('trivy-scan (a) warm DB: image + 12,000-file tree', { name: 'action', ms: a.action }, { name: 'bare trivy', ms: a.trivy }, 1.1);

    const b = await sideBySide(
      [
        { name: 'action', run: () => action(fresh()) },
        { name: 'trivy', run: () => bare(fresh(), true) },
      ],
      5,
      1,
    );
    const okB = report('trivy-scan (b) cold DB (download from the local registry, then scan)', { name: 'action', ms: b.action }, { name: 'bare trivy', ms: b.trivy }, 1.1);

    const e = await sideBySide(
      [
        { name: 'action', run: () => action(warm, 'small') },
        { name: 'trivy', run: () => bare(warm, false, 'small') },
      ],
      9,
      1,
    );
    const okE = report('trivy-scan (e) warm DB: image + 10-file tree', { name: 'action', ms: e.action }, { name: 'bare trivy', ms: e.trivy }, 1.1);
    const one = await sideBySide(
      [
        { name: 'action', run: () => action(warm, 'small', false) },
        { name: 'trivy', run: () => bare(warm, false, 'small', false) },
      ],
      9,
      1,
    );
    console.log(
      `trivy-scan (e, one target) 10-file tree alone, warm DB: action ${one.action.toFixed(1)} ms vs bare trivy ${one.trivy.toFixed(1)} ms → ratio ${(one.action / one.trivy).toFixed(2)}x, ${(one.action - one.trivy).toFixed(0)} ms fixed cost (Node 24 start, bundle, reporters)`,
    );

    const okC = benchRender(ws);

    // (d) bytes served by the registry during one more warm run of the action.
    const before = proxy.bytesServed('/v2/trivy-db/');
    await action(warm);
    const warmBytes = proxy.bytesServed('/v2/trivy-db/') - before;
    const okD = warmBytes === 0;
    console.log(`trivy-scan (d) bytes downloaded on a warm run: ${warmBytes} (target 0) ${okD ? 'OK' : 'OVER TARGET'}`);
    return okA && okB && okC && okD && okE;
  } finally {
    await proxy.stop();
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/trivy-scan.ts` runs this suite alone.
// `npx tsx bench/trivy-scan.ts render` only the rendering part.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = (process.argv[2] === 'render' ? benchRender() : await benchTrivyScan()) ? 0 : 1;
}

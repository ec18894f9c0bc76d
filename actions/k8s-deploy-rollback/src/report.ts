// What a person reads after a failed deploy: per unhealthy workload, the failing pods, their container
// states and reasons, recent events and the last log lines (redacted), and a table of what was rolled
// back to which revision. Pure rendering plus one collector that reads the cluster.
import { cell, codeBlock, escapeMarkdown, redactCredentials, table } from '@platform-actions/kit';
import { allPods, findWorkload, type Pod, type Snapshot } from './classify.js';
import type { Kubectl } from './kubectl.js';
import { refId, type WorkloadRef } from './manifests.js';

export interface PodDiagnostics {
  name: string;
  phase: string;
  node?: string;
  containers: Array<{ name: string; state: string; restarts: number; image?: string }>;
  logs?: { container: string; lines: string };
}

export interface WorkloadDiagnostics {
  ref: WorkloadRef;
  reason?: string;
  message?: string;
  pods: PodDiagnostics[];
  events: string[];
}

// Logs come from the application, so we cannot know its secrets: the kit redacts credential shapes
// (key=value pairs, bearer tokens, AWS keys, private key blocks, URL passwords) on top of every value the
// action itself masked.
export const redact = (text: string, secrets: readonly string[] = []): string => redactCredentials(text, secrets);

export function containerState(c: NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number]): string {
  if (c.state?.waiting) return `waiting: ${c.state.waiting.reason ?? '?'}${c.state.waiting.message ? ` (${c.state.waiting.message.split('\n')[0].slice(0, 200)})` : ''}`;
  if (c.state?.terminated) return `terminated: ${c.state.terminated.reason ?? ''} exit ${c.state.terminated.exitCode}`;
  if (c.state?.running) return c.ready ? 'running, ready' : 'running, not ready';
  return 'unknown';
}

/** Reads pods, events and logs for the workloads that failed, before anything is rolled back. */
export async function collectDiagnostics(
  k: Kubectl,
  refs: readonly WorkloadRef[],
  snaps: Map<string, Snapshot>,
  failingPods: readonly string[],
  secrets: readonly string[],
): Promise<WorkloadDiagnostics[]> {
  const out: WorkloadDiagnostics[] = [];
  const eventsByNs = new Map<string, Awaited<ReturnType<Kubectl['events']>>>();
  for (const ref of refs) {
    const s = snaps.get(ref.namespace);
    const w = s && findWorkload(s, ref);
    if (!s || !w) continue;
    // Failing pods first, then the newest; at most 5 per workload keeps the summary readable.
    const pods = allPods(w, s)
      .sort(
        (a, b) =>
          Number(failingPods.includes(b.metadata.name)) - Number(failingPods.includes(a.metadata.name)) ||
          (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
      )
      .slice(0, 5);
    const diag: PodDiagnostics[] = [];
    for (const p of pods) {
      const cs = p.status?.containerStatuses ?? [];
      const d: PodDiagnostics = {
        name: p.metadata.name,
        phase: p.status?.phase ?? '?',
        node: p.spec?.nodeName,
        containers: cs.map((c) => ({ name: c.name, state: containerState(c), restarts: c.restartCount ?? 0, image: c.image })),
      };
      if (failingPods.includes(p.metadata.name)) {
        const bad = cs.find((c) => !c.ready) ?? cs[0];
        if (bad) {
          const lines = await k.logs(ref.namespace, p.metadata.name, bad.name, 20, (bad.restartCount ?? 0) > 0);
          if (lines?.trim()) d.logs = { container: bad.name, lines: redact(lines.trimEnd(), secrets) };
        }
      }
      diag.push(d);
    }
    if (!eventsByNs.has(ref.namespace)) eventsByNs.set(ref.namespace, await k.events(ref.namespace));
    const names = new Set([
      ref.name,
      ...pods.map((p) => p.metadata.name),
      ...s.replicaSets.filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === w.metadata.uid)).map((r) => r.metadata.name),
    ]);
    const events = (eventsByNs.get(ref.namespace) ?? [])
      .filter((e) => e.involvedObject?.name && names.has(e.involvedObject.name))
      .sort((a, b) => (a.lastTimestamp ?? a.eventTime ?? a.metadata?.creationTimestamp ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? b.metadata?.creationTimestamp ?? ''))
      .slice(-10)
      .map((e) =>
        redact(
          `${e.type ?? ''} ${e.reason ?? ''} ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}: ${(e.message ?? '').split('\n')[0]}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`,
          secrets,
        ),
      );
    out.push({ ref, pods: diag, events });
  }
  return out;
}

export interface RollbackRow {
  workload: string;
  from: string;
  to: string;
  result: string;
}

export interface ReportFacts {
  result: 'deployed' | 'rolled-back' | 'failed';
  /** deploy, or rollback on demand (the result line says which). */
  mode: 'deploy' | 'rollback';
  cause?: string;
  server?: string;
  namespaces: string[];
  revisions: Array<{ workload: string; before: string; after: string }>;
  rollback: RollbackRow[];
  rollbackProblem?: string;
  smoke: string[];
  timeToDetectS?: number;
  timeToRestoreS?: number;
  diagnostics: WorkloadDiagnostics[];
  images: Array<{ object: string; container: string; to: string }>;
}

const RESULT_LINE: Record<ReportFacts['mode'], Record<ReportFacts['result'], string>> = {
  deploy: {
    deployed: '✅ **Deployed**: every workload is ready',
    'rolled-back': '↩️ **Rolled back**: the deploy failed and every workload it changed is back at its recorded revision',
    failed: '❌ **Failed**',
  },
  rollback: {
    deployed: '✅ **Deployed**',
    'rolled-back': '↩️ **Rolled back on demand**: every workload runs the chosen recorded revision, and is ready',
    failed: '❌ **Failed**: the rollback on demand did not reach a healthy chosen revision',
  },
};

export function renderDetails(f: ReportFacts): string {
  let md = `${RESULT_LINE[f.mode][f.result]}${f.cause ? `\n\n**Cause:** ${escapeMarkdown(f.cause)}` : ''}\n\n`;
  if (f.rollbackProblem) md += `> [!CAUTION]\n> **The rollback itself failed:** ${escapeMarkdown(f.rollbackProblem)}\n\n`;
  const change = f.mode === 'rollback' ? 'the rollback started' : 'the apply';
  const restored = f.mode === 'rollback' && f.result === 'rolled-back' ? 'the chosen revision serving' : 'previous state serving again';
  const times = [
    f.timeToDetectS !== undefined ? `failure detected ${f.timeToDetectS.toFixed(1)} s after ${change}` : '',
    f.timeToRestoreS !== undefined ? `${restored} ${f.timeToRestoreS.toFixed(1)} s after ${change}` : '',
  ].filter(Boolean);
  if (times.length) md += `${times.join('; ')}.\n\n`;
  if (f.revisions.length)
    md += `### Revisions\n\n${table(
      ['Workload', 'Before', 'After deploy'],
      f.revisions.map((r) => [r.workload, r.before, r.after]),
    )}\n`;
  if (f.images.length)
    md += `### Images substituted\n\n${table(
      ['Object', 'Container', 'Image'],
      f.images.map((i) => [i.object, i.container, i.to]),
    )}\n`;
  if (f.rollback.length)
    md += `### Rollback\n\n${table(
      ['Workload', 'From', 'To', 'Result'],
      f.rollback.map((r) => [r.workload, r.from, r.to, r.result]),
    )}\n`;
  if (f.smoke.length) md += `### Smoke tests\n\n${f.smoke.map((l) => `- ${escapeMarkdown(l)}`).join('\n')}\n\n`;
  for (const d of f.diagnostics) {
    md += `### ${cell(refId(d.ref))}\n\n`;
    if (d.pods.length) {
      md += table(
        ['Pod', 'Phase', 'Container', 'State', 'Restarts'],
        d.pods.flatMap((p) => (p.containers.length ? p.containers : [{ name: '', state: '', restarts: 0 }]).map((c) => [p.name, p.phase, c.name, c.state, c.restarts])),
      );
    }
    // Events and logs are shown as they are, in a fence none of their lines can close (kit).
    if (d.events.length) md += `\n<details><summary>Recent events</summary>\n\n${codeBlock(d.events)}</details>\n`;
    for (const p of d.pods)
      if (p.logs) md += `\n<details><summary>Last log lines of ${cell(p.name)} / ${cell(p.logs.container)}</summary>\n\n${codeBlock(p.logs.lines.split('\n'))}</details>\n`;
    md += '\n';
  }
  return md;
}

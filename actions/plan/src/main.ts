// plan: what a change touched, as a GitHub matrix. Reads like its table of contents: inputs → what
// changed (the kit's range planning) → the items it touches (the kit's change detection) → shards →
// outputs and summary. GitHub's matrix runs the shards; this action never schedules anything itself.
import { changeSet, core, Git, MAX_ITEMS_PER_SHARD, planOutputs, planWork, repoSnapshot, scrub, setStandardOutputs, splitIntoShards, writeSummary } from '@platform-actions/kit';
import { planLine, planMarkdown } from './report.js';
import { changeBase, readSettings } from './settings.js';
import { ACTION } from './action.js';

export async function main(): Promise<void> {
  // 1. Inputs, validated before any work.
  const s = readSettings();

  // 2. What changed: the event's range (or everything), then the files between its base and head.
  const git = await Git.open(s.path);
  const changes = await core.group(`${ACTION}: what changed`, () => changeSet(git, changeBase(s)));
  core.info(`Scope: ${changes.label} — ${changes.reason}`);

  // 3. The items the change touches, with the reasons.
  const plan = planWork(await repoSnapshot(git), changes, { kind: s.kind, paths: s.paths, images: s.images, globalFiles: s['global-files'] });

  // 4. Balanced shards for GitHub's matrix.
  const perShard = MAX_ITEMS_PER_SHARD[s.kind];
  const split = splitIntoShards(plan.items, s['max-shards'], s.durations, perShard);
  if (split.shards.length > s['max-shards'])
    core.warning(`${split.shards.length} shards instead of max-shards ${s['max-shards']}: a shard takes at most ${perShard} ${s.kind} (${plan.items.length} to check).`);
  core.info(planLine(plan, split));

  // 5. Outputs (before anything could fail), then the summary.
  for (const [name, value] of Object.entries(planOutputs(plan, split))) core.setOutput(name, value);
  setStandardOutputs({ outcome: 'clean', findings: [] });
  await writeSummary(scrub(planMarkdown(plan, split)));
}

// Every input, validated before any work starts; each error names the input and what was expected.
import { type ChangeBase, core, currentEvent, type EventContext, InputError, inputs, ITEM_KINDS, type ItemKind, parseDurations } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';

export interface Settings {
  kind: ItemKind;
  paths: string[];
  images: string[];
  /** auto: on for pull requests and merge queue groups, off for everything else. */
  'changed-only': 'auto' | 'true' | 'false';
  'global-files': string[];
  'max-shards': number;
  /** Recorded durations by item id; undefined on a first run. */
  durations?: Map<string, number>;
  path: string;
  'deepen-limit': number;
}

export const CHANGED_ONLY = ['auto', 'true', 'false'] as const;
/** Events whose changes are reviewed before they land: where `auto` plans only what changed. */
const REVIEW_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group']);

/** GitHub runs at most 256 jobs from one matrix. */
export const MAX_SHARDS = 256;

export function readSettings(): Settings {
  const kind = inputs.oneOf('kind', ITEM_KINDS, { required: true });
  const images = inputs.list('images', { separators: 'newline' });
  if (kind !== 'images' && images.length) throw new InputError('images', `is only for kind images; kind is ${kind}`);
  return {
    kind,
    paths: inputs.list('paths'),
    images,
    'changed-only': inputs.oneOf('changed-only', CHANGED_ONLY, { default: 'auto' }),
    'global-files': inputs.list('global-files'),
    'max-shards': inputs.integer('max-shards', { default: 4, min: 1, max: MAX_SHARDS }),
    durations: readDurations(inputs.path('durations-file', { allowRunnerTemp: true })),
    path: inputs.path('path', { default: '.', mustExist: 'dir' })!,
    'deepen-limit': inputs.integer('deepen-limit', { default: 1000, min: 0, max: 1_000_000 }),
  };
}

/** The last run's durations; a missing file is a first run (balanced by size), a broken one is said and ignored. */
function readDurations(file: string | undefined): Map<string, number> | undefined {
  if (!file) return undefined;
  if (!existsSync(file)) {
    core.notice(`No durations recorded yet (${file} does not exist): the shards are balanced by size this time.`);
    return undefined;
  }
  const r = parseDurations(readFileSync(file, 'utf8'));
  if ('problem' in r) {
    core.warning(`durations-file ${file} ${r.problem}; the shards are balanced by size this time.`);
    return undefined;
  }
  return r.durations;
}

/**
 * Where the change set comes from: the event's range, or everything. `auto` checks only what changed on a
 * pull request or merge queue group, and everything on a push: the default branch's results (and its
 * code-scanning alerts) then always cover every item.
 */
export function changeBase(s: Settings, event: EventContext = currentEvent()): ChangeBase {
  if (s['changed-only'] === 'false') return { kind: 'everything', reason: 'changed-only is false, so everything' };
  if (s['changed-only'] === 'auto' && !REVIEW_EVENTS.has(event.kind)) return { kind: 'everything', reason: `changed-only is auto and this is a ${event.name} run, so everything` };
  return { kind: 'event', event, remote: 'origin', deepenLimit: s['deepen-limit'] };
}

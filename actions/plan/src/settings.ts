// Every input, validated before any work starts; each error names the input and what was expected.
import { type ChangeBase, core, currentEvent, InputError, inputs, ITEM_KINDS, type ItemKind, parseDurations } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';

export interface Settings {
  kind: ItemKind;
  paths: string[];
  images: string[];
  'changed-only': boolean;
  'global-files': string[];
  'max-shards': number;
  /** Recorded durations by item id; undefined on a first run. */
  durations?: Map<string, number>;
  path: string;
  'deepen-limit': number;
}

/** GitHub runs at most 256 jobs from one matrix. */
export const MAX_SHARDS = 256;

export function readSettings(): Settings {
  const kind = inputs.oneOf('kind', ITEM_KINDS, { required: true });
  const images = inputs.list('images', { separators: 'newline' });
  if (kind === 'images' && !images.length) throw new InputError('images', 'must list the images to plan (one reference or tarball per line) when kind is images');
  if (kind !== 'images' && images.length) throw new InputError('images', `is only for kind images; kind is ${kind}`);
  return {
    kind,
    paths: inputs.list('paths'),
    images,
    'changed-only': inputs.boolean('changed-only', { default: true }),
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

/** Where the change set comes from: the event's range, or everything. */
export function changeBase(s: Settings): ChangeBase {
  if (!s['changed-only']) return { kind: 'everything', reason: 'changed-only is false, so everything' };
  return { kind: 'event', event: currentEvent(), remote: 'origin', deepenLimit: s['deepen-limit'] };
}

// The raw event payload, for the two things the kit's event context does not carry: whether a commit
// field held something that is not a commit (refused, not silently dropped), and how many commits the
// event brought (the first deepening step).
import { UserError } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';

type Json = Record<string, unknown>;

/** The payload at GITHUB_EVENT_PATH; {} when there is none or it is not a JSON object (the kit warns). */
export function readPayload(env: NodeJS.ProcessEnv = process.env): Json {
  const p = env.GITHUB_EVENT_PATH;
  if (!p || !existsSync(p)) return {};
  try {
    const v: unknown = JSON.parse(readFileSync(p, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
  } catch {
    return {};
  }
}

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);

/** The payload fields this action hands to git, per event. */
const SHA_FIELDS: Record<string, string[]> = {
  pull_request: ['pull_request.base.sha', 'pull_request.head.sha'],
  pull_request_target: ['pull_request.base.sha', 'pull_request.head.sha'],
  push: ['before', 'after'],
  merge_group: ['merge_group.base_sha', 'merge_group.head_sha'],
};
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * Refuses a payload whose commit fields are present but are not commit SHAs, before any git call. They
 * become git arguments; one that read `--upload-pack=…` would otherwise be a command. A missing field is
 * fine (hand-written payloads): the scope then says the payload has no range.
 */
export function checkPayloadShas(eventName: string | undefined, payload: Json): void {
  for (const field of SHA_FIELDS[eventName ?? ''] ?? []) {
    const v = get(payload, field);
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' || !SHA.test(v)) {
      const shown = JSON.stringify(typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…` : v);
      throw new UserError(`the ${eventName} event payload's ${field} must be a commit SHA (40 or 64 hex digits); got ${shown}. Nothing was run`);
    }
  }
}

/**
 * How many commits the event says it brought: a pull request's `commits`, a push's `commits` list
 * (GitHub lists at most 2048, so then it is a lower bound). Undefined when the payload does not say.
 */
export function commitsBrought(eventName: string | undefined, payload: Json): number | undefined {
  const n =
    eventName === 'push'
      ? Array.isArray(payload.commits)
        ? payload.commits.length
        : undefined
      : eventName?.startsWith('pull_request')
        ? get(payload, 'pull_request.commits')
        : undefined;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * First `git fetch --deepen` step: the commits the event brought plus one (the commit they sit on), so one
 * round trip usually reads the whole range; at least 8, because a force push or a new branch is measured
 * from the default branch and the payload only gives a lower bound. 50 when the event gives no count.
 * Each further step doubles.
 */
export function firstDeepenStep(brought: number | undefined): number {
  return brought ? Math.max(brought + 1, 8) : 50;
}

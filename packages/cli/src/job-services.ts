// A job's `services:` on a laptop (check --run-steps): a PostgreSQL or Redis container becomes a throwaway
// server from the host's binaries (--postgres, --redis), started for the job and stopped after it, with
// what the container would get: POSTGRES_USER / _PASSWORD / _DB (or trust), REDIS_PASSWORD. Its ports
// are this machine's free ones: `job.services.<id>.ports['5432']` gives the local port, and an env or
// with: value naming a port the workflow publishes by number (`localhost:5432` for `ports: ['5432:5432']`)
// is pointed at the local one. Other images are not started here (one line says so).
import { type Value } from '@platform-actions/expressions';

export type ServiceKind = 'postgres' | 'redis';

/** A job's service as the report shows it. */
export interface ServiceResult {
  id: string;
  image: string;
  /** What runs here instead of the container, e.g. "PostgreSQL 15.10 on 127.0.0.1:41234". */
  local?: string;
  /** Not started here: why. */
  notLocal?: string;
}

export interface ServicePlan {
  id: string;
  image: string;
  kind?: ServiceKind;
  /** The image's tag, e.g. "15" of postgres:15-alpine. */
  tag?: string;
  env: Record<string, string>;
  /** Container port → host port the workflow publishes (undefined: a free one, as `ports: ['5432']`). */
  ports: Array<{ container: string; host?: string }>;
  notes: string[];
}

const KINDS: Array<[RegExp, ServiceKind]> = [
  [/(^|\/)postgres(ql)?(:|@|$)/i, 'postgres'],
  [/(^|\/)redis(-stack(-server)?)?(:|@|$)/i, 'redis'],
];

/** `5432`, `5432:5432`, `127.0.0.1:5432:5432`, `6379/tcp`. */
function port(spec: Value): { container: string; host?: string } | undefined {
  const parts = String(spec ?? '')
    .replace(/\/(tcp|udp)$/i, '')
    .split(':');
  const container = parts.at(-1)!;
  if (!/^\d+$/.test(container)) return undefined;
  const host = parts.length > 1 ? parts.at(-2) : undefined;
  return { container, ...(host && /^\d+$/.test(host) ? { host } : {}) };
}

/**
 * The job's services from their evaluated specs (`evaluate` throws for what only GitHub has; such a value
 * is left out with a note). An empty image starts no service, as on GitHub.
 */
export function planServices(raw: Record<string, unknown>, evaluate: (v: unknown) => Value): ServicePlan[] {
  const out: ServicePlan[] = [];
  for (const [id, spec] of Object.entries(raw)) {
    const notes: string[] = [];
    const value = (v: unknown, what: string): Value | undefined => {
      try {
        return evaluate(v);
      } catch (e) {
        notes.push(`${what}: ${(e as Error).message}; left out`);
        return undefined;
      }
    };
    const s = (typeof spec === 'string' ? { image: spec } : spec && typeof spec === 'object' ? spec : {}) as Record<string, unknown>;
    const image = String(value(s.image, 'image') ?? '').trim();
    if (!image) continue;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries((s.env as Record<string, unknown>) ?? {})) {
      const x = value(v, `env ${k}`);
      if (x !== undefined && x !== null) env[k] = String(x);
    }
    const ports = (Array.isArray(s.ports) ? s.ports : []).map((p) => port(value(p, 'ports') ?? null)).filter((p): p is NonNullable<typeof p> => !!p);
    const kind = KINDS.find(([re]) => re.test(image))?.[1];
    const tag = /:([^:@/]+)(@|$)/.exec(image)?.[1];
    out.push({ id, image, ...(kind ? { kind } : {}), ...(tag ? { tag } : {}), env, ports, notes });
  }
  return out;
}

/** The flag that starts a service of this kind. */
export const SERVICE_FLAG: Record<ServiceKind, string> = { postgres: '--postgres', redis: '--redis' };

/** A server started for one service: its port and version, and how to stop it. */
export interface LocalServer {
  port: number;
  /** e.g. "PostgreSQL 15.10", "Redis 7.0.15" */
  what: string;
  /** The server's major version, to compare with the image's tag. */
  major: string;
  stop(): Promise<void>;
}

export interface Starters {
  postgres?: (o: { user?: string; password?: string; database?: string }) => Promise<LocalServer>;
  redis?: (o: { password?: string }) => Promise<LocalServer>;
}

export interface JobServices {
  /** The `job.services` context: `<id>.ports['<container port>']` is the local port. */
  context: Record<string, Value>;
  /** Points `localhost:<published port>` in a value at the local server's port. */
  rewrite(value: string): string;
  results: ServiceResult[];
  stop(): Promise<void>;
}

/** Starts the job's PostgreSQL and Redis services with the starters given (by --postgres, --redis). */
export async function startServices(plans: ServicePlan[], starters: Starters): Promise<JobServices> {
  const started: LocalServer[] = [];
  const context: Record<string, Value> = {};
  const results: ServiceResult[] = [];
  const moves: Array<[RegExp, string]> = [];
  const stop = async () => {
    for (const s of started.splice(0).reverse()) await s.stop();
  };
  try {
    for (const p of plans) {
      const start = p.kind && starters[p.kind];
      if (!p.kind || !start) {
        results.push({
          id: p.id,
          image: p.image,
          notLocal: p.kind ? `not started (pass ${SERVICE_FLAG[p.kind]})` : 'not started here: only PostgreSQL (--postgres) and Redis (--redis) services are',
        });
        context[p.id] = { id: '', network: '', ports: {} };
        continue;
      }
      const env = p.env;
      const server =
        p.kind === 'postgres'
          ? await starters.postgres!({
              user: env.POSTGRES_USER || 'postgres',
              // The image refuses to start without a password unless trust is asked for; here trust is the fallback.
              password: env.POSTGRES_HOST_AUTH_METHOD === 'trust' ? undefined : env.POSTGRES_PASSWORD || undefined,
              database: env.POSTGRES_DB || env.POSTGRES_USER || undefined,
            })
          : await starters.redis!({ password: env.REDIS_PASSWORD || undefined });
      started.push(server);
      const notes = [...p.notes];
      if (p.tag && /^\d+/.test(p.tag) && p.tag.split('.')[0] !== server.major) notes.push(`the job asks for ${p.image}; ${server.what} runs here`);
      if (p.kind === 'postgres' && !env.POSTGRES_PASSWORD && env.POSTGRES_HOST_AUTH_METHOD !== 'trust')
        notes.push('POSTGRES_PASSWORD is not set (the image would not start without it or POSTGRES_HOST_AUTH_METHOD=trust): started with trust');
      const ports: Record<string, Value> = {};
      for (const m of p.ports) {
        ports[m.container] = String(server.port);
        if (m.host && m.host !== String(server.port)) moves.push([new RegExp(`\\b(localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0):${m.host}\\b`, 'g'), `$1:${server.port}`]);
      }
      context[p.id] = { id: `local-${p.kind}`, network: '', ports };
      const published = p.ports.filter((m) => m.host).map((m) => `localhost:${m.host}`);
      results.push({
        id: p.id,
        image: p.image,
        local: `${server.what} on 127.0.0.1:${server.port}${published.length ? ` (for ${published.join(', ')})` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`,
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { context, rewrite: (v) => moves.reduce((acc, [re, to]) => acc.replace(re, to), v), results, stop };
}

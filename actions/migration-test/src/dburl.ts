// database-url: parsed once into libpq environment variables, so the password never appears in an
// argument list (visible in `ps`) or a message. Accepts the SQLAlchemy-style `postgresql+driver://`
// schemes too, because that is what Alembic projects keep in DATABASE_URL.
import { InputError } from '@platform-actions/kit';

export interface DbTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** Extra libpq settings from the query string (sslmode, …). */
  params: Record<string, string>;
  /** The URL with the password replaced by ***: safe for logs. */
  display: string;
}

const SCHEME = /^(postgres|postgresql)(\+[a-z0-9_]+)?:$/i;
const LIBPQ_PARAMS: Record<string, string> = { sslmode: 'PGSSLMODE', application_name: 'PGAPPNAME', connect_timeout: 'PGCONNECT_TIMEOUT' };

/** Parses `value`; errors name the input and never include the password. */
export function parseDatabaseUrl(input: string, value: string): DbTarget {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InputError(input, 'must be a URL such as postgres://user:password@host:5432/dbname');
  }
  if (!SCHEME.test(u.protocol)) throw new InputError(input, `must use the postgres:// or postgresql:// scheme (got ${u.protocol}//)`);
  if (!u.hostname) throw new InputError(input, 'must name a host, e.g. postgres://user@localhost:5432/dbname');
  // A % that does not start an escape (a password pasted as it is): say so, never decode it by guesswork.
  for (const part of [u.username, u.password, u.pathname]) {
    try {
      decodeURIComponent(part);
    } catch {
      throw new InputError(input, 'must percent-encode special characters in the user, password and database name (% is written %25, / is %2F, @ is %40)');
    }
  }
  const port = u.port ? Number(u.port) : 5432;
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw new InputError(input, 'must name one database in its path, e.g. …:5432/dbname');
  const params: Record<string, string> = {};
  for (const [k, v] of u.searchParams) if (LIBPQ_PARAMS[k]) params[k] = v;
  const redacted = new URL(u.href);
  if (redacted.password) redacted.password = '***';
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(u.username) || 'postgres',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database,
    params,
    display: redacted.href,
  };
}

/** libpq environment for psql (and any libpq-based tool). */
export function libpqEnv(t: DbTarget, database = t.database): Record<string, string> {
  const env: Record<string, string> = { PGHOST: t.host, PGPORT: String(t.port), PGUSER: t.user, PGDATABASE: database };
  if (t.password !== undefined) env.PGPASSWORD = t.password;
  for (const [k, v] of Object.entries(t.params)) env[LIBPQ_PARAMS[k]] = v;
  return env;
}

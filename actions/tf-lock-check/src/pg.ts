// The pg backend's lock: a session advisory lock on the workspace's row id in <schema>.states. The
// database never records who asked for it (terraform's Lock Info for pg is the *requester's*), so we
// report the session that holds it: pid, user, client, application and when the session started.
// An advisory lock on a bigint key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits);
// the creation lock is key -1.
// Read with psql (on GitHub's Ubuntu runners), SQL on stdin with psql variables, so no value is ever
// spliced into SQL text. A pg lock dies with its session: it is never stale and never force-released.
import { core, exec, ToolError, UserError } from '@platform-actions/kit';
import { type BackendSettings, SettingError } from './backend.js';
import { str } from './hcl.js';

export interface PgLockHolder {
  pid: number;
  user: string;
  client: string;
  application: string;
  sessionStart: string;
  ageMs: number;
  /** true for the creation lock (workspace being created) rather than the workspace lock. */
  creation: boolean;
}

// The first line says whether the schema exists (terraform creates it on init unless told not to); the
// states table may still be missing before the first state is written, and the creation lock (-1) is
// database-wide, so it is read either way.
const SQL = `
SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :'schema') AS has_schema,
       to_regclass(format('%I.%I', :'schema', 'states')) IS NOT NULL AS has_states
\\gset
\\echo schema :has_schema
SELECT a.pid, coalesce(a.usename, ''), coalesce(host(a.client_addr), 'local'), coalesce(a.application_name, ''),
       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       floor(extract(epoch FROM now() - a.backend_start) * 1000)::bigint,
       ((l.classid::bigint << 32) | l.objid::bigint) = -1
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND (((l.classid::bigint << 32) | l.objid::bigint) = -1
\\if :has_states
       OR ((l.classid::bigint << 32) | l.objid::bigint) IN (SELECT id FROM :"schema".states WHERE name = :'ws')
\\endif
      )
  AND a.pid <> pg_backend_pid();
`;

const DEFAULT_SCHEMA = 'terraform_remote_state';

export interface PgTarget {
  conn: string;
  schema: string;
  /** Where schema_name came from (a file and line, the backend-config input, PG_SCHEMA_NAME), or undefined for the default. */
  schemaFrom?: string;
}

export function pgConnection(settings: BackendSettings, env: NodeJS.ProcessEnv = process.env): PgTarget {
  const config = settings.values;
  const conn = str(config.conn_str) || env.PG_CONN_STR;
  if (!conn) throw new UserError('the pg backend has no conn_str: set it in the backend, with backend-config (conn_str=…), or in PG_CONN_STR');
  core.setSecret(conn); // it may carry a password
  const own = str(config.schema_name);
  if (own) return { conn, schema: own, schemaFrom: settings.from.schema_name };
  if (env.PG_SCHEMA_NAME) return { conn, schema: env.PG_SCHEMA_NAME, schemaFrom: 'PG_SCHEMA_NAME' };
  return { conn, schema: DEFAULT_SCHEMA };
}

export function parsePgLocks(out: string): PgLockHolder[] {
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [pid, user, client, application, sessionStart, age, creation] = l.split('\t');
      return { pid: Number(pid), user, client, application, sessionStart, ageMs: Number(age), creation: creation === 't' };
    });
}

export async function readPgLocks(t: PgTarget, workspace: string): Promise<PgLockHolder[]> {
  const r = await exec('psql', ['-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-v', `schema=${t.schema}`, '-v', `ws=${workspace}`, '-f', '-', '--', t.conn], {
    input: SQL,
    timeoutMs: 30_000,
    env: { PGCONNECT_TIMEOUT: '10' },
  });
  if (r.exitCode !== 0) {
    const first = r.stderr.split('\n').find((l) => l.trim()) ?? 'no output';
    if (/could not connect|Connection refused|timeout expired|could not translate host/i.test(first))
      throw new ToolError(`cannot reach the pg backend's database (${first.replace(/^psql: (error: )?/, '')})`);
    throw new ToolError(`psql failed reading the pg backend's locks: ${first}`, r.stderr);
  }
  const [head, ...rows] = r.stdout.split('\n');
  if (!/^schema [tf]$/.test(head)) throw new ToolError(`psql answered in an unexpected shape reading the pg backend's locks: ${JSON.stringify(head.slice(0, 80))}`, r.stdout);
  // A schema that is not there is a wrong schema_name (or a database terraform never initialised): reading
  // it as "not locked" would hide the lock of an apply that uses the right one.
  if (head === 'schema f')
    throw t.schemaFrom
      ? new SettingError('schema_name', t.schemaFrom, 'must name a schema that exists in the database (terraform init creates it)', t.schema)
      : new UserError(`the database has no schema "${t.schema}" (the pg backend's default schema_name): run terraform init first, or set schema_name`);
  return parsePgLocks(rows.join('\n'));
}

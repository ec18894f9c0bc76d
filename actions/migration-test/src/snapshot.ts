// The schema oracle: one query over pg_catalog that emits one normalised text line per schema object
// (tables, columns, constraints, indexes, sequences, types, views, functions, triggers, policies,
// extensions, comments). Lines are sorted, so two databases with the same schema give identical
// snapshots whatever their creation order or OIDs. pg_catalog rather than information_schema, because
// the latter hides objects the role cannot use and has no indexes, triggers or policies.

/**
 * strict: a column's position is part of the schema (a moved column is a trace); separate: positions are
 * snapshotted, but a column that only moved is its own low finding; logical: positions are ignored.
 */
export type ColumnOrder = 'strict' | 'separate' | 'logical';

export interface SnapshotOptions {
  /** strict and separate: a column's position is part of its line (a drop + re-add that moves it shows); logical: it is not. */
  columnOrder: ColumnOrder;
  /** Table names (LIKE patterns, `%` wildcard) whose rows, columns, indexes and owned sequences are left out. */
  excludeTables: readonly string[];
}

/** Every migration tool's own bookkeeping tables: never part of the application's schema. */
export const BOOKKEEPING_TABLES = [
  'alembic_version',
  'schema_migrations',
  'pgmigrations',
  'knex_migrations%',
  '_prisma_migrations',
  'flyway_schema_history',
  'django_migrations',
  'databasechangelog%',
  'atlas_schema_revisions',
] as const;

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

// Collapse whitespace so formatting-only differences in definitions never show as changes.
const norm = (expr: string): string => `btrim(regexp_replace(${expr}, '\\s+', ' ', 'g'))`;

/** The snapshot query; each row is one line. */
export function snapshotSql(opts: SnapshotOptions): string {
  const patterns = opts.excludeTables.length ? `ARRAY[${opts.excludeTables.map(lit).join(', ')}]::text[]` : `ARRAY[]::text[]`;
  const pos = opts.columnOrder !== 'logical' ? `' #' || row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) || ` : '';
  return `
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%'
),
ext_objs AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
skip_tables AS (
  SELECT c.oid FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND c.relname LIKE ANY (${patterns})
),
skip_rel AS (
  SELECT oid FROM skip_tables
  UNION SELECT d.objid FROM pg_depend d JOIN skip_tables s ON s.oid = d.refobjid
    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM skip_tables)
  UNION SELECT objid FROM ext_objs WHERE classid = 'pg_class'::regclass
),
rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, ns.nspname,
         quote_ident(ns.nspname) || '.' || quote_ident(c.relname) AS qname
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.oid NOT IN (SELECT oid FROM skip_rel)
)
SELECT 'schema ' || quote_ident(nspname) FROM ns WHERE oid NOT IN (SELECT objid FROM ext_objs WHERE classid = 'pg_namespace'::regclass)
UNION ALL
SELECT 'extension ' || e.extname || ' ' || e.extversion || ' schema=' || n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
UNION ALL
SELECT 'relation ' || qname || ' kind=' || relkind::text || ' persistence=' || relpersistence::text || CASE WHEN relrowsecurity THEN ' rls' ELSE '' END
FROM rel WHERE relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL
SELECT 'column ' || r.qname || '.' || quote_ident(a.attname) || ${pos}
       ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not-null' ELSE '' END
       || CASE WHEN a.attidentity <> '' THEN ' identity=' || a.attidentity::text ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' generated=' || ${norm('pg_get_expr(ad.adbin, ad.adrelid)')}
               WHEN ad.adbin IS NOT NULL THEN ' default=' || ${norm('pg_get_expr(ad.adbin, ad.adrelid)')} ELSE '' END
       || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ' collate=' || co.collname ELSE '' END
FROM rel r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
UNION ALL
SELECT 'constraint ' || r.qname || ' ' || quote_ident(con.conname) || ' ' || ${norm('pg_get_constraintdef(con.oid)')}
FROM pg_constraint con JOIN rel r ON r.oid = con.conrelid
UNION ALL
SELECT 'index ' || r.qname || ' ' || ${norm('pg_get_indexdef(r.oid)')} FROM rel r WHERE r.relkind IN ('i', 'I')
UNION ALL
SELECT 'sequence ' || r.qname || ' ' || format_type(s.seqtypid, NULL) || ' start=' || s.seqstart || ' increment=' || s.seqincrement
       || ' min=' || s.seqmin || ' max=' || s.seqmax || ' cache=' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
       || COALESCE((SELECT ' owned-by=' || quote_ident(tc.relname) || '.' || quote_ident(ta.attname)
                    FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid
                    JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.deptype IN ('a', 'i') LIMIT 1), '')
FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid WHERE r.relkind = 'S'
UNION ALL
SELECT 'view ' || r.qname || ' ' || ${norm('pg_get_viewdef(r.oid)')} FROM rel r WHERE r.relkind IN ('v', 'm')
UNION ALL
SELECT 'type ' || quote_ident(ns.nspname) || '.' || quote_ident(t.typname) || ' ' ||
       CASE t.typtype
         WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
         WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' not-null' ELSE '' END
                       || COALESCE(' default=' || t.typdefault, '')
                       || COALESCE((SELECT ' ' || string_agg(quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid), ' ' ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid), '')
         WHEN 'c' THEN 'composite'
         WHEN 'r' THEN 'range of ' || (SELECT format_type(rngsubtype, NULL) FROM pg_range WHERE rngtypid = t.oid)
         ELSE 'kind=' || t.typtype::text END
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'c', 'r')
  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND t.oid NOT IN (SELECT objid FROM ext_objs WHERE classid = 'pg_type'::regclass)
UNION ALL
SELECT 'function ' || quote_ident(ns.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ') kind=' || p.prokind::text
       || CASE WHEN p.prokind = 'a' THEN '' ELSE ' returns ' || COALESCE(pg_get_function_result(p.oid), 'void') || ' md5=' || md5(${norm('pg_get_functiondef(p.oid)')}) END
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.oid NOT IN (SELECT objid FROM ext_objs WHERE classid = 'pg_proc'::regclass)
UNION ALL
SELECT 'trigger ' || r.qname || ' ' || ${norm('pg_get_triggerdef(tg.oid)')} FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'policy ' || quote_ident(pol.schemaname) || '.' || quote_ident(pol.tablename) || ' ' || quote_ident(pol.policyname) || ' ' || pol.permissive || ' ' || pol.cmd
       || ' to=' || array_to_string(pol.roles, ',') || COALESCE(' using=' || ${norm('pol.qual')}, '') || COALESCE(' check=' || ${norm('pol.with_check')}, '')
FROM pg_policies pol WHERE pol.schemaname IN (SELECT nspname FROM ns)
UNION ALL
SELECT 'comment ' || r.qname || CASE WHEN d.objsubid > 0 THEN '.' || quote_ident(a.attname) ELSE '' END || ' ' || ${norm('d.description')}
FROM pg_description d JOIN rel r ON d.classoid = 'pg_class'::regclass AND d.objoid = r.oid
LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid
`;
}

/** Splits psql's NUL-separated rows into sorted, unique lines. */
export function parseSnapshot(raw: string): string[] {
  const lines = raw
    .split('\0')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return [...new Set(lines)].sort();
}

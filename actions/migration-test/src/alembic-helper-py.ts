// The Python side of the Alembic session (see alembic-session.ts), kept here as text so the bundle
// carries it; it is written to RUNNER_TEMP and run by the Python that runs the project's Alembic.
export const HELPER_PY = `# migration-test's Alembic session: one Python process for the whole run, so Python, SQLAlchemy and
# Alembic start once instead of once per command. Commands arrive as JSON lines on stdin; each answer is
# one JSON line on file descriptor 3, so nothing env.py or logging prints can be mistaken for an answer.
import ast
import json
import os
import sys
import traceback

OUT = os.fdopen(3, "w", buffering=1)
# Commands come on a private copy of stdin; the real stdin becomes /dev/null, so a migration or env.py that
# reads input() gets EOF at once instead of swallowing (or waiting for) the next command.
COMMANDS = os.fdopen(os.dup(0), "r")
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
sys.stdin = open(os.devnull)


def answer(obj):
    OUT.write(json.dumps(obj) + "\\n")
    OUT.flush()


def parse_args(argv):
    cfg_file, name, xs = os.environ.get("ALEMBIC_CONFIG", "alembic.ini"), "alembic", []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-c", "--config") and i + 1 < len(argv):
            cfg_file = argv[i + 1]; i += 2; continue
        if a.startswith("--config="):
            cfg_file = a.split("=", 1)[1]; i += 1; continue
        if a in ("-n", "--name") and i + 1 < len(argv):
            name = argv[i + 1]; i += 2; continue
        if a in ("-x",) and i + 1 < len(argv):
            xs.append(argv[i + 1]); i += 2; continue
        i += 1
    return cfg_file, name, xs


HERE = os.path.abspath(__file__)


def frames_of(summary):
    return [{"file": os.path.abspath(f.filename), "line": f.lineno, "func": f.name} for f in summary if os.path.abspath(f.filename) != HERE]


def error_of(e):
    frames = frames_of(traceback.extract_tb(e.__traceback__))
    if isinstance(e, SyntaxError) and e.filename:
        frames.append({"file": os.path.abspath(e.filename), "line": e.lineno or 1, "func": "<module>"})
    cause = e.__cause__ or e.__context__
    return {
        "type": type(e).__name__,
        "module": type(e).__module__,
        "message": str(e),
        "cause": (type(cause).__module__ + "." + type(cause).__name__) if cause is not None else None,
        "frames": frames,
        # This helper's own frames say nothing to the user: left out.
        "traceback": "".join(x for x in traceback.format_exception(type(e), e, e.__traceback__) if not x.startswith('  File "%s"' % HERE)),
    }


def parents_of(r):
    # Private in Alembic but stable since 1.0; the public down_revision is the fallback.
    got = getattr(r, "_normalized_down_revisions", None)
    if got is not None:
        return got
    d = r.down_revision
    return () if d is None else (d,) if isinstance(d, str) else tuple(d)


def body_kind(fn):
    """empty: only pass / ... / docstrings; irreversible: only raises NotImplementedError."""
    if fn is None:
        return "missing"
    stmts = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if not stmts or all(isinstance(s, ast.Pass) for s in stmts):
        return "empty"
    def raises_nie(s):
        if not isinstance(s, ast.Raise) or s.exc is None:
            return False
        x = s.exc.func if isinstance(s.exc, ast.Call) else s.exc
        return isinstance(x, ast.Name) and x.id == "NotImplementedError"
    if all(raises_nie(s) for s in stmts):
        return "irreversible"
    return "ok"


def inspect_source(path):
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
    except Exception:
        return {"down": "ok", "downLine": 1, "upEmpty": False}
    fns = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    down = fns.get("downgrade")
    return {
        "down": body_kind(down),
        "downLine": down.lineno if down is not None else 1,
        "upEmpty": body_kind(fns.get("upgrade")) in ("empty", "missing"),
    }


def main():
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.runtime.migration import RevisionStep
    from alembic.script import ScriptDirectory
    import sqlalchemy
    import sqlalchemy.engine.create as sa_create

    # env.py builds a new engine every time it runs; keep each one so its pooled connections are closed
    # after the command (otherwise a long history leaves one idle connection per command).
    engines = []
    real_create = sa_create.create_engine

    def tracking_create(*a, **kw):
        eng = real_create(*a, **kw)
        engines.append(eng)
        return eng

    sqlalchemy.create_engine = tracking_create
    sa_create.create_engine = tracking_create
    try:
        import sqlalchemy.engine as sa_engine
        sa_engine.create_engine = tracking_create
    except Exception:
        pass

    # What the current command is applying, so a failure is blamed on that revision even when no frame of its
    # file is in the traceback: a migration that catches a database error (try/except) leaves PostgreSQL's
    # transaction aborted, and the error only surfaces when Alembic records the revision in its version table.
    track = {}

    def reset_track():
        track.clear()
        track.update(rev=None, up=None, stage=None, db_error=None)

    reset_track()

    def tracked(steps):
        for st in steps:
            script_rev = getattr(st, "revision", None)
            track.update(rev=getattr(script_rev, "revision", None), up=bool(getattr(st, "is_upgrade", True)), stage="migration")
            yield st
        if track["rev"] is not None:
            track["stage"] = "commit"

    try:
        from alembic.runtime import migration as alembic_migration
        real_update = alembic_migration.HeadMaintainer.update_to_step

        def update_to_step(self, step):
            if track["rev"] is not None:
                track["stage"] = "version-table"
            return real_update(self, step)

        alembic_migration.HeadMaintainer.update_to_step = update_to_step
    except Exception:
        pass

    # The first database error while a revision runs, with the statement and where the migration issued it:
    # when the migration catches it, this is the real cause of the "transaction is aborted" that follows.
    def on_db_error(ctx):
        if track["rev"] is None or track["db_error"] is not None:
            return
        e = ctx.original_exception
        track["db_error"] = {
            "type": type(e).__name__,
            "module": type(e).__module__,
            "message": str(e).strip().split("\\n")[0],
            "statement": (ctx.statement or "").strip()[:500],
            "frames": frames_of(traceback.extract_stack()),
        }

    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        event.listen(Engine, "handle_error", on_db_error)
    except Exception:
        pass

    cfg_file, name, xs = parse_args(sys.argv[1:])
    import argparse
    cfg = Config(cfg_file, ini_section=name, cmd_opts=argparse.Namespace(x=xs, raiseerr=True))
    state = {"script": None}

    def script():
        if state["script"] is None:
            state["script"] = ScriptDirectory.from_config(cfg)
        return state["script"]

    def run_env(fn, **kw):
        s = script()
        opts = {"as_sql": False, "starting_rev": None, "destination_rev": None, "tag": None}
        opts.update(kw)
        with EnvironmentContext(cfg, s, fn=fn, **opts):
            s.run_env()

    def op_info(_):
        s = script()
        revs = []
        for r in s.walk_revisions("base", "heads"):
            info = {
                "id": r.revision,
                "parents": list(parents_of(r)),
                "dependsOn": list(r._normalized_resolved_dependencies) if hasattr(r, "_normalized_resolved_dependencies") else [],
                "path": os.path.abspath(r.path) if r.path else None,
                "branchLabels": sorted(r.branch_labels or []),
                "isMerge": bool(r.is_merge_point),
            }
            if r.path:
                info.update(inspect_source(r.path))
            revs.append(info)
        return {"revisions": revs, "heads": list(s.get_heads()), "envPy": os.path.abspath(os.path.join(s.dir, "env.py")), "dir": os.path.abspath(s.dir), "versions": [os.path.abspath(d) for d in getattr(s, "_version_locations", [])]}

    def committed_heads():
        """The heads in the database as a new env.py run sees them, as \`alembic current\` reads them: without
        creating the version table, and through a new connection, so only what was committed counts."""
        seen = {}

        def fn(rev, context):
            seen["heads"] = list(context.get_current_heads())
            return []

        run_env(fn, dont_mutate=True)
        return seen.get("heads")

    def op_current(_):
        return {"heads": committed_heads() or []}

    def heads_after(used):
        """The committed heads after a command. Cheap path: a new transaction on the engine env.py just used (its
        pool still holds the connection, env.py's own transaction is over), with env.py's version table; any
        surprise (an async engine, no engine) falls back to a new env.py run."""
        try:
            eng = used.get("engine")
            if eng is not None and not getattr(eng.dialect, "is_async", False):
                from alembic.runtime.migration import MigrationContext
                with eng.connect() as conn:
                    mc = MigrationContext.configure(conn, opts={"version_table": used["table"], "version_table_schema": used["schema"]})
                    return list(mc.get_current_heads())
        except Exception:
            pass
        return committed_heads()

    def remember(used, context):
        conn = getattr(context, "connection", None)
        used.update(engine=getattr(conn, "engine", None), table=context.version_table, schema=context.version_table_schema)

    def op_step(req):
        s = script()
        rev = s.get_revision(req["rev"])
        used = {}

        def fn(_rev, context):
            remember(used, context)
            return tracked([RevisionStep(s.revision_map, rev, bool(req["up"]))])

        run_env(fn)
        reset_track()
        return {"heads": heads_after(used)}

    def op_upgrade(req):
        s = script()
        used = {}

        def fn(rev, context):
            remember(used, context)
            return tracked(s._upgrade_revs(req["target"], rev))

        run_env(fn, destination_rev=req["target"])
        reset_track()
        return {"heads": heads_after(used)}

    # check-models: the models' metadata against the migrated schema, as \`alembic check\` and pytest-alembic's
    # model_definitions_match_ddl compare them (autogenerate, with env.py's own filters and options).
    def resolve_metadata(spec):
        import importlib
        from sqlalchemy import MetaData

        mod_name, _, path = spec.partition(":")
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        obj = importlib.import_module(mod_name)
        owner = None
        for part in path.split("."):
            owner, obj = obj, getattr(obj, part)
        base = obj if hasattr(obj, "registry") else owner if hasattr(owner, "registry") else None
        md = obj if isinstance(obj, MetaData) else getattr(obj, "metadata", None)
        if not isinstance(md, MetaData):
            raise TypeError("%s is a %s, not a SQLAlchemy MetaData or declarative base" % (spec, type(obj).__name__))
        return md, base, getattr(sys.modules.get(mod_name), "__file__", None)

    def class_of(base, table):
        """Where the mapped class of a table is defined: (file, line), when a declarative base maps it."""
        import inspect
        try:
            for m in base.registry.mappers:
                t = getattr(m, "local_table", None)
                if t is not None and t.name == table:
                    return os.path.abspath(inspect.getsourcefile(m.class_)), inspect.getsourcelines(m.class_)[1]
        except Exception:
            pass
        return None, None

    def describe_diff(d, base):
        op = d[0]
        rec = {"op": op, "schema": None, "table": None, "name": None, "old": None, "new": None}
        def of_table(t):
            if t is not None:
                rec.update(schema=t.schema, table=t.name)
        if op in ("add_table", "remove_table", "add_table_comment", "remove_table_comment"):
            of_table(d[1])
        elif op in ("add_column", "remove_column"):
            rec.update(schema=d[1], table=d[2], name=d[3].name, new=str(d[3].type))
        elif op in ("add_index", "remove_index", "add_constraint", "remove_constraint", "add_fk", "remove_fk"):
            of_table(getattr(d[1], "table", None))
            rec["name"] = getattr(d[1], "name", None)
            cols = getattr(d[1], "columns", None)
            try:
                rec["new"] = ", ".join(c.name for c in cols) if cols is not None else None
            except Exception:
                pass
        elif op.startswith("modify_"):
            rec.update(schema=d[1], table=d[2], name=d[3], old=None if d[5] is None else str(d[5]), new=None if d[6] is None else str(d[6]))
        else:
            rec["new"] = repr(d)[:200]
        rec["file"], rec["line"] = class_of(base, rec["table"]) if base is not None and rec["table"] else (None, None)
        return rec

    def flatten(diffs):
        for d in diffs:
            if isinstance(d, list):
                yield from d
            else:
                yield d

    def op_load_models(req):
        _, _, file = resolve_metadata(req["metadata"])
        return {"file": os.path.abspath(file) if file else None}

    def op_models(req):
        from alembic.autogenerate import compare_metadata
        spec = req.get("metadata")
        md, base, file = resolve_metadata(spec) if spec else (None, None, None)
        out = {"diffs": [], "file": os.path.abspath(file) if file else None}

        def fn(rev, context):
            target = md if md is not None else context.opts.get("target_metadata")
            if target is None:
                out["noMetadata"] = True
                return []
            out["diffs"] = [describe_diff(d, base) for d in flatten(compare_metadata(context, target))]
            return []

        run_env(fn, dont_mutate=True)
        return out

    ops = {"info": op_info, "current": op_current, "step": op_step, "upgrade": op_upgrade, "loadModels": op_load_models, "models": op_models}
    answer({"ready": True})
    for line in COMMANDS:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        reset_track()
        try:
            res = ops[req["op"]](req)
            res["ok"] = True
        except BaseException as e:  # env.py may sys.exit(); a migration may raise anything
            res = {"ok": False, "error": error_of(e)}
            if track["rev"] is not None:
                res["error"]["applying"] = {"rev": track["rev"], "up": track["up"], "stage": track["stage"]}
                if track["db_error"] is not None:
                    res["error"]["firstDbError"] = track["db_error"]
        finally:
            for eng in engines:
                try:
                    eng.dispose()
                except Exception:
                    pass
            engines.clear()
        sys.stdout.flush()
        sys.stderr.flush()
        answer(res)


if __name__ == "__main__":
    try:
        main()
    except BaseException as e:
        answer({"ok": False, "fatal": True, "error": error_of(e)})
        sys.exit(1)
`;

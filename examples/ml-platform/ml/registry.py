"""Model registry: promote a model version from staging to production."""


def promote(conn, name, version):
    conn.execute("UPDATE models SET stage = 'archived' WHERE name = %s AND stage = 'production'", (name,))
    updated = conn.execute(
        "UPDATE models SET stage = 'production' WHERE name = %s AND version = %s AND stage = 'staging'", (name, version)
    ).rowcount
    if updated != 1:
        raise LookupError(f"{name} {version} is not in staging")

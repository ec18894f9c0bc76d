"""model registry"""

from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.execute(
        "CREATE TABLE models (id bigserial PRIMARY KEY, name text NOT NULL, version text NOT NULL,"
        " stage text NOT NULL DEFAULT 'staging' CHECK (stage IN ('staging', 'production', 'archived')),"
        " UNIQUE (name, version))"
    )


def downgrade():
    op.execute("DROP TABLE models")

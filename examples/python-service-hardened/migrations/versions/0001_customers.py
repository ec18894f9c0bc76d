"""customers"""

from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.execute(
        "CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())"
    )


def downgrade():
    op.execute("DROP TABLE customers")

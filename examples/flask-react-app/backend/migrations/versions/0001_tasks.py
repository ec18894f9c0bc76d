"""tasks"""

from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.execute("CREATE TABLE tasks (id serial PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false)")


def downgrade():
    op.execute("DROP TABLE tasks")

"""task owner"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute("ALTER TABLE tasks ADD COLUMN owner text")


def downgrade():
    op.execute("ALTER TABLE tasks DROP COLUMN owner")

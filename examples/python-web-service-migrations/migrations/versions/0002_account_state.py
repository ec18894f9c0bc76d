"""account state and a lookup index"""
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute("CREATE TYPE account_state AS ENUM ('active', 'closed')")
    op.execute("ALTER TABLE accounts ADD COLUMN state account_state NOT NULL DEFAULT 'active'")
    op.execute("CREATE INDEX ix_accounts_email ON accounts (email)")


def downgrade():
    # Forgets DROP INDEX ix_accounts_email: migration-test reports the index as left behind.
    op.execute("ALTER TABLE accounts DROP COLUMN state")
    op.execute("DROP TYPE account_state")

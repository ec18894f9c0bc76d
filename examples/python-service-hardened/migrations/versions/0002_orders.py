"""orders, with an index for the customer's order history"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute(
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id),"
        " total_cents integer NOT NULL CHECK (total_cents >= 0), placed_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute("CREATE INDEX ix_orders_customer_placed ON orders (customer_id, placed_at)")


def downgrade():
    op.execute("DROP INDEX ix_orders_customer_placed")
    op.execute("DROP TABLE orders")

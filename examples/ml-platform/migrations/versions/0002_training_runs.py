"""training runs"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute(
        "CREATE TABLE training_runs (id bigserial PRIMARY KEY, model_id bigint NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
        " metrics jsonb NOT NULL DEFAULT '{}', finished_at timestamptz)"
    )
    op.execute("CREATE INDEX ix_training_runs_model ON training_runs (model_id)")


def downgrade():
    op.execute("DROP INDEX ix_training_runs_model")
    op.execute("DROP TABLE training_runs")

"""Registry tests against the pipeline's migrated PostgreSQL (DATABASE_URL)."""

import os
import sys
import unittest

import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ml.registry import promote  # noqa: E402


class PromoteTest(unittest.TestCase):
    def test_promotion_archives_the_previous_production_model(self):
        with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=10) as conn:
            conn.execute(
                "INSERT INTO models (name, version, stage) "
                "VALUES ('sentiment', '1', 'production'), ('sentiment', '2', 'staging')"
            )
            promote(conn, "sentiment", "2")
            stages = dict(conn.execute("SELECT version, stage FROM models WHERE name = 'sentiment'").fetchall())
            self.assertEqual(stages, {"1": "archived", "2": "production"})
            with self.assertRaises(LookupError):
                promote(conn, "sentiment", "3")
            conn.rollback()


if __name__ == "__main__":
    unittest.main()

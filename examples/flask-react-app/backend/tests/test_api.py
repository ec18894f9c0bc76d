"""Backend tests against the migrated PostgreSQL of the pipeline (DATABASE_URL)."""
import unittest

import api


class TasksTest(unittest.TestCase):
    def test_open_tasks_of_an_owner(self):
        with api.connect() as conn:
            api.add_task(conn, "write migrations", owner="ada")
            api.add_task(conn, "review", owner="grace")
            self.assertEqual(api.open_tasks(conn, "ada"), ["write migrations"])
            conn.rollback()


if __name__ == "__main__":
    unittest.main()

"""Integration tests against the pipeline's PostgreSQL (migrated to head) and Redis.

The db-migrations workflow runs them after the migration test, with DATABASE_URL and REDIS_URL set.
"""

import os
import socket
import unittest
from urllib.parse import urlparse

import psycopg


class PostgresTest(unittest.TestCase):
    def test_orders_reference_customers(self):
        with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=10) as conn:
            customer = conn.execute(
                "INSERT INTO customers (email) VALUES ('integration@example.com') RETURNING id"
            ).fetchone()[0]
            conn.execute("INSERT INTO orders (customer_id, total_cents) VALUES (%s, 1250)", (customer,))
            total = conn.execute("SELECT sum(total_cents) FROM orders WHERE customer_id = %s", (customer,)).fetchone()[
                0
            ]
            self.assertEqual(total, 1250)
            with self.assertRaises(psycopg.errors.CheckViolation):
                conn.execute("INSERT INTO orders (customer_id, total_cents) VALUES (%s, -1)", (customer,))
            conn.rollback()


@unittest.skipUnless(os.environ.get("REDIS_URL"), "REDIS_URL is not set: no Redis service on this runner")
class RedisTest(unittest.TestCase):
    def test_ping(self):
        url = urlparse(os.environ["REDIS_URL"])
        with socket.create_connection((url.hostname, url.port or 6379), timeout=10) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            self.assertEqual(s.recv(16), b"+PONG\r\n")


if __name__ == "__main__":
    unittest.main()

"""The Flask API's data access, kept free of Flask so it can be tested against PostgreSQL directly."""

import os

import psycopg


def connect():
    # DATABASE_URL comes from the environment (the CI service container, or the cluster's secret).
    return psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=10)


def add_task(conn, title, owner=None):
    return conn.execute("INSERT INTO tasks (title, owner) VALUES (%s, %s) RETURNING id", (title, owner)).fetchone()[0]


def open_tasks(conn, owner):
    return [r[0] for r in conn.execute("SELECT title FROM tasks WHERE owner = %s AND NOT done ORDER BY id", (owner,))]

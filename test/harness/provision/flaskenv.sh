#!/usr/bin/env bash
# Flask-Migrate and greenlet in a venv (Flask, Flask-SQLAlchemy, Flask-Migrate, greenlet, Alembic, psycopg): migration-test's documented
# recipe for Flask-Migrate projects is tested on a project `flask db init` / `flask db migrate` really generated,
# and an async env.py (SQLAlchemy asyncio needs greenlet) on the same Alembic.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_NAME=flaskenv VENV_REQUIREMENTS="$here/python/flask-requirements.txt" exec bash "$here/provision/pyenv.sh"

#!/usr/bin/env bash
# Flask-Migrate in a venv (Flask, Flask-SQLAlchemy, Flask-Migrate, Alembic, psycopg): migration-test's documented
# recipe for Flask-Migrate projects is tested on a project `flask db init` / `flask db migrate` really generated.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_NAME=flaskenv VENV_REQUIREMENTS="$here/python/flask-requirements.txt" exec bash "$here/provision/pyenv.sh"

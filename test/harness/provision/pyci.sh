#!/usr/bin/env bash
# about: Python venv with pytest, flake8 and psycopg, for the CLI's --run-steps pipeline tests
# cold-build-seconds: 30
# The tools a Python service's CI runs (lint, tests against PostgreSQL), in a venv from a fully pinned
# requirements file: what a developer has installed when they run their pipeline locally.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_NAME=pyci VENV_REQUIREMENTS="$here/python/pyci-requirements.txt" exec bash "$here/provision/pyenv.sh"

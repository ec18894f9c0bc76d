#!/usr/bin/env bash
# pytest, pytest-cov, pytest-rerunfailures (test-report's fixtures are written by running them) and
# junitparser + coverage (the reference parsers of bench/test-report.ts), in one venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_NAME=testreport-py VENV_REQUIREMENTS="$here/python/testreport-requirements.txt" exec bash "$here/provision/pyenv.sh"

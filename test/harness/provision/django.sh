#!/usr/bin/env bash
# about: Django venv, for migration-test's django preset
# cold-build-seconds: 30
# Django (with psycopg) in a venv under $PA_CACHE/tools/django/<DJANGO_VERSION>/, for migration-test's
# django preset. Kept apart from pyenv (alembic) so that venv's hash pin does not change.
# Every package is pinned here, transitive ones included; Django 5.2 is the newest line for Python 3.11.
set -euo pipefail
v="${DJANGO_VERSION:?DJANGO_VERSION pin missing}"
have_tool django "$v" python && "$(tool_dir django "$v")/bin/python" -c 'import django, psycopg' && { announce django "$v" cached cached; exit 0; }
announce django "$v" pypi "pip install from PyPI (~20 s)"

stage="$(stage_dir django "$v")"
trap 'rm -rf "$stage"' EXIT
python3 -m venv "$stage"
"$stage/bin/pip" install -q --disable-pip-version-check --no-deps \
  "Django==$v" asgiref==3.13.0 sqlparse==0.6.1 psycopg==3.3.9 psycopg-binary==3.3.9 typing_extensions==4.16.0
"$stage/bin/pip" check
# Console scripts carry the venv path in their shebang; point them at the final folder before the move.
final="$(tool_dir django "$v")"
find "$stage/bin" -maxdepth 1 -type f -exec sed -i "1s|^#!$stage/|#!$final/|" {} +
trap - EXIT
commit_dir django "$v" "$stage"
echo "django $v provisioned"

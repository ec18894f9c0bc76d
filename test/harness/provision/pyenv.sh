#!/usr/bin/env bash
# about: Python venv with Alembic and SQLAlchemy, for migration-test
# cold-build-seconds: 40
# A Python venv from a fully pinned requirements file, cached under $PA_CACHE/tools/<name>/<hash>/.
# Default: the migration venv (alembic, SQLAlchemy, psycopg). lockstores.sh reuses this script for moto.
# The pin is the first 12 hex digits of the file's sha256, so an edited file cannot silently reuse
# an old venv: the script stops and prints the value to put in versions.env.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${VENV_NAME:-pyenv}"
req="${VENV_REQUIREMENTS:-$here/python/requirements.txt}"
pin_var="$(echo "$name" | tr 'a-z-' 'A-Z_')_VERSION"
v="${!pin_var:?$pin_var pin missing}"
hash="$(sha256sum "$req" | cut -c1-12)"
[ "$v" = "$hash" ] || { echo "$name: $req changed; set $pin_var=$hash in test/harness/versions.env" >&2; exit 1; }
have_tool "$name" "$v" python && "$(tool_dir "$name" "$v")/bin/python" -c '' && { announce "$name" "$v" cached cached; exit 0; }
announce "$name" "$v" pypi "pip install -r $(basename "$req") from PyPI (~30 s)"

stage="$(stage_dir "$name" "$v")"
trap 'rm -rf "$stage"' EXIT
python3 -m venv "$stage"
"$stage/bin/pip" install -q --disable-pip-version-check -r "$req"
"$stage/bin/pip" check
# Console scripts carry the venv path in their shebang; point them at the final folder before the move.
final="$(tool_dir "$name" "$v")"
find "$stage/bin" -maxdepth 1 -type f -exec sed -i "1s|^#!$stage/|#!$final/|" {} +
cp "$req" "$stage/requirements.txt"
trap - EXIT
commit_dir "$name" "$v" "$stage"
echo "$name $v provisioned from $(basename "$req")"

#!/usr/bin/env bash
# about: workflow security linter, for the repository's workflow checks
# cold-build-seconds: 20
# zizmor from PyPI into a venv inside the cache. The wheel carries the native binary itself, so
# bin/zizmor is a relative symlink to it and keeps working after the stage folder is moved.
set -euo pipefail
v="${ZIZMOR_VERSION:?ZIZMOR_VERSION pin missing}"
have_tool zizmor "$v" zizmor && { announce zizmor "$v" cached cached; exit 0; }
announce zizmor "$v" pypi "the binary wheel from PyPI (~15 s)"
stage="$(stage_dir zizmor "$v")"
trap 'rm -rf "$stage"' EXIT
python3 -m venv "$stage/venv"
"$stage/venv/bin/pip" install --quiet --disable-pip-version-check --no-input --only-binary=:all: "zizmor==$v"
mkdir -p "$stage/bin" && ln -s ../venv/bin/zizmor "$stage/bin/zizmor"
[ "$("$stage/bin/zizmor" --version)" = "zizmor $v" ] || { echo "zizmor: installed binary does not report $v" >&2; exit 1; }
commit_dir zizmor "$v" "$stage"
echo "zizmor $v -> $(tool_dir zizmor "$v")/bin/zizmor"

#!/usr/bin/env bash
# about: Python venv and wheelhouse with the examples' pinned check, test and SAST tools, for the act pipeline runs
# cold-build-seconds: 120
# The example pipelines (test/e2e/pipelines-*.integration.test.ts) install their tools with pip from requirements files:
# black, isort, flake8, mypy, pip-audit, pytest, pytest-cov, hypothesis, the apps' own requirements, and
# Bandit and Semgrep as sast.yml pins them. This script downloads every pin of
# python/pipeline-requirements.txt into a wheelhouse (wheels/) and installs them from it into a venv (bin/),
# so the runs use the same versions with no index: PIP_NO_INDEX with PIP_FIND_LINKS=<wheels> answers every
# `pip install` of the pipelines (and pip-audit's isolated resolve) from here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$here/python/pipeline-requirements.txt"
v="${PIPELINE_PY_VERSION:?PIPELINE_PY_VERSION pin missing}"
hash="$(sha256sum "$req" | cut -c1-12)"
[ "$v" = "$hash" ] || { echo "pipeline-py: $req changed; set PIPELINE_PY_VERSION=$hash in test/harness/versions.env" >&2; exit 1; }
dir="$(tool_dir pipeline-py "$v")"
have_tool pipeline-py "$v" python && [ -d "$dir/wheels" ] && "$dir/bin/python" -c '' && { announce pipeline-py "$v" cached cached; exit 0; }
announce pipeline-py "$v" pypi "pip download + install of $(grep -c '==' "$req") pinned wheels from PyPI (~2 min)"

stage="$(stage_dir pipeline-py "$v")"
trap 'rm -rf "$stage"' EXIT
python3 -m venv "$stage"
"$stage/bin/pip" download -q --disable-pip-version-check --only-binary=:all: -d "$stage/wheels" -r "$req"
"$stage/bin/pip" install -q --disable-pip-version-check --no-index --find-links "$stage/wheels" -r "$req"
"$stage/bin/pip" check
# Console scripts carry the venv path in their shebang; point them at the final folder before the move.
find "$stage/bin" -maxdepth 1 -type f -exec sed -i "1s|^#!$stage/|#!$dir/|" {} +
cp "$req" "$stage/requirements.txt"
trap - EXIT
commit_dir pipeline-py "$v" "$stage"
echo "pipeline-py $v -> $dir (venv in bin/, wheelhouse in wheels/)"

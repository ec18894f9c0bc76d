#!/usr/bin/env bash
# about: IaC scanner, the peer only benchmarks compare against
# cold-build-seconds: 90
# checkov in its own venv: only bench/tf-lock-check.ts uses it (the peer for CKV_TF_3, "state files are
# locked"). Pinned by CHECKOV_VERSION; pip resolves its dependencies from PyPI.
set -euo pipefail
v="${CHECKOV_VERSION:?CHECKOV_VERSION pin missing}"
have_tool checkov "$v" checkov && "$(tool_dir checkov "$v")/bin/checkov" --version >/dev/null && { announce checkov "$v" cached cached; exit 0; }
announce checkov "$v" pypi "pip install from PyPI (~1 min)"

stage="$(stage_dir checkov "$v")"
trap 'rm -rf "$stage"' EXIT
python3 -m venv "$stage"
"$stage/bin/pip" install -q --disable-pip-version-check "checkov==$v"
# Console scripts carry the venv path in their shebang; point them at the final folder before the move.
final="$(tool_dir checkov "$v")"
find "$stage/bin" -maxdepth 1 -type f -exec sed -i "1s|^#!$stage/|#!$final/|" {} +
trap - EXIT
commit_dir checkov "$v" "$stage"
echo "checkov $v provisioned"

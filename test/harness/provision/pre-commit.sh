#!/usr/bin/env bash
# about: pre-commit, the hook framework the CLI end-to-end test installs
# cold-build-seconds: 20
# pre-commit (https://pre-commit.com) from PyPI in a venv under $PA_CACHE/tools/pre-commit/<version>/, for
# the CLI's end-to-end test of its pre-commit hook. Every package is pinned, transitive ones included.
set -euo pipefail
v="${PRE_COMMIT_VERSION:?PRE_COMMIT_VERSION pin missing}"
have_tool pre-commit "$v" pre-commit && "$(tool_dir pre-commit "$v")/bin/pre-commit" --version > /dev/null && { echo "pre-commit $v already provisioned"; exit 0; }

type announce >/dev/null 2>&1 && announce pre-commit "$v" pypi "pre-commit and its pinned dependencies from PyPI into a venv (~20 s)"
stage="$(stage_dir pre-commit "$v")"
trap 'rm -rf "$stage"' EXIT
python3 -m venv "$stage"
"$stage/bin/pip" install -q --disable-pip-version-check --no-deps \
  "pre-commit==$v" cfgv==3.5.0 distlib==0.4.4 filelock==4.3.2 identify==2.6.20 nodeenv==1.12.0 packaging==26.4 \
  platformdirs==4.14.9 python-discovery==1.9.9 PyYAML==6.0.4 virtualenv==21.15.14
"$stage/bin/pip" check
# Console scripts carry the venv path in their shebang; point them at the final folder before the move.
final="$(tool_dir pre-commit "$v")"
find "$stage/bin" -maxdepth 1 -type f -exec sed -i "1s|^#!$stage/|#!$final/|" {} +
trap - EXIT
commit_dir pre-commit "$v" "$stage"
echo "pre-commit $v provisioned"

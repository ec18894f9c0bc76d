#!/usr/bin/env bash
# about: workflow linter, for the repository's workflow checks
# cold-build-seconds: 60
# actionlint: the official release when its host answers (sha256 pinned in versions.env), else built from
# the Go module proxy at the pinned release (version stamped for `-version`).
set -euo pipefail
v="${ACTIONLINT_VERSION:?ACTIONLINT_VERSION pin missing}"
have_tool actionlint "$v" actionlint && { announce actionlint "$v" cached cached; exit 0; }
stage="$(stage_dir actionlint "$v")"
trap 'rm -rf "$stage"' EXIT
if ! fetch_release actionlint "$v" "$stage"; then
  build_instead actionlint "$v"
  CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
    -ldflags "-s -w -X github.com/rhysd/actionlint.version=$v" \
    "github.com/rhysd/actionlint/cmd/actionlint@v$v"
fi
# Captured, not piped into head/grep -q: with pipefail, the SIGPIPE they can cause would fail the check.
got="$("$stage/bin/actionlint" -version)"
[ "${got%%$'\n'*}" = "$v" ] || { echo "actionlint: binary does not report $v" >&2; exit 1; }
commit_dir actionlint "$v" "$stage"
echo "actionlint $v -> $(tool_dir actionlint "$v")/bin/actionlint"

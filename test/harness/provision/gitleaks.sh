#!/usr/bin/env bash
# about: secret scanner, for gitleaks-scan
# cold-build-seconds: 150
# gitleaks v8: the official release when its host answers (sha256 pinned in versions.env), else built from
# the Go module proxy at the pinned release with the version stamped via -ldflags (a plain go install
# prints a placeholder). The release prints `8.30.1`, our build `v8.30.1`; both are accepted.
set -euo pipefail
v="${GITLEAKS_VERSION:?GITLEAKS_VERSION pin missing}"
have_tool gitleaks "$v" gitleaks && { announce gitleaks "$v" cached cached; exit 0; }
stage="$(stage_dir gitleaks "$v")"
trap 'rm -rf "$stage"' EXIT
if ! fetch_release gitleaks "$v" "$stage"; then
  build_instead gitleaks "$v"
  CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
    -ldflags "-s -w -X github.com/zricethezav/gitleaks/v8/version.Version=v$v" \
    "github.com/zricethezav/gitleaks/v8@v$v"
fi
[[ "$("$stage/bin/gitleaks" version)" =~ ^v?${v//./\\.}$ ]] || { echo "gitleaks: binary does not report $v" >&2; exit 1; }
commit_dir gitleaks "$v" "$stage"
echo "gitleaks $v -> $(tool_dir gitleaks "$v")/bin/gitleaks"

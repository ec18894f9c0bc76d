#!/usr/bin/env bash
# about: OpenTofu CLI, for tf-lock-check's OpenTofu tests
# cold-build-seconds: 420
# OpenTofu: the official release when its host answers (sha256 pinned in versions.env), else built from
# the Go module proxy at the pinned release. For the build: opentofu's go.mod replaces hashicorp/hcl/v2 with its fork; replace directives only apply in the
# main module, so we build through a tiny wrapper module that copies that replace from the
# release's own go.mod (derived at provision time, so a new pin needs no edit here).
set -euo pipefail
v="${TOFU_VERSION:?TOFU_VERSION pin missing}"
have_tool tofu "$v" tofu && { announce tofu "$v" cached cached; exit 0; }

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
mod=github.com/opentofu/opentofu
stage="$(stage_dir tofu "$v")"
trap 'rm -rf "$stage"' EXIT
if fetch_release tofu "$v" "$stage"; then
  got="$(TF_CLI_CONFIG_FILE=/dev/null "$stage/bin/tofu" version)"
  [ "${got%%$'\n'*}" = "OpenTofu v$v" ] || { echo "tofu: downloaded binary reports wrong version" >&2; exit 1; }
  trap - EXIT
  commit_dir tofu "$v" "$stage"
  exit 0
fi
build_instead tofu "$v"
w="$stage/wrapper"; mkdir -p "$w" "$stage/bin"

go mod download -json "$mod@v$v" >"$stage/dl.json"
src="$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' "$stage/dl.json")"
[ -f "$src/go.mod" ] || { echo "tofu: could not download $mod@v$v" >&2; exit 1; }

cd "$w"
go mod init pa-harness/tofu-wrapper >/dev/null 2>&1
# Single-line replaces (`replace a v => b v`) and replace blocks both become -replace edits.
awk '/^replace \(/{b=1;next} b&&/^\)/{b=0;next} /^replace /{sub(/^replace /,"")} (b||/=>/)&&!/^[ \t]*\/\//{print}' "$src/go.mod" |
  while IFS= read -r line; do
    lhs="$(echo "${line%%=>*}" | xargs)"; rhs="$(echo "${line#*=>}" | xargs)"
    go mod edit -replace "${lhs/ /@}=${rhs/ /@}"
  done
printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/tofu"\n' "$mod" >tools.go
go mod edit -require "$mod@v$v"
go mod tidy >/dev/null
echo "tofu: building $mod/cmd/tofu@v$v with: $(grep -c '=>' go.mod) replace(s)"
# version.dev=no drops the "-dev" suffix, as the release build does.
nice -n 5 go build -trimpath -ldflags "-s -w -X $mod/version.dev=no" -o "$stage/bin/tofu" "$mod/cmd/tofu"
# Captured, not piped into grep -q: grep's early exit can SIGPIPE tofu, which pipefail turns into a failure.
got="$(TF_CLI_CONFIG_FILE=/dev/null "$stage/bin/tofu" version)"
[ "${got%%$'\n'*}" = "OpenTofu v$v" ] || { echo "tofu: built binary reports wrong version" >&2; exit 1; }
rm -rf "$w" "$stage/dl.json"
trap - EXIT
commit_dir tofu "$v" "$stage"
echo "tofu $v provisioned"

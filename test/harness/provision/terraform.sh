#!/usr/bin/env bash
# about: Terraform CLI, for tf-lock-check
# cold-build-seconds: 420
# Terraform (BUSL). No registry here ships a usable build: Debian has none, and the PyPI/npm
# "terraform*" packages are unrelated or pin <= 1.0. So:
#  1. use the machine's terraform when it is exactly the pin (linked into the cache, 0 s), else
#  2. download the official release when its host answers (sha256 pinned in versions.env), else
#  3. build the pinned release from the Go module proxy. Its go.mod points the backend modules
#     (internal/backend/remote-state/*, internal/legacy) at local folders, which the proxy's zip
#     leaves out; a wrapper module replaces each with the same nested module at the release commit.
set -euo pipefail
v="${TERRAFORM_VERSION:?TERRAFORM_VERSION pin missing}"
have_tool terraform "$v" terraform && TF_CLI_CONFIG_FILE=/dev/null "$(tool_dir terraform "$v")/bin/terraform" version >/dev/null 2>&1 &&
  { announce terraform "$v" cached cached; exit 0; }

# Commit of each supported release tag (the proxy does not say which commit a tag is).
case "$v" in
  1.11.4) commit=35645b8fca68 ;;  # pseudo-version time 20250409131005 = the tag's commit time
  *) commit= ;;
esac

stage="$(stage_dir terraform "$v")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"

sys="${TERRAFORM_SYSTEM_BIN:-$(command -v terraform || true)}"
have="$([ -n "$sys" ] && TF_CLI_CONFIG_FILE=/dev/null "$sys" version 2>/dev/null | sed -n 's/^Terraform v\([0-9.]*\).*/\1/p' || true)"
if [ -n "$sys" ] && [ "$have" = "$v" ]; then
  ln -s "$(readlink -f "$sys")" "$stage/bin/terraform"
  announce terraform "$v" system "the machine's $sys (linked; seconds)"
elif fetch_release terraform "$v" "$stage"; then
  :
elif [ -n "$commit" ]; then
  FETCH_WHY="${sys:-no terraform on PATH}${have:+ is $have}; $FETCH_WHY"
  build_instead terraform "$v"
  export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
  mod=github.com/hashicorp/terraform
  src="$(go mod download -json "$mod@v$v" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  time="$(go list -m -json "$mod@v$v" | sed -n 's/^\t"Time": "\(.*\)",$/\1/p' | tr -dc '0-9' | cut -c1-14)"
  [ ${#time} = 14 ] || { echo "terraform: no commit time for $mod@v$v from the proxy" >&2; exit 1; }
  w="$stage/wrapper"; mkdir -p "$w"; cd "$w"
  go mod init pa-harness/terraform-wrapper >/dev/null 2>&1
  sed -n 's/^replace \([^ ]*\) => \.\/.*/\1/p' "$src/go.mod" | while read -r nested; do
    go mod edit -replace "$nested=$nested@v0.0.0-$time-$commit"
  done
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$mod" >tools.go
  go mod edit -require "$mod@v$v"
  go mod tidy >/dev/null
  # version.dev=no drops the "-dev" suffix, as the release build does.
  nice -n 5 go build -trimpath -ldflags "-s -w -X $mod/version.dev=no" -o "$stage/bin/terraform" "$mod"
  cd "$stage"; rm -rf "$w"
else
  echo "terraform: need Terraform $v: ${sys:-no terraform on PATH}${have:+ is $have}, $FETCH_WHY, and there is no source-build recipe for $v here; install it at /usr/local/bin/terraform (or TERRAFORM_SYSTEM_BIN) or pin 1.11.4" >&2
  exit 1
fi

# Captured, not piped into grep -q: grep's early exit can SIGPIPE terraform, which pipefail turns into a failure.
got="$(TF_CLI_CONFIG_FILE=/dev/null "$stage/bin/terraform" version)"
[ "${got%%$'\n'*}" = "Terraform v$v" ] || { echo "terraform: binary does not report v$v" >&2; exit 1; }
trap - EXIT
commit_dir terraform "$v" "$stage"
echo "terraform $v provisioned"

#!/usr/bin/env bash
# about: etcd, the store of the Kubernetes cluster service
# cold-build-seconds: 180
# etcd into $PA_CACHE/tools/etcd/$ETCD_VERSION/bin/etcd: the official release when its host answers
# (sha256 pinned in versions.env), else built from the Go module proxy (the server module's root package
# is etcd's main).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
type stage_dir >/dev/null 2>&1 || source "$here/lib.sh"
: "${ETCD_VERSION:?ETCD_VERSION pin missing}"
ev="v${ETCD_VERSION#v}"
have_tool etcd "$ETCD_VERSION" etcd && { announce etcd "$ETCD_VERSION" cached cached; exit 0; }
# Our own throwaway module: never let a go.work or GOFLAGS from the caller leak in.
export GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local
stage="$(stage_dir etcd "$ETCD_VERSION")"
trap 'rm -rf "$stage"' EXIT   # a failed build leaves no half-filled stage folder behind
if ! fetch_release etcd "$ETCD_VERSION" "$stage"; then
  build_instead etcd "$ETCD_VERSION"
  src="$stage/src"; mkdir -p "$src" "$stage/bin"
  (cd "$src" && go mod init platform-actions.test/etcd-build >/dev/null 2>&1 \
    && go get "go.etcd.io/etcd/server/v3@$ev" && go mod download \
    && nice -n 5 go build -trimpath -ldflags "-s -w" -o "$stage/bin/etcd" go.etcd.io/etcd/server/v3)
  rm -rf "$src"
fi
got="$("$stage/bin/etcd" --version)"   # not piped into grep -q: SIGPIPE + pipefail would fail it
[[ "$got" == *"etcd Version: ${ev#v}"* ]] || { echo "etcd: unexpected version: $got" >&2; exit 1; }
commit_dir etcd "$ETCD_VERSION" "$stage"

#!/usr/bin/env bash
# about: kube-apiserver, -controller-manager, -scheduler and kubectl, for the Kubernetes cluster service
# cold-build-seconds: 1500
# A real Kubernetes control plane for tests (no Docker), etcd and kwok being their own tools:
#   $PA_CACHE/tools/kube/$KUBE_VERSION/bin/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
# The official binaries when versions.env pins them for this platform (it does not yet: see there), else
# built from the Go module proxy.
# `go install k8s.io/kubernetes/cmd/...@vX` does not work: its go.mod replaces every staging module with
# ./staging/... (kubernetes#79384). So we generate a wrapper module that requires k8s.io/kubernetes and
# replaces each staging module with its published k8s.io/<m> v0.Y.Z, derived from that tag's go.mod.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
type stage_dir >/dev/null 2>&1 || source "$here/lib.sh"
: "${KUBE_VERSION:?KUBE_VERSION pin missing}"
kv="v${KUBE_VERSION#v}"
gobuild() { nice -n 5 go build -trimpath "$@"; }
# Our own throwaway modules: never let a go.work or GOFLAGS from the caller leak in.
export GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local
stage=""; trap 'rm -rf "$stage"' EXIT   # a failed build leaves no half-filled stage folder behind

# --- kube-apiserver, kube-controller-manager, kube-scheduler, kubectl -------------------------------
bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
have=1; for b in "${bins[@]}"; do have_tool kube "$KUBE_VERSION" "$b" || have=0; done
[ "$have" = 1 ] && { announce kube "$KUBE_VERSION" cached cached; exit 0; }

stage="$(stage_dir kube "$KUBE_VERSION")"
if fetch_release kube "$KUBE_VERSION" "$stage"; then
  got="$("$stage/bin/kube-apiserver" --version)"
  [ "$got" = "Kubernetes $kv" ] || { echo "kube: kube-apiserver reports $got, not $kv" >&2; exit 1; }
  commit_dir kube "$KUBE_VERSION" "$stage"
  exit 0
fi
build_instead kube "$KUBE_VERSION"
src="$stage/src"; mkdir -p "$src" "$stage/bin"
cd "$src"
go mod init platform-actions.test/kube-build >/dev/null 2>&1
# The tag's go.mod lists the staging modules as `k8s.io/<m> => ./staging/src/k8s.io/<m>`.
gomod="$(go mod download -json "k8s.io/kubernetes@$kv" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[ -f "$gomod" ] || { echo "kube: cannot download k8s.io/kubernetes@$kv" >&2; exit 1; }
staging="$(go mod edit -json "$gomod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"]["Path"].startswith("./staging/"): print(r["Old"]["Path"])')"
minor="${kv#v1.}"; staging_v="v0.${minor}"   # k8s.io/kubernetes v1.Y.Z <-> staging v0.Y.Z
args=(-require="k8s.io/kubernetes@$kv")
for m in $staging; do args+=(-replace="$m=$m@$staging_v"); done
for b in "${bins[@]}"; do args+=(-tool="k8s.io/kubernetes/cmd/$b"); done
go mod edit "${args[@]}"
echo "kube: wrapper module replaces $(wc -w <<<"$staging") staging modules with $staging_v"
go mod tidy && go mod download

# Stamp the real version: kwokctl derives apiserver flags from `--version`; kubectl reads client-go's copy.
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$kv -X $p.gitMajor=1 -X $p.gitMinor=${minor%%.*}"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
# One invocation so the shared packages compile once.
pkgs=(); for b in "${bins[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
gobuild -ldflags "$ldflags" -o "$stage/bin/" "${pkgs[@]}"
cd "$stage" && rm -rf "$src"
got="$("$stage/bin/kube-apiserver" --version)"
[ "$got" = "Kubernetes $kv" ] || { echo "kube: version stamp missing: $got" >&2; exit 1; }
commit_dir kube "$KUBE_VERSION" "$stage"

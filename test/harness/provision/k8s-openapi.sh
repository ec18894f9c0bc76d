#!/usr/bin/env bash
# about: upstream Kubernetes OpenAPI descriptions, for helm-validate's schema tests
# cold-build-seconds: 90
# The upstream Kubernetes OpenAPI v2 descriptions (api/openapi-spec/swagger.json of the k8s.io/kubernetes
# Go module) for the releases helm-validate ships schemas for. Tests regenerate the shipped schemas from
# them (freshness) and build kubeconform's strict schemas from them (parity). Pin: comma-separated releases.
set -euo pipefail
pin="${K8S_OPENAPI_VERSION:?K8S_OPENAPI_VERSION pin missing}"
final="$(tool_dir k8s-openapi "$pin")"
complete=true
for v in ${pin//,/ }; do [ -s "$final/$v/swagger.json" ] || complete=false; done
$complete && { announce k8s-openapi "$pin" cached cached; exit 0; }
announce k8s-openapi "$pin" go-proxy "k8s.io/kubernetes module zips from the Go module proxy (no build; ~1 min)"
stage="$(stage_dir k8s-openapi "$pin")"
trap 'rm -rf "$stage"' EXIT
for v in ${pin//,/ }; do
  # `go mod download` fetches the module zip through GOPROXY; run outside any module so no go.mod is consulted.
  dir="$(cd / && GOFLAGS=-mod=mod nice -n 5 go mod download -json "k8s.io/kubernetes@v$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  mkdir -p "$stage/$v"
  cp "$dir/api/openapi-spec/swagger.json" "$stage/$v/swagger.json"
  chmod 0644 "$stage/$v/swagger.json"
done
commit_dir k8s-openapi "$pin" "$stage"
echo "k8s-openapi $pin -> $final"

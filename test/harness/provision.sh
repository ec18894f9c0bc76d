#!/usr/bin/env bash
# Provision pinned tools into $PA_CACHE (outside the repo). Idempotent; safe to run before every test run.
#   bash test/harness/provision.sh            # every tool the tests use
#   bash test/harness/provision.sh --all      # also the peers only benchmarks use (npm run bench)
#   bash test/harness/provision.sh gitleaks   # only the named ones
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PA_CACHE="${PA_CACHE:-$HOME/.cache/platform-actions}"
mkdir -p "$PA_CACHE/tools"
set -a; source "$here/versions.env"; set +a
source "$here/provision/lib.sh"

# Peers that only benchmarks measure against; tests never need them, so `npm test` does not build them.
bench_only=" checkov "
all=false
if [ "${1:-}" = "--all" ]; then all=true; shift; fi
tools=("$@")
if [ ${#tools[@]} -eq 0 ]; then
  for f in "$here"/provision/*.sh; do
    n="$(basename "$f" .sh)"; [ "$n" = lib ] && continue
    if [ "$all" = false ] && [[ "$bench_only" == *" $n "* ]]; then continue; fi
    tools+=("$n")
  done
fi
for t in "${tools[@]}"; do
  script="$here/provision/$t.sh"
  [ -f "$script" ] || { echo "provision: no script for tool '$t' (expected $script)" >&2; exit 2; }
  start=$SECONDS
  echo "::group::provision $t"
  bash "$script"
  echo "::endgroup::"
  echo "provision: $t ready in $((SECONDS - start))s"
done

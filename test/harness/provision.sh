#!/usr/bin/env bash
# Provision pinned tools into $PA_CACHE (outside the repo). Idempotent; safe to run before every test run.
#   bash test/harness/provision.sh            # every tool the tests use
#   bash test/harness/provision.sh --all      # also the peers only benchmarks use (npm run bench)
#   bash test/harness/provision.sh gitleaks   # only the named ones
# Each tool gets one line saying what it is, where it comes from and how long that takes, then one when it
# is ready; everything the tool's own installers print (go, npm, pip) goes to $PA_CACHE/logs/<tool>.log.
# A tool that fails is said in one line with the reason; the others are still provisioned, and the exit
# status is 1. Independent tools are provisioned side by side, PA_JOBS at a time (default: half the cores).
# Sources: official release downloads first (sha256 pinned in versions.env), the Go module proxy build
# when the download host is unreachable; PA_TOOL_SOURCE=build|download forces one of the two.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PA_CACHE="${PA_CACHE:-$HOME/.cache/platform-actions}"
mkdir -p "$PA_CACHE/tools" "$PA_CACHE/logs"
set -a
source "$here/versions.env"
# A second pin file on top (tests point downloads at a local mirror with it).
if [ -n "${PA_PINS:-}" ]; then source "$PA_PINS"; fi
set +a
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
  [ -f "$here/provision/$t.sh" ] || { echo "provision: no script for tool '$t' (expected $here/provision/$t.sh)" >&2; exit 2; }
done

# human SECONDS -> 42s | 3m07s
human() { if [ "$1" -lt 60 ]; then echo "${1}s"; else printf '%dm%02ds\n' $(($1 / 60)) $(($1 % 60)); fi; }

# provision_one TOOL: runs provision/TOOL.sh with its output in the log, then says how it went.
provision_one() {
  local t="$1" script="$here/provision/$1.sh" log="$PA_CACHE/logs/$1.log" status="$PA_CACHE/logs/$1.source" start=$SECONDS rc=0 why
  rm -f "$status"
  # The script's header says what the tool is and what a cold build costs (seconds on 2 cores).
  PA_LOG="$log" PA_ABOUT="$(sed -n 's/^# about: //p' "$script" | head -n1)" PA_STATUS="$status" \
    PA_COLD="$(sed -n 's/^# cold-build-seconds: //p' "$script" | head -n1)" \
    bash "$script" 3>&1 >"$log" 2>&1 </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo failed >"$status"
    why="$(grep -v '^[[:space:]]*$' "$log" | tail -n1 | cut -c1-300)"
    echo "provision: $t FAILED after $(human $((SECONDS - start))): ${why:-exit $rc} (log: $log)"
    return 0
  fi
  [ "$(cat "$status" 2>/dev/null)" = cached ] || echo "provision: $t ready in $(human $((SECONDS - start)))"
}

t0=$SECONDS
jobs="${PA_JOBS:-$(($( (nproc || sysctl -n hw.ncpu) 2>/dev/null || echo 2) / 2))}"
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
for t in "${tools[@]}"; do
  if [ "$jobs" -eq 1 ]; then provision_one "$t"; continue; fi
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
  provision_one "$t" &
done
wait

summary="" failed=""
for s in cached download npm pypi apt system go-proxy go-build other failed; do
  n=0
  for t in "${tools[@]}"; do [ "$(cat "$PA_CACHE/logs/$t.source" 2>/dev/null || echo other)" = "$s" ] && n=$((n + 1)); done
  [ "$n" -gt 0 ] && summary+="${summary:+, }$n $s"
  [ "$s" = failed ] && [ "$n" -gt 0 ] && failed=$n
done
if [ -n "$failed" ]; then
  echo "provision: $failed of ${#tools[@]} tool(s) FAILED; the rest ready after $(human $((SECONDS - t0))) ($summary)"
  exit 1
fi
echo "provision: ${#tools[@]} tool(s) ready in $(human $((SECONDS - t0))) ($summary)"

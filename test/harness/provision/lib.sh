# Shared helpers for provision/<tool>.sh scripts. Sourced, not run.
# tool_dir NAME VERSION  -> prints $PA_CACHE/tools/NAME/VERSION
tool_dir() { echo "$PA_CACHE/tools/$1/$2"; }
# have_tool NAME VERSION BIN -> true when the executable is already cached
have_tool() { [ -x "$(tool_dir "$1" "$2")/bin/$3" ]; }
# stage_dir NAME VERSION -> a fresh temporary folder next to the final one (same filesystem)
stage_dir() { local d; mkdir -p "$PA_CACHE/tools/$1"; d="$(mktemp -d "$PA_CACHE/tools/$1/.stage-$2.XXXXXX")"; echo "$d"; }
# commit_dir NAME VERSION STAGE -> atomically move STAGE into place
commit_dir() { local final; final="$(tool_dir "$1" "$2")"; rm -rf "$final"; chmod 755 "$3"; mv "$3" "$final"; }

# say TEXT -> one progress line for the person waiting. provision.sh sends a script's own output (go,
# npm, pip) to a log file and opens fd 3 onto the terminal for these lines; run alone, they go to stdout.
say() { if { true >&3; } 2>/dev/null; then echo "provision: $*" >&3; else echo "provision: $*"; fi; }
# record_source SOURCE -> where the tool came from (cached|download|npm|pypi|apt|system|go-proxy|go-build),
# for provision.sh's closing count. A script with two tools (helm) is "cached" only when both are.
record_source() {
  if [ -n "${PA_STATUS:-}" ] && { [ "$1" != cached ] || [ ! -s "$PA_STATUS" ]; }; then echo "$1" >"$PA_STATUS"; fi
}
# announce NAME VERSION SOURCE TEXT -> the tool's one line: what it is (PA_ABOUT, from the script's
# header) and TEXT (where it comes from, how long).
announce() { record_source "$3"; say "$1 $2${PA_ABOUT:+ ($PA_ABOUT)}: $4"; }
# cold_estimate -> "~3 min" from the script header's cold-build-seconds (provision.sh passes it as PA_COLD)
cold_estimate() {
  local s="${PA_COLD:-0}"
  if [ "$s" -lt 90 ]; then echo "~${s} s"; else echo "~$(((s + 30) / 60)) min"; fi
}

# host_platform -> linux_amd64 | linux_arm64 | darwin_amd64 | darwin_arm64 (the suffix of the download pins)
host_platform() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os="$(uname -s | tr 'A-Z' 'a-z')" ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  echo "${os}_${arch}"
}

sha256_of() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

# fetch_release NAME VERSION STAGE
# Downloads the official release pinned in versions.env as
#   <NAME>_DOWNLOAD_<OS>_<ARCH>="<bin>=<url>@<sha256> [<bin>=<url>@<sha256> ...]"
# (url: the executable itself, or a .tar.gz/.zip holding it), enforces each sha256, and puts the
# executables in STAGE/bin. Returns 1 with the reason in FETCH_WHY when there is no pin for this
# platform, the host does not answer (short connect timeout), or a checksum does not match; nothing
# unverified is kept, let alone run. PA_TOOL_SOURCE=build skips downloads; =download forbids builds.
fetch_release() {
  local name="$1" v="$2" stage="$3" key spec entry bin url want file got host dl
  FETCH_WHY=""
  if [ "${PA_TOOL_SOURCE:-auto}" = build ]; then FETCH_WHY="PA_TOOL_SOURCE=build"; return 1; fi
  key="$(echo "${name}_DOWNLOAD_$(host_platform)" | tr 'a-z-' 'A-Z_')"
  spec="${!key:-}"
  if [ -z "$spec" ]; then FETCH_WHY="no official $name $v release is pinned for $(host_platform)"; return 1; fi
  dl="$stage/.download"; mkdir -p "$dl" "$stage/bin"
  for entry in $spec; do
    bin="${entry%%=*}"; url="${entry#*=}"; want="${url##*@}"; url="${url%@*}"
    host="${url#*://}"; host="${host%%/*}"; file="$dl/${url##*/}"
    announce "$name" "$v" download "downloading the official ${url##*/} from $host (sha256 pinned; seconds)"
    if ! got="$(curl --fail --location --silent --show-error --connect-timeout "${PA_CONNECT_TIMEOUT:-5}" \
      --max-time "${PA_DOWNLOAD_TIMEOUT:-600}" --output "$file" "$url" 2>&1)"; then
      got="${got##*curl: }"; got="${got#(*) }"
      rm -rf "$dl"; FETCH_WHY="could not download ${url##*/} from $host ($got)"; return 1
    fi
    got="$(sha256_of "$file")"
    if [ "$got" != "$want" ]; then
      rm -rf "$dl"; FETCH_WHY="checksum mismatch for ${url##*/}: expected sha256 $want, got $got; the file was not used"; return 1
    fi
    case "$file" in
      *.tar.gz | *.tgz) mkdir "$dl/x" && tar -xzf "$file" -C "$dl/x" ;;
      *.zip) mkdir "$dl/x" && python3 -m zipfile -e "$file" "$dl/x" ;;
      *) mkdir "$dl/x" && mv "$file" "$dl/x/$bin" ;;
    esac
    got="$(find "$dl/x" -type f -name "$bin" -print -quit)"
    [ -n "$got" ] || { rm -rf "$dl"; FETCH_WHY="${url##*/} holds no $bin"; return 1; }
    mv "$got" "$stage/bin/$bin" && chmod 0755 "$stage/bin/$bin"
    rm -rf "$dl/x" "$file"
  done
  rm -rf "$dl"
}

# build_instead NAME VERSION -> after fetch_release failed: say in one line why and that we build from the Go
# module proxy instead, how long that takes and where its output goes; or stop when PA_TOOL_SOURCE=download.
build_instead() {
  if [ "${PA_TOOL_SOURCE:-auto}" = download ]; then echo "$1 $2: $FETCH_WHY (PA_TOOL_SOURCE=download: not building)" >&2; exit 1; fi
  local how="building from the Go module proxy ($(cold_estimate) on 2 cores; go output: ${PA_LOG:-stdout})"
  case "$FETCH_WHY" in
    "" | PA_TOOL_SOURCE=build) announce "$1" "$2" go-build "$how" ;;
    "no official"*) announce "$1" "$2" go-build "$how; $FETCH_WHY" ;;
    *) record_source go-build; say "$1 $2: $FETCH_WHY; ${how/building/building instead}" ;;
  esac
}
export -f tool_dir have_tool stage_dir commit_dir say record_source announce cold_estimate host_platform sha256_of fetch_release build_instead

#!/usr/bin/env bash
# FAKE GitHub cache service for the fake actions/cache/restore and /save: one folder per entry under
# FAKE_CACHE_DIR holding its key, its version and the saved paths. As on GitHub, an entry's version is a
# hash of the path input (the lines as given, and the compression method), so an entry is found only by a
# restore with the same paths; a key is matched exactly, then each restore-key as a prefix, newest first;
# an existing key is not overwritten.
set -euo pipefail
store="${FAKE_CACHE_DIR:?FAKE cache: FAKE_CACHE_DIR is not set}"
mkdir -p "$store"
mapfile -t paths < <(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' <<< "$IN_PATH")
# runner.temp and the workspace are the same folders in every job of a hosted runner, but act gives each
# run its own: the version hashes them by name, so it stays what GitHub's would be.
hashed=()
for p in "${paths[@]}"; do p="${p/#"$RUNNER_TEMP"/<runner.temp>}"; hashed+=("${p/#"$GITHUB_WORKSPACE"/<workspace>}"); done
version="$(printf '%s|' "${hashed[@]}" zstd | sha256sum | cut -c1-64)"
case "$1" in
  save)
    for e in "$store"/*/; do
      [ -f "$e/key" ] && [ "$(cat "$e/key")" = "$IN_KEY" ] && [ "$(cat "$e/version")" = "$version" ] &&
        { echo "::warning::FAKE cache: Failed to save: Unable to reserve cache with key $IN_KEY, another job may be creating this cache."; exit 0; }
    done
    entry="$(mktemp -d "$store/entry.XXXXXX")"
    n=0
    for p in "${paths[@]}"; do
      if [ -e "$p" ]; then cp -a "$p" "$entry/$n"; n=$((n + 1)); else echo "::warning::FAKE cache: path $p does not exist"; echo skip > "$entry/$n.missing"; n=$((n + 1)); fi
    done
    printf '%s' "$IN_KEY" > "$entry/key"; printf '%s' "$version" > "$entry/version"
    echo "FAKE cache: saved $IN_KEY (${#paths[@]} path(s))"
    ;;
  restore)
    echo "cache-primary-key=$IN_KEY" >> "$GITHUB_OUTPUT"
    match=""
    # Newest first: entries by modification time.
    mapfile -t entries < <(ls -1dt "$store"/entry.* 2>/dev/null || true)
    pick() { for e in "${entries[@]}"; do [ "$(cat "$e/version")" = "$version" ] && "$@" "$(cat "$e/key")" && { echo "$e"; return 0; }; done; return 1; }
    exact() { [ "$1" = "$IN_KEY" ]; }
    match="$(pick exact || true)"
    if [ -z "$match" ]; then
      while IFS= read -r prefix; do
        prefix="$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<< "$prefix")"; [ -n "$prefix" ] || continue
        starts() { [[ "$1" == "$prefix"* ]]; }
        match="$(pick starts || true)"; [ -z "$match" ] || break
      done <<< "$IN_RESTORE_KEYS"
    fi
    if [ -z "$match" ]; then
      echo "cache-hit=false" >> "$GITHUB_OUTPUT"
      if [ "${IN_FAIL:-false}" = true ]; then echo "::error::FAKE cache: Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: $IN_KEY"; exit 1; fi
      echo "FAKE cache: Cache not found for input keys: $IN_KEY${IN_RESTORE_KEYS:+, $(paste -sd, - <<< "$IN_RESTORE_KEYS")}"
      exit 0
    fi
    key="$(cat "$match/key")"
    n=0
    for p in "${paths[@]}"; do
      if [ -e "$match/$n" ]; then mkdir -p "$(dirname "$p")"; rm -rf "$p"; cp -a "$match/$n" "$p"; fi
      n=$((n + 1))
    done
    { echo "cache-matched-key=$key"; echo "cache-hit=$([ "$key" = "$IN_KEY" ] && echo true || echo false)"; } >> "$GITHUB_OUTPUT"
    echo "FAKE cache: Cache restored from key: $key"
    ;;
esac

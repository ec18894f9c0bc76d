#!/usr/bin/env bash
# about: Redis 7 server, for the CLI's --redis and the Redis service of the pipeline tests
# cold-build-seconds: 10
# Redis from Debian's packages, unpacked without installing anything (no root, nothing outside the cache):
#  1. the machine's redis-server when it is the pinned upstream version (linked into the cache), else
#  2. `apt-get download` the pinned redis-server and redis-tools .debs and the two libraries they need
#     that a base system lacks (REDIS_DEBS), `dpkg -x` them into the cache, and put small wrappers in bin/
#     that run them with those libraries. Debian's redis-server is a link to redis-check-rdb: one binary
#     that acts on the name it is run as, so the wrapper runs it under the name redis-server.
set -euo pipefail
v="${REDIS_VERSION:?REDIS_VERSION pin missing}"
upstream="${v%%-*}"
dir="$(tool_dir redis "$v")"
have_tool redis "$v" redis-server && [ "$("$dir/bin/redis-server" --version | sed -n 's/.* v=\([0-9.]*\) .*/\1/p')" = "$upstream" ] &&
  { announce redis "$v" cached cached; exit 0; }

stage="$(stage_dir redis "$v")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"

sys="$(command -v redis-server || true)"
if [ -n "$sys" ] && [ "$("$sys" --version | sed -n 's/.* v=\([0-9.]*\) .*/\1/p')" = "$upstream" ]; then
  announce redis "$v" system "the machine's $sys (linked; seconds)"
  ln -s "$(readlink -f "$sys")" "$stage/bin/redis-server"
  cli="$(command -v redis-cli || true)"
  [ -n "$cli" ] && ln -s "$(readlink -f "$cli")" "$stage/bin/redis-cli"
else
  announce redis "$v" apt "apt-get download redis-server $v and its libraries, unpacked with dpkg -x (~10 s)"
  debs=("redis-server=5:$v" "redis-tools=5:$v" ${REDIS_DEBS:-})
  mkdir "$stage/.debs"
  # apt-get download writes into the current folder; _apt cannot always write there, which is only a warning.
  (cd "$stage/.debs" && apt-get download "${debs[@]}") ||
    (cd "$stage/.debs" && apt-get update -qq && apt-get download "${debs[@]}") ||
    { echo "redis: apt-get download ${debs[*]} failed (a pin no longer in the archive? update REDIS_VERSION / REDIS_DEBS in test/harness/versions.env)" >&2; exit 1; }
  for f in "$stage"/.debs/*.deb; do dpkg -x "$f" "$stage/root"; done
  rm -rf "$stage/.debs"
  for name in redis-server redis-cli; do
    real="$stage/root/usr/bin/redis-check-rdb"
    [ "$name" = redis-cli ] && real="$stage/root/usr/bin/redis-cli"
    # Run as <cache>/libexec/<name> (the name decides what the binary does), with the unpacked libraries.
    mkdir -p "$stage/libexec"
    ln -s "../root/usr/bin/$(basename "$real")" "$stage/libexec/$name"
    cat >"$stage/bin/$name" <<WRAP
#!/bin/sh
# $name from Debian's redis-tools $v, unpacked by test/harness/provision/redis.sh
here="\$(cd "\$(dirname "\$0")/.." && pwd)"
LD_LIBRARY_PATH="\$here/root/usr/lib/x86_64-linux-gnu:\$here/root/usr/lib/aarch64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$here/libexec/$name" "\$@"
WRAP
    chmod 0755 "$stage/bin/$name"
  done
fi
got="$("$stage/bin/redis-server" --version | sed -n 's/.* v=\([0-9.]*\) .*/\1/p')"
[ "$got" = "$upstream" ] || { echo "redis: redis-server reports ${got:-nothing}, not $upstream" >&2; exit 1; }
trap - EXIT
commit_dir redis "$v" "$stage"
echo "redis $v -> $dir/bin/redis-server"

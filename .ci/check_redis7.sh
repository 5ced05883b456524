#!/usr/bin/env bash
# `make check-redis7`: the tests that need no notebooks against Redis 7 (Debian's
# redis-server package, unpacked under build/redis7 and never installed or started as
# a service). Skips, saying so, where apt-get is missing or cannot fetch the packages.
set -euo pipefail
python=$1
dest=build/redis7
rm -rf "$dest"
mkdir -p "$dest/root"
fetch() { (cd "$dest" && apt-get download redis-server redis-tools liblzf1 libjemalloc2 >/dev/null 2>&1); }
if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
  echo "check-redis7: skipped (needs apt-get and dpkg, as on Debian or Ubuntu)"; exit 0
fi
if ! fetch; then
  [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 || true
  fetch || { echo "check-redis7: skipped (apt-get could not download redis-server)"; exit 0; }
fi
for deb in "$dest"/*.deb; do dpkg -x "$deb" "$dest/root"; done
root=$(cd "$dest/root" && pwd)
libs=$(dirname "$(find "$root" -name 'libjemalloc.so.2' | head -1)")
# The binary picks its role from its name: run it through the redis-server link.
cat > "$dest/redis-server" <<WRAPPER
#!/bin/sh
LD_LIBRARY_PATH="$libs" exec "$root/usr/bin/redis-server" "\$@"
WRAPPER
chmod +x "$dest/redis-server"
echo "== check-redis7: $("$dest/redis-server" --version)"
CONFKIT_REDIS_SERVER="$(pwd)/$dest/redis-server" "$python" -m pytest tests -q -p no:cacheprovider \
  --ignore tests/test_report.py

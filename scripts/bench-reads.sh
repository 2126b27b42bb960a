#!/usr/bin/env bash
# Catalogue reads per second against the release server, in one run: a
# village page, a product page, a household page, a repeat read of the village with its ETag
# (304), the shop's hashed JavaScript and wasm, and the health check they are set
# against. wrk from Debian, 2 threads, 32 connections, brotli accepted.
# A measurement, not a test: the figures depend on the machine (client and
# server share its cores).
#   bash scripts/bench-reads.sh            8 s per read
#   SECONDS_EACH=20 bash scripts/bench-reads.sh
set -euo pipefail
cd "$(dirname "$0")/.."
each=${SECONDS_EACH:-8}

if ! command -v wrk >/dev/null; then
  echo "== bench-reads: installing wrk from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null ||
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
fi
if [ ! -x target/release/api ] || [ ! -f dist/index.html ]; then
  bash scripts/build.sh
fi

work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
STOREFRONT_ADDR="127.0.0.1:$port" STOREFRONT_DB="$work/bench.sqlite3" STOREFRONT_DIST=dist \
  RUST_LOG=warn target/release/api >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -fs "$base/api/health" >/dev/null && break
  sleep 0.2
done
curl -fs "$base/api/health" >/dev/null || { cat "$work/server.log"; exit 1; }

wasm=$(cd dist && ls storefront-*_bg.wasm | head -1)
js=$(cd dist && ls storefront-*.js | head -1)
product=$(curl -fs "$base/api/villages/liu" | sed -E 's/.*"products":\[\{"id":([0-9]+).*/\1/')
etag=$(curl -fsI -H 'Accept-Encoding: br' "$base/api/villages/liu" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')

# Requests per second and mean latency of one read.
rate() {
  local out
  out=$(wrk -t2 -c32 -d"${each}s" -H 'Accept-Encoding: br' "$@")
  if echo "$out" | grep -q 'Non-2xx'; then
    # 304s count as non-2xx for wrk; anything else is a failed bench.
    [[ "$*" == *If-None-Match* ]] || { echo "$out" >&2; exit 1; }
  fi
  printf '%s %s\n' "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1 == "Latency" {print $2}')"
}

read -r health health_lat < <(rate "$base/api/health")
printf '\n| read | req/s | mean latency | ratio to health |\n|---|---|---|---|\n'
row() {
  local name=$1 r lat
  shift
  read -r r lat < <(rate "$@")
  printf '| %s | %.0f | %s | %.2f |\n' "$name" "$r" "$lat" "$(awk -v a="$r" -v b="$health" 'BEGIN { print a / b }')"
}
printf '| %s | %.0f | %s | 1.00 |\n' '`/api/health`' "$health" "$health_lat"
row '`/api/villages/liu`' "$base/api/villages/liu"
row "\`/api/products/$product\`" "$base/api/products/$product"
row '`/api/households/1`' "$base/api/households/1"
row '`/api/villages/liu`, If-None-Match (304)' -H "If-None-Match: $etag" "$base/api/villages/liu"
# Sizes as sent, to set the assets against the JSON.
size() { curl -fs -H 'Accept-Encoding: br' "$@" | wc -c | awk '{ printf "%.1f KB", $1 / 1000 }'; }
row "\`/$js\` (hashed, $(size "$base/$js"))" "$base/$js"
row "\`/$wasm\` (hashed, $(size "$base/$wasm"))" "$base/$wasm"
echo "(the village answer is $(size "$base/api/villages/liu") brotli)"

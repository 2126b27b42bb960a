#!/usr/bin/env bash
# Sets everything up and starts the storefront with demo data at
# http://127.0.0.1:8080 (override with STOREFRONT_ADDR). The first start
# creates, migrates and seeds the SQLite file; later starts keep its data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
export STOREFRONT_DIST="${STOREFRONT_DIST:-dist}"
exec target/release/api

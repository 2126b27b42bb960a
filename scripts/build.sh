#!/usr/bin/env bash
# Builds the app (trunk, release, offline) into dist/ and the API server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release --offline
node scripts/precompress.mjs
cargo build --release -p api

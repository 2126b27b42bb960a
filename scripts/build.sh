#!/usr/bin/env bash
# Builds the app (trunk, release, offline) into dist/ and the API server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release --offline
# The organisers' workspace: a second bundle under /organise/ (see organise.html).
trunk build --release --offline=true --dist dist/organise --public-url /organise/ organise.html
node scripts/precompress.mjs
cargo build --release -p api

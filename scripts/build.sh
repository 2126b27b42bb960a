#!/usr/bin/env bash
# Builds the app (trunk, release, offline) into dist/ and the API server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Panic messages in the wasm name source files: name them without this
# machine's paths. This replaces the wasm flags of .cargo/config.toml for
# these builds, so it repeats them.
sysroot="$(rustc --print sysroot)"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$sysroot=/rust --remap-path-prefix=$PWD=/app"
# One wasm bundle per part of the app, so a phone downloads only the part it
# lands on (domain::bundle says which paths each serves). The shop's
# browsing bundle goes first: trunk empties dist/ for it.
trunk build --release --offline
trunk build --release --offline=true --dist dist/app/account --public-url /app/account/ account.html
trunk build --release --offline=true --dist dist/app/visit --public-url /app/visit/ visit.html
trunk build --release --offline=true --dist dist/organise --public-url /organise/ organise.html
trunk build --release --offline=true --dist dist/organise/app/products --public-url /organise/app/products/ organise-products.html
trunk build --release --offline=true --dist dist/organise/app/rounds --public-url /organise/app/rounds/ organise-rounds.html
node scripts/minify-js.mjs
node scripts/precompress.mjs
cargo build --release -p api

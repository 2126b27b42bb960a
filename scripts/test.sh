#!/usr/bin/env bash
# Sets everything up and runs every test: domain and app logic unit tests,
# API tests against the running server, and browser tests in headless
# Chromium against the release build served by the real API.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# One-off builds gain nothing from incremental caches, which cost gigabytes.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

echo "== unit and API tests"
# Library unit tests, integration tests, and the examples compiled. The
# binaries only mount the app or run the server and hold no tests; their
# native test builds (about 25 s) and empty doc-test runs are skipped.
cargo test --workspace --lib --test '*' --examples

echo "== release build"
scripts/build.sh

echo "== browser tests"
node --test --test-concurrency=1 tests/*.test.mjs

#!/usr/bin/env bash
# Installs every tool the build and tests need, pinned, skipping what is
# already there at the right version. Safe to run again.
#   scripts/setup.sh            tools to build and run the storefront
#   scripts/setup.sh --browser  also Chromium for the browser tests
# Nothing is downloaded from GitHub: cargo, npm and apt registries only.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)

log() { printf '\n== setup: %s\n' "$*"; }
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (about 12 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Without --locked: its lock file names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# binaryen's wasm-opt and playwright-core, pinned in package-lock.json.
# A stamp of the lock file tells whether node_modules is current.
stamp=node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
# Debian's wasm-opt (108) breaks the app at load time; ours must come first.
case "$(command -v wasm-opt)" in
  "$PWD/node_modules/.bin/wasm-opt") ;;
  *) echo "setup: wasm-opt on PATH is not the pinned npm binaryen" >&2; exit 1 ;;
esac

if [ "${1:-}" = "--browser" ]; then
  # The browser tests set up situations in the test database with Python's
  # sqlite3 module.
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  fi
fi
log "tools ready"

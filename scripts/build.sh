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
# lands on. Per line: the URL its files are served under (also its folder
# in dist/), its entry page and its binary in src/, as domain::bundle names
# them (a test there checks this list). The shop's browsing bundle goes
# first: trunk empties dist/ for it.
bundles='
/                        index.html              storefront
/app/account/            account.html            account
/app/visit/              visit.html              visit
/organise/               organise.html           organise
/organise/app/products/  organise-products.html  organise_products
/organise/app/rounds/    organise-rounds.html    organise_rounds
/organise/app/village/   organise-village.html   organise_village
'

# Writes a bundle's entry page (git-ignored) from html/page.html. Pages
# under /organise/ are the organisers' workspace, used online: their own
# title and no service worker (the shop's leaves /organise alone), but for
# the rounds bundle, whose pickup page must work with no signal. The root
# page copies the files served at the root; the others add the CSS of their
# pages.
entry_page() {
  local url=$1 page=$2 bin=$3 title links sw html
  if [[ $url == /organise/app/rounds/ ]]; then
    # Rounds and packing, whose pickup page works with no signal (sw.js).
    title='组织者 · 乡邻直供 · Organisers'
    sw=$'    <link data-trunk rel="inline" href="public/register-sw.js" />\n'
  elif [[ $url == /organise/* ]]; then
    title='组织者 · 乡邻直供 · Organisers'
    sw=''
  else
    title='乡邻直供 · Village to Neighbour'
    sw=$'    <link data-trunk rel="inline" href="public/register-sw.js" />\n'
  fi
  if [[ $url == / ]]; then
    links=$'    <link data-trunk rel="copy-file" href="public/favicon.svg" />\n'
    links+=$'    <link data-trunk rel="copy-file" href="public/sw.js" />\n'
    for f in manifest.webmanifest icon-192.png icon-512.png apple-touch-icon.png; do
      links+="    <link data-trunk rel=\"copy-file\" href=\"public/$f\" />"$'\n'
    done
  else
    links=$'    <link data-trunk rel="css" href="style/pages.css" />\n'
  fi
  html=$(<html/page.html)$'\n'
  html=${html//@TITLE@/"$title"}
  html=${html//@BIN@/"$bin"}
  html=${html//$'@LINKS@\n'/"$links"}
  html=${html//$'@SERVICE_WORKER@\n'/"$sw"}
  printf '%s' "$html" >"$page"
}

while read -r url page bin; do
  [ -n "$url" ] || continue
  entry_page "$url" "$page" "$bin"
  trunk build --release --offline=true --dist "dist$url" --public-url "$url" "$page" </dev/null
done <<<"$bundles"
node scripts/minify-js.mjs
node scripts/defer-app.mjs
node scripts/precompress.mjs
cargo build --release -p api

#!/usr/bin/env bash
# Screenshots of every page at 390×844 in both languages into tests/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
# Without a CJK font, Chinese renders as boxes in the screenshots.
if ! fc-list 2>/dev/null | grep -qi "CJK"; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk
fi
[ -f dist/index.html ] && [ -x target/release/api ] || scripts/build.sh
node tests/support/screenshots.mjs

#!/usr/bin/env bash
# Launches the studio. The first time (no build/bin/atelier yet) it does all the set-up: Debian
# packages, configure, build; after that it starts the built studio at once (about a second).
# --rebuild builds again first (after pulling new sources). Other arguments go to atelier.
#
#   scripts/studio.sh [--rebuild] [--model DIR|FILE] [--data-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rebuild=0
args=()
for a in "$@"; do
  if [ "$a" = "--rebuild" ]; then rebuild=1; else args+=("$a"); fi
done
if [ $rebuild -eq 1 ] || [ ! -x build/bin/atelier ] || [ ! -x build/bin/atelier-train ]; then
  ./scripts/install-deps.sh
  [ -f build/CMakeCache.txt ] || cmake --preset default
  cmake --build --preset default
fi
exec build/bin/atelier "${args[@]}"

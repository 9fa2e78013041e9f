#!/usr/bin/env bash
# Saves PNGs of the studio's pages to docs/screenshots/ in a real X window (Xvfb), after a real
# conversation with the stories260K fixture. Run after building: cmake --build --preset default
# With the multimodal quickstart's output (scripts/multimodal-quickstart.sh OUT), pass
# ATELIER_SCREENSHOT_QUICKSTART=OUT: chat-media.png then shows its bundle answering about a demo
# picture, a recording and a video (needs OUT/data; `atelier-cli demo-data --out OUT/data --count 600
# --seed 1` remakes it).
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="${ATELIER_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
xvfb-run -a -s "-screen 0 1400x900x24 -dpi 96" \
  build/bin/atelier_screenshots --fixtures "$fixtures" --out docs/screenshots \
  ${ATELIER_SCREENSHOT_QUICKSTART:+--bundle "$ATELIER_SCREENSHOT_QUICKSTART/bundle" --demo "$ATELIER_SCREENSHOT_QUICKSTART/data"}

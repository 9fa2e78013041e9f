#!/usr/bin/env bash
# Renders the application icon (resources/icons/atelier.svg) into the hicolor PNG sizes the
# packages install (resources/icons/hicolor/atelier-N.png). Run after editing the SVG; needs
# rsvg-convert (Debian's librsvg2-bin, installed by scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p resources/icons/hicolor
for n in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$n" -h "$n" resources/icons/atelier.svg -o "resources/icons/hicolor/atelier-$n.png"
done
echo "render-icons: resources/icons/hicolor/atelier-{16..512}.png"

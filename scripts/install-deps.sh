#!/usr/bin/env bash
# Installs every build, test and run dependency of Atelier from Debian 12's own packages.
# Idempotent: running it again installs nothing new. Needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ccache clang-format libgtest-dev python3
  # Qt 6: widgets, charts (needs libqt6opengl6-dev, only a Recommends of qt6-base-dev), multimedia, translations
  qt6-base-dev qt6-charts-dev qt6-multimedia-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  # (qt6-svg-dev, not the virtual libqt6svg6-dev it provides: dpkg-query never reports a virtual
  # package installed, so naming it made every run call apt)
  libqt6opengl6-dev qt6-svg-dev qt6-translations-l10n libxkbcommon-dev
  # LibTorch (CPU) and a fast BLAS: without libopenblas0-openmp LibTorch falls back to reference BLAS (~40x slower)
  libtorch-dev libopenblas0-openmp
  # the headers of Gloo, which LibTorch's c10d collectives include (data-parallel training)
  libgloo-dev
  # media, and sound capture (PortAudio; ALSA to quiet its messages)
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg portaudio19-dev libasound2-dev
  # tokenizers, storage, JSON, regex
  libsentencepiece-dev sentencepiece libsqlite3-dev nlohmann-json3-dev libpcre2-dev
  # GUI tests and screenshots (a CJK font so the Chinese UI renders)
  xvfb xauth imagemagick fonts-dejavu-core fonts-wqy-microhei
  # installers: packages, their checks (desktop entry, AppStream), the clean-root install test, RPM
  dpkg-dev fakeroot file desktop-file-utils appstream debootstrap rpm librsvg2-bin
  # fuzzing and sanitizers (scripts/fuzz.sh: clang's libFuzzer; scripts/asan.sh uses gcc's)
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

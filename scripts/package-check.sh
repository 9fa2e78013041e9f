#!/usr/bin/env bash
# Builds Atelier's packages and proves the .deb on a clean Debian 12 (issue 13):
#   1. cpack: DEB, TGZ and RPM from build/ (configured and built first when needed);
#   2. the metadata: desktop-file-validate, appstreamcli validate, the Depends dpkg-shlibdeps computed;
#   3. a clean bookworm root (debootstrap --variant=minbase, kept as a tarball between runs) where
#      apt installs the .deb with its dependencies, then: the three binaries' --version,
#      `atelier-cli generate` on the reference model (must print the reference text), `atelier`
#      started offscreen (must keep running and create its database), the desktop file, icon and
#      man pages in place; then `apt-get purge` + `autoremove` and no file of the package left;
#   4. the TGZ unpacked into a folder with a space in its name runs from there (relocatable);
#   5. the RPM's metadata (name, version, requirements; rpm is not installed on Debian).
# Needs root (debootstrap, chroot) and Debian's archive. Writes build/package-check.log.
#
#   scripts/package-check.sh [BUILD_DIR]      (default build; ATELIER_FIXTURES for the model)
set -euo pipefail

cd "$(dirname "$0")/.."
src=$(pwd)
build=${1:-build}
fixtures=${ATELIER_FIXTURES:-$src/../shared/fixtures}
cache=${ATELIER_PKG_CACHE:-/var/tmp/atelier-pkg}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
log=$src/$build/package-check.log
root=$cache/root

[ "$(id -u)" -eq 0 ] || { echo "package-check: needs root (debootstrap and chroot)"; exit 2; }
[ -f "$fixtures/stories260K/reference.json" ] || { echo "package-check: no fixtures at $fixtures"; exit 2; }
for tool in debootstrap desktop-file-validate appstreamcli dpkg-deb; do
  command -v $tool >/dev/null || { echo "package-check: $tool missing (run scripts/install-deps.sh)"; exit 2; }
done
mkdir -p "$cache" "$src/$build"
: > "$log"
say() { echo "package-check: $*" | tee -a "$log"; }
fail() { say "FAILED: $*"; exit 1; }
run() { "$@" >> "$log" 2>&1; }

cleanup() {
  for m in proc dev/pts dev sys; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true
  done
}
trap cleanup EXIT

# --- 1. packages ---------------------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then run cmake --preset default; fi
run cmake --build "$build" -j2 --target atelier atelier-cli atelier-train
rm -f "$build"/atelier*.deb "$build"/atelier*.rpm "$build"/atelier*.tar.gz
(cd "$build" && cpack >> "$log" 2>&1) || fail "cpack (see $log)"
deb=$(ls "$build"/atelier_*_amd64.deb)
tgz=$(ls "$build"/atelier-*-Linux.tar.gz)
rpm=$(ls "$build"/atelier-*.rpm 2>/dev/null || true)
version=$(dpkg-deb -f "$deb" Version)
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), $(basename "$tgz")${rpm:+, $(basename "$rpm")}"

# --- 2. metadata ---------------------------------------------------------------------------------
meta=$(mktemp -d)
dpkg-deb -x "$deb" "$meta"
desktop-file-validate "$meta/usr/share/applications/org.atelierstudio.Atelier.desktop" >> "$log" 2>&1 ||
  fail "desktop-file-validate"
appstreamcli validate --no-net "$meta/usr/share/metainfo/org.atelierstudio.Atelier.metainfo.xml" >> "$log" 2>&1 ||
  fail "appstreamcli validate"
say "desktop entry and AppStream metainfo validate"
depends=$(dpkg-deb -f "$deb" Depends)
for need in libopenblas0-openmp libqt6svg6 libtorch1.13 libqt6widgets6 libavcodec59 libportaudio2; do
  [[ "$depends" == *"$need"* ]] || fail "Depends lacks $need: $depends"
done
say "Depends: $depends"
rm -rf "$meta"

# --- 3. a clean Debian 12 root -------------------------------------------------------------------
cleanup
rm -rf "$root"
if [ -f "$cache/bookworm-minbase.tar" ]; then
  mkdir -p "$root" && tar -C "$root" -xf "$cache/bookworm-minbase.tar"
  say "clean root: bookworm minbase (cached $cache/bookworm-minbase.tar)"
else
  run debootstrap --variant=minbase bookworm "$root" "$mirror" || fail "debootstrap (see $log)"
  tar -C "$root" -cf "$cache/bookworm-minbase.tar" .
  say "clean root: bookworm minbase from $mirror"
fi
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t sysfs sys "$root/sys"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

find "$root" -xdev -path "$root/proc" -prune -o -path "$root/var/cache/apt" -prune -o \
  -path "$root/var/lib/apt" -prune -o -print 2>/dev/null | sed "s|^$root||" | sort > "$cache/before.txt"
in_root dpkg-query -W -f='${Package}\n' | sort > "$cache/base-packages.txt"
cp "$deb" "$root/tmp/"
mkdir -p "$root/tmp/fixtures" && cp -r "$fixtures/stories260K" "$root/tmp/fixtures/"
in_root apt-get update -qq >> "$log" 2>&1 || fail "apt-get update in the clean root"
start=$(date +%s)
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/$(basename "$deb")" >> "$log" 2>&1 ||
  fail "apt-get install of the .deb in the clean root (see $log)"
pulled=$(in_root dpkg-query -W -f='${Package}\n' | wc -l)
say "apt installed $(basename "$deb") and its dependencies into the clean root in $(( $(date +%s) - start )) s ($pulled packages in the root)"

for bin in atelier-cli atelier-train; do
  got=$(in_root $bin --version) || fail "$bin --version"
  [ "$got" = "$bin $version" ] || fail "$bin --version printed '$got'"
done
got=$(in_root env QT_QPA_PLATFORM=offscreen atelier --version 2>/dev/null) || fail "atelier --version"
[ "$got" = "Atelier $version" ] || fail "atelier --version printed '$got'"
say "--version: atelier, atelier-cli, atelier-train $version"

prompt=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["greedy_from_prompt"]["prompt"])' \
  "$fixtures/stories260K/reference.json")
expected=$(python3 -c 'import json,sys;r=json.load(open(sys.argv[1]))["greedy_from_prompt"];print(r["prompt"]+r["output_text"])' \
  "$fixtures/stories260K/reference.json")
got=$(in_root atelier-cli generate --model /tmp/fixtures/stories260K/hf --prompt "$prompt" --temperature 0 \
  --max-new-tokens 196 2>> "$log") || fail "atelier-cli generate in the clean root"
[ "$got" = "$expected" ] || fail "atelier-cli generate printed another text: $got"
say "atelier-cli generate on stories260K reproduces the reference text in the clean root"

in_root mkdir -p /tmp/xdg /tmp/atelier-data
set +e
in_root env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp/xdg timeout 8 atelier \
  --data-dir /tmp/atelier-data --model /tmp/fixtures/stories260K/hf >> "$log" 2>&1
rc=$?
set -e
[ $rc -eq 124 ] || fail "atelier exited with $rc within 8 s instead of running (see $log)"
[ -s "$root/tmp/atelier-data/atelier.db" ] || fail "atelier did not create its database"
say "atelier starts offscreen in the clean root, opens the model and keeps running (stopped after 8 s)"

for f in /usr/share/applications/org.atelierstudio.Atelier.desktop /usr/share/metainfo/org.atelierstudio.Atelier.metainfo.xml \
         /usr/share/icons/hicolor/256x256/apps/org.atelierstudio.Atelier.png /usr/share/man/man1/atelier-cli.1.gz; do
  [ -f "$root$f" ] || fail "$f not installed"
done
in_root dpkg -L atelier > "$cache/files.txt"
say "installed $(wc -l < "$cache/files.txt") paths (desktop entry, metainfo, icons, man pages)"

in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq atelier >> "$log" 2>&1 || fail "apt-get purge atelier"
in_root env DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >> "$log" 2>&1 || fail "apt-get autoremove"
left=()
while read -r f; do
  [ -e "$root$f" ] || continue
  [ -d "$root$f" ] && grep -qx "$f" "$cache/before.txt" && continue  # a folder the base system has
  [ -d "$root$f" ] && [ -n "$(ls -A "$root$f")" ] && continue       # shared folder, still in use
  left+=("$f")
done < "$cache/files.txt"
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
in_root dpkg-query -W -f='${Package}\n' | sort > "$cache/after-packages.txt"
remaining=$(wc -l < "$cache/after-packages.txt")
stray=$(comm -13 "$cache/base-packages.txt" "$cache/after-packages.txt" | tr '\n' ' ')
say "apt-get purge + autoremove: no file of the package left; $remaining packages remain (base system: $(wc -l < "$cache/base-packages.txt"))${stray:+; kept by apt as the base system apt recommends them: $stray}"
cleanup

# --- 4. the relocatable TGZ ----------------------------------------------------------------------
here=$(mktemp -d)/"some folder"
mkdir -p "$here" && tar -C "$here" -xzf "$tgz" --strip-components=1
got=$("$here/bin/atelier-cli" generate --model "$fixtures/stories260K/hf" --prompt "$prompt" --temperature 0 \
  --max-new-tokens 196 2>> "$log") || fail "TGZ atelier-cli generate"
[ "$got" = "$expected" ] || fail "TGZ atelier-cli generate printed another text"
[ -x "$here/bin/atelier-train" ] || fail "TGZ lacks atelier-train"
got=$(QT_QPA_PLATFORM=offscreen "$here/bin/atelier" --version 2>/dev/null)
[ "$got" = "Atelier $version" ] || fail "TGZ atelier --version printed '$got'"
say "TGZ: unpacked into '$here', its atelier-cli reproduces the reference text and atelier starts"
rm -rf "$(dirname "$here")"

# --- 5. RPM ----------------------------------------------------------------------------------------
if [ -n "$rpm" ]; then
  name=$(rpm -qp --qf '%{NAME} %{VERSION}' "$rpm" 2>/dev/null)
  requires=$(rpm -qpR "$rpm" 2>/dev/null | grep -c . || true)
  files=$(rpm -qpl "$rpm" 2>/dev/null | wc -l)
  [ "$name" = "atelier $version" ] || fail "RPM is '$name'"
  say "RPM: $name, $files files, $requires requirements (AutoReq from the binaries; not installed here)"
fi
say "all checks passed"

#!/usr/bin/env bash
# Installs every Debian package Meridian needs (packaging/debian-packages.txt).
# Idempotent: packages already installed are skipped, so a second run is quick.
# Runs as root, or through sudo when that works without a password prompt being
# impossible; otherwise it stops and says what to do.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list="${MERIDIAN_PACKAGES_FILE:-$here/debian-packages.txt}"   # override: tests of this script

die() { printf 'meridian setup: %s\n' "$*" >&2; exit 1; }

[ -r /etc/debian_version ] || die "this script needs Debian 12 (bookworm) or a derivative with apt; install the packages in $list by other means."
command -v apt-get >/dev/null || die "apt-get not found; install the packages in $list by hand."

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "meridian setup: all ${#wanted[@]} Debian packages already installed."
else
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  elif command -v sudo >/dev/null && [ -t 0 ]; then
    as_root=(sudo)   # interactive: sudo may ask for the password
  else
    die "need root to install ${#missing[@]} package(s) (${missing[*]}). Run this script as root, or give this user sudo, or ask an administrator to run: apt-get install ${missing[*]}"
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq || die "apt-get update failed; check the network and /etc/apt/sources.list, then run again."
  # Check that the archive has each package before installing, so the message names the culprit.
  absent=()
  for p in "${missing[@]}"; do
    apt-cache show "$p" >/dev/null 2>&1 || absent+=("$p")
  done
  [ "${#absent[@]}" -eq 0 ] || die "the Debian archive this machine uses has no package named: ${absent[*]}. Meridian targets Debian 12 (bookworm) with the 'main' component; enable it in /etc/apt/sources.list or install these by other means."
  echo "meridian setup: installing ${#missing[@]} package(s): ${missing[*]}"
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed (see above). Fix the archive or disk problem it names and run this script again."
fi

# LibTorch takes BLAS from the libblas.so.3 alternative: make sure it is OpenBLAS, not the
# reference BLAS (~35x slower for a ViT forward, measured).
blas=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || true)
case "$blas" in
  *openblas*) ;;
  *) echo "meridian setup: warning: libblas.so.3 points at '${blas:-nothing}', not OpenBLAS; run: update-alternatives --config libblas.so.3-x86_64-linux-gnu" >&2 ;;
esac
echo "meridian setup: done."

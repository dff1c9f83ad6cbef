#!/usr/bin/env bash
# Makes (or refreshes) a 64-bit Wine prefix that can run lightbox.exe:
#   bash tests/windows/wine-prefix.sh DIR
# Idempotent and quiet. Wine 8 (Debian 12) lacks bcryptprimitives.dll!ProcessPrng, which
# Rust's std needs at start-up; we build a stub from processprng.c into system32.
# Needs: wine (wine64), gcc-mingw-w64-x86-64.
set -euo pipefail
prefix=${1:?usage: wine-prefix.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
export WINEPREFIX=$prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono/Gecko installers (they would ask for a download).
export WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$prefix/system.reg" ]; then
  wineboot -i >/dev/null 2>&1 || true
  wineserver -w || true
fi
sys32=$prefix/drive_c/windows/system32
if [ ! -d "$sys32" ]; then
  echo "wine-prefix.sh: wineboot did not create $sys32" >&2
  exit 1
fi
dll=$sys32/bcryptprimitives.dll
if [ ! -f "$dll" ] || [ "$here/processprng.c" -nt "$dll" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -o "$dll.tmp" "$here/processprng.c" -ladvapi32
  mv "$dll.tmp" "$dll"
fi

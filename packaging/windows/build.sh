#!/usr/bin/env bash
# Builds the Windows packages on Linux (Debian 12), the one documented command:
#
#   bash packaging/windows/build.sh
#
# writes dist/lightbox-<version>-windows-x64.zip (portable) and
# dist/lightbox-<version>-windows-x64-setup.exe (per-user NSIS installer). What they
# hold and why: packaging/README.md. Installs what it needs when missing (apt packages
# gcc-mingw-w64-x86-64 nsis zip, the rustup target x86_64-pc-windows-gnu); needs no
# terminal (CI=true, no stdin). The cross target dir lives outside the clone
# ($LIGHTBOX_WINDOWS_TARGET_DIR, default /var/cache/lightbox-ci/target-windows) so that
# every build on this machine reuses it: clean 12+ min on 2 cores, incremental minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
here=$repo/packaging/windows
triple=x86_64-pc-windows-gnu
target_dir=${LIGHTBOX_WINDOWS_TARGET_DIR:-/var/cache/lightbox-ci/target-windows}
started=$SECONDS
say() { echo "build.sh: $*"; }

# --- what the build needs -----------------------------------------------------------
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64)
command -v makensis >/dev/null 2>&1 || missing+=(nsis)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq </dev/null
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
rustup target list --installed 2>/dev/null | grep -qx "$triple" || rustup target add "$triple"

version=$(cargo metadata --locked --no-deps --format-version 1 |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["packages"][0]["version"])')
name=lightbox-$version-windows-x64

# --- the exe ---------------------------------------------------------------------------
say "cross-building lightbox.exe $version (release, $triple, target dir $target_dir)"
step=$SECONDS
cargo build --locked --release --target "$triple" --target-dir "$target_dir" </dev/null
exe=$target_dir/$triple/release/lightbox.exe
say "cargo build: $((SECONDS - step)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/$name
mkdir -p "$stage"

# Stripped copy (cargo's exe stays as it is for the Wine tests). build.rs has embedded the
# icon and version resource; strip keeps .rsrc.
x86_64-w64-mingw32-strip -o "$stage/lightbox.exe" "$exe"
if ! x86_64-w64-mingw32-objdump -h "$stage/lightbox.exe" | grep -q '\.rsrc'; then
  echo "build.sh: lightbox.exe has no resource section (icon, version): did build.rs run windres?" >&2
  exit 1
fi
if [ "$(python3 "$here/pe_subsystem.py" "$stage/lightbox.exe")" != gui ]; then
  echo "build.sh: lightbox.exe is not a GUI-subsystem exe (app/main.rs windows_subsystem)" >&2
  exit 1
fi

# --- the files beside it ---------------------------------------------------------------
# Tracked files only (git ls-files) so nothing a review wrote into the sample ships:
# never sample-data/lightbox/ (project stores) or sample-data/TAKEOUT/ (keep-lists).
shipped() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -- assets sample-data
  else
    find assets sample-data -type f
  fi | grep -Ev '^sample-data/(lightbox|TAKEOUT)/' || true
}
shipped | tar -cf - -T - | tar -xf - -C "$stage"
cp README.md "$stage/README.md"
cp "$here/README-Windows.txt" "$stage/README-Windows.txt"
cargo metadata --locked --format-version 1 --filter-platform "$triple" >"$work/metadata.json"
python3 "$here/third_party_licenses.py" "$work/metadata.json" "$stage/THIRD-PARTY-LICENSES.txt" "$repo"

# The installer's file lists, before the twin below: the setup carries the exe once and
# makes lightbox.com at install time (lightbox.nsi), which halves what LZMA compresses.
python3 "$here/nsis_file_lists.py" "$stage" "$work/install.nsh" "$work/uninstall.nsh"
subsystem_offset=$(python3 "$here/pe_subsystem.py" "$stage/lightbox.exe" offset)
# The console twin: cmd and PowerShell run lightbox.com before lightbox.exe when the user
# types `lightbox`, wait for it and keep its output and exit code (packaging/README.md).
cp "$stage/lightbox.exe" "$stage/lightbox.com"
python3 "$here/pe_subsystem.py" "$stage/lightbox.com" console

# --- the zip and the installer -----------------------------------------------------------
mkdir -p dist
zip_path=dist/$name.zip
setup_path=dist/$name-setup.exe
rm -f "$zip_path" "$setup_path"
step=$SECONDS
(cd "$work" && zip -q -r -9 -X "$repo/$zip_path" "$name")
say "zip: $((SECONDS - step)) s"

step=$SECONDS
(cd "$stage" && makensis -V2 -NOCD \
  "-DVERSION=$version" \
  "-DSUBSYSTEM_OFFSET=$subsystem_offset" \
  "-DOUTFILE=$repo/$setup_path" \
  "-DFILES=$work/install.nsh" \
  "-DUNFILES=$work/uninstall.nsh" \
  "-DICON=$repo/assets/icons/lightbox.ico" \
  "$here/lightbox.nsi" </dev/null)
say "installer: $((SECONDS - step)) s"

size() { stat -c %s "$1" | awk '{ printf "%.1f MB (%d bytes)", $1 / 1e6, $1 }'; }
say "lightbox.exe (stripped): $(size "$stage/lightbox.exe")"
say "$zip_path: $(size "$zip_path")"
say "$setup_path: $(size "$setup_path")"
say "done in $((SECONDS - started)) s"

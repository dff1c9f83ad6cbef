#!/usr/bin/env bash
# Checks the Windows packages that build.sh wrote into dist/, under Wine, as a site admin
# would use them (CI runs it after build.sh):
#
#   bash packaging/windows/check.sh
#
# 1. In a FRESH Wine prefix, installs the setup silently (/S) and checks the installed
#    files (byte-identical to the zip's), the exes' subsystems and version resource, the
#    Start-menu shortcut and the registry keys.
# 2. Runs the installed lightbox.exe and lightbox.com: `index` on the installed sample
#    (counts checked against the sample's folders), output redirected, exit code 2 on an
#    error; and a review of the installed sample, which writes into the sample's folder.
# 3. Puts a project store under %APPDATA%\Lightbox\projects, uninstalls silently, and
#    checks that every installed file, the shortcut and every key are gone while the
#    project store, the index cache and the review inside the sample are still there.
# 4. Unzips the portable zip into a folder with a space in its name and runs its exe the
#    same way.
# Prints one line per check; exits 1 at the end if any failed, naming each failure.
# Needs: wine (64-bit), mingw-w64 (the prefix's ProcessPrng stub, objdump), python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
here=$repo/packaging/windows
started=$SECONDS

version=$(cargo metadata --locked --no-deps --format-version 1 |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["packages"][0]["version"])')
name=lightbox-$version-windows-x64
setup=$repo/dist/$name-setup.exe
zip=$repo/dist/$name.zip
for file in "$setup" "$zip"; do
  [ -f "$file" ] || { echo "check.sh: FAIL: $file is missing: run packaging/windows/build.sh first" >&2; exit 1; }
done
command -v wine >/dev/null 2>&1 || { echo "check.sh: FAIL: wine is not installed" >&2; exit 1; }

work=$(mktemp -d)
prefix=$work/prefix
cleanup() {
  WINEPREFIX=$prefix wineserver -k >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

failures=()
ok() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*"; failures+=("$*"); }
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi
}

echo "== fresh Wine prefix"
bash tests/windows/wine-prefix.sh "$prefix"
export WINEPREFIX=$prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono/Gecko downloads; no Linux desktop entries for the shortcut (winemenubuilder).
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
winenv() { wine cmd /c echo "%$1%" </dev/null 2>/dev/null | tr -d '\r'; }
unix_path() { winepath -u "$1" 2>/dev/null | tr -d '\r'; }
appdata_win=$(winenv APPDATA)
localappdata_win=$(winenv LOCALAPPDATA)
install_win="$localappdata_win\\Programs\\Lightbox"
install=$(unix_path "$install_win")
shortcut=$(unix_path "$appdata_win\\Microsoft\\Windows\\Start Menu\\Programs\\Lightbox.lnk")
projects=$(unix_path "$appdata_win\\Lightbox\\projects")
cache=$(unix_path "$localappdata_win\\lightbox")
echo "  install folder: $install_win"

verb_key='HKCU\Software\Classes\Directory\shell\Lightbox'
uninstall_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Lightbox'
reg_value() { # reg_value KEY VALUE|"": the value's data, or nothing
  local args=(/v "$2")
  [ -n "$2" ] || args=(/ve)
  wine reg query "$1" "${args[@]}" </dev/null 2>/dev/null | tr -d '\r' |
    sed -n 's/^ *[^ ].*REG_[A-Z_]* *//p' | head -1
}
expect_value() { # expect_value KEY VALUE EXPECTED
  local got
  got=$(reg_value "$1" "$2")
  if [ "$got" = "$3" ]; then ok "registry $1 ${2:-(default)} = $got"; else
    fail "registry $1 ${2:-(default)}: expected '$3', got '$got'"; fi
}

# The zip's files, the reference for what the installer must install.
portable_parent="$work/portable copy"
mkdir -p "$portable_parent"
python3 -m zipfile -e "$zip" "$portable_parent"
portable=$portable_parent/$name
mapfile -t packaged < <(cd "$portable" && find . -type f -printf '%P\n' | sort)
echo "  the zip holds ${#packaged[@]} files"

# index_check LABEL EXE SAMPLE_WIN SAMPLE_UNIX: index --json and text through EXE, checked
# against the sample's own layout (IMAGE/<release>/ST*/SE*/ folders, files under IMAGE/).
index_check() {
  local label=$1 exe=$2 sample_win=$3 sample=$4 out=$work/out.txt err=$work/err.txt rc=0
  local studies series files
  studies=$(find "$sample"/IMAGE/*/ -mindepth 1 -maxdepth 1 -type d -name 'ST*' | wc -l)
  series=$(find "$sample"/IMAGE/*/ -mindepth 2 -maxdepth 2 -type d -name 'SE*' | wc -l)
  files=$(find "$sample/IMAGE" -type f | wc -l)
  wine "$exe" index "$sample_win" --json --no-cache </dev/null >"$out" 2>"$err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "$label index --json exited $rc: $(head -c 300 "$err")"
    return
  fi
  local counts
  counts=$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["counts"]
print(c["studies"], c["series"], c["files_scanned"])' "$out" 2>&1) || counts="unreadable: $counts"
  if [ "$counts" = "$studies $series $files" ]; then
    ok "$label index --json: $studies studies, $series series, $files files scanned (as the sample's folders)"
  else
    fail "$label index --json: studies/series/files '$counts', the sample has '$studies $series $files'"
  fi
  rc=0
  wine "$exe" index "$sample_win" </dev/null >"$out" 2>"$err" || rc=$?
  local text_studies
  text_studies=$(grep -c '^  Study ' "$out" || true)
  if [ "$rc" -eq 0 ] && grep -q '^Release ' "$out" && [ "$text_studies" -eq "$studies" ]; then
    ok "$label index (text, redirected to a file): $(head -1 "$out" | cut -c1-60)…, $text_studies studies"
  else
    fail "$label index (text): exit $rc, $text_studies study lines, output starts: $(head -c 200 "$out")"
  fi
}

# error_check LABEL EXE: a missing folder is an error on stderr with exit code 2.
error_check() {
  local label=$1 exe=$2 rc=0
  wine "$exe" index 'C:\no such folder' </dev/null >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  if [ "$rc" -eq 2 ] && grep -q '^error: ' "$work/err.txt"; then
    ok "$label index on a missing folder: exit 2, stderr '$(head -1 "$work/err.txt" | cut -c1-70)'"
  else
    fail "$label index on a missing folder: exit $rc (expected 2), stderr '$(head -c 200 "$work/err.txt")'"
  fi
}

echo "== silent install: $(basename "$setup") /S"
rc=0
wine "$setup" /S </dev/null >/dev/null 2>&1 || rc=$?
wineserver -w
if [ "$rc" -eq 0 ]; then ok "setup /S exited 0"; else fail "setup /S exited $rc"; fi

missing=0
different=0
for file in "${packaged[@]}"; do
  if [ ! -f "$install/$file" ]; then
    missing=$((missing + 1))
    [ "$missing" -le 5 ] && echo "    not installed: $file"
  elif ! cmp -s "$portable/$file" "$install/$file"; then
    different=$((different + 1))
    [ "$different" -le 5 ] && echo "    differs from the zip: $file"
  fi
done
if [ "$missing" -eq 0 ] && [ "$different" -eq 0 ]; then
  ok "all ${#packaged[@]} files of the zip installed, byte-identical, in $install_win"
else
  fail "installed files: $missing missing, $different different from the zip"
fi
check "uninstall.exe installed" test -f "$install/uninstall.exe"
extra=$(cd "$install" && find . -type f -printf '%P\n' | sort | comm -23 - <(printf '%s\n' "${packaged[@]}" uninstall.exe))
if [ -z "$extra" ]; then ok "nothing else installed"; else fail "unexpected installed files: $extra"; fi
check "sample-data/lightbox/ and TAKEOUT/ not shipped" \
  test ! -e "$install/sample-data/lightbox" -a ! -e "$install/sample-data/TAKEOUT"
for f in lightbox.exe lightbox.com; do
  [ -f "$install/$f" ] || continue
  subsystem=$(python3 "$here/pe_subsystem.py" "$install/$f")
  expected=gui
  [ "$f" = lightbox.exe ] || expected=console
  if [ "$subsystem" = "$expected" ]; then ok "$f: $subsystem subsystem"; else
    fail "$f: $subsystem subsystem, expected $expected"; fi
done
# (Captured first: with pipefail, `strings | grep -q` fails when grep stops reading early.)
exe_strings=$(strings -a -el "$install/lightbox.exe" 2>/dev/null || true)
if grep -qx "$version" <<<"$exe_strings" && grep -qx 'ProductName' <<<"$exe_strings" &&
  grep -qx 'Lightbox' <<<"$exe_strings" && grep -qx 'VS_VERSION_INFO' <<<"$exe_strings"; then
  ok "lightbox.exe has a version resource (VS_VERSION_INFO, ProductName Lightbox, version $version)"
else
  fail "lightbox.exe has no version resource with ProductName Lightbox and version $version"
fi
if x86_64-w64-mingw32-objdump -h "$install/lightbox.exe" 2>/dev/null | grep -q '\.rsrc'; then
  ok "lightbox.exe has a resource section (.rsrc: icon and version)"
else
  fail "lightbox.exe has no .rsrc section"
fi
link_text=$( { strings -a -el "$shortcut"; strings -a "$shortcut"; } 2>/dev/null || true)
if [ -f "$shortcut" ] && grep -qiF "$install_win\\lightbox.exe" <<<"$link_text"; then
  ok "Start-menu shortcut to lightbox.exe: $appdata_win\\Microsoft\\Windows\\Start Menu\\Programs\\Lightbox.lnk"
else
  fail "no Start-menu shortcut to lightbox.exe at $shortcut"
fi
expect_value "$verb_key" "" "Open with Lightbox"
expect_value "$verb_key\\command" "" "\"$install_win\\lightbox.exe\" \"%1\""
expect_value "$uninstall_key" DisplayName Lightbox
expect_value "$uninstall_key" DisplayVersion "$version"
expect_value "$uninstall_key" InstallLocation "$install_win"
expect_value "$uninstall_key" UninstallString "\"$install_win\\uninstall.exe\""
expect_value "$uninstall_key" QuietUninstallString "\"$install_win\\uninstall.exe\" /S"

echo "== the installed exe on the installed sample"
index_check "installed lightbox.exe" "$install/lightbox.exe" "$install_win\\sample-data" "$install/sample-data"
index_check "installed lightbox.com" "$install/lightbox.com" "$install_win\\sample-data" "$install/sample-data"
error_check "installed lightbox.exe" "$install/lightbox.exe"
error_check "installed lightbox.com" "$install/lightbox.com"
# Fill the cache (index without --no-cache) and review the installed sample: the review's
# project store goes into the sample's own lightbox/ folder, which is user data.
wine "$install/lightbox.com" index "$install_win\\sample-data" </dev/null >/dev/null 2>&1 || true
study=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["studies"][0]["study_uid"])' \
  <(wine "$install/lightbox.com" index "$install_win\\sample-data" --json </dev/null 2>/dev/null) 2>/dev/null || true)
rc=0
if [ -n "$study" ]; then
  wine "$install/lightbox.com" decide "$install_win\\sample-data" --set study "$study" keep \
    --reviewer check </dev/null >/dev/null 2>"$work/err.txt" || rc=$?
fi
review=$(find "$install/sample-data/lightbox" -name '*.lightbox.sqlite' 2>/dev/null | head -1)
if [ -n "$study" ] && [ "$rc" -eq 0 ] && [ -n "$review" ]; then
  ok "decide on the installed sample wrote its review: sample-data\\lightbox\\$(basename "$review")"
else
  fail "decide on the installed sample (study '$study'): exit $rc, no store in sample-data/lightbox: $(head -c 200 "$work/err.txt")"
fi
mkdir -p "$projects"
echo "a user's project store" >"$projects/keep-me.lightbox.sqlite"
ok "made a project store: $appdata_win\\Lightbox\\projects\\keep-me.lightbox.sqlite"
if [ -d "$cache" ] && [ -n "$(ls -A "$cache")" ]; then ok "the index cache is in $localappdata_win\\lightbox"; else
  fail "no index cache in $cache"; fi

echo "== silent uninstall: uninstall.exe /S"
rc=0
wine "$install/uninstall.exe" /S </dev/null >/dev/null 2>&1 || rc=$?
# The uninstaller copies itself to %TEMP% and returns at once; wait for that copy.
wineserver -w
if [ "$rc" -eq 0 ]; then ok "uninstall.exe /S exited 0"; else fail "uninstall.exe /S exited $rc"; fi
left=0
for file in "${packaged[@]}" uninstall.exe; do
  if [ -e "$install/$file" ]; then
    left=$((left + 1))
    [ "$left" -le 5 ] && echo "    still there: $file"
  fi
done
if [ "$left" -eq 0 ]; then ok "every installed file removed"; else fail "$left installed files left after uninstall"; fi
check "Start-menu shortcut removed" test ! -e "$shortcut"
for key in "$verb_key" "$uninstall_key"; do
  if wine reg query "$key" </dev/null >/dev/null 2>&1; then fail "registry key left: $key"; else
    ok "registry key removed: $key"; fi
done
check "the project store is still there" test -f "$projects/keep-me.lightbox.sqlite"
check "the index cache is still there" test -d "$cache"
if [ -n "$review" ]; then
  check "the review inside the installed sample is still there" test -f "$review"
  remaining=$(cd "$install" && find . -type f -printf '%P\n' | grep -v '^sample-data/lightbox/' || true)
  if [ -z "$remaining" ]; then ok "only the user's review is left in the install folder"; else
    fail "left in the install folder besides the review: $remaining"; fi
fi

echo "== the portable zip, unzipped into '$portable_parent'"
portable_win=$(winepath -w "$portable" 2>/dev/null | tr -d '\r')
index_check "zip lightbox.exe" "$portable/lightbox.exe" "$portable_win\\sample-data" "$portable/sample-data"
index_check "zip lightbox.com" "$portable/lightbox.com" "$portable_win\\sample-data" "$portable/sample-data"
error_check "zip lightbox.com" "$portable/lightbox.com"
for f in README.md README-Windows.txt THIRD-PARTY-LICENSES.txt assets/fonts/OFL.txt assets/icd10cm/README.md; do
  check "the zip has $f" test -s "$portable/$f"
done
if grep -q 'SIL OPEN FONT LICENSE' "$portable/THIRD-PARTY-LICENSES.txt" &&
  grep -q 'ICD-10-CM' "$portable/THIRD-PARTY-LICENSES.txt" &&
  grep -q '^egui ' "$portable/THIRD-PARTY-LICENSES.txt"; then
  ok "THIRD-PARTY-LICENSES.txt covers the font, the ICD tables and the crates"
else
  fail "THIRD-PARTY-LICENSES.txt lacks the font, ICD or crate sections"
fi

echo "== $(( ${#failures[@]} )) failure(s), $((SECONDS - started)) s"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'check.sh: FAIL: %s\n' "${failures[@]}" >&2
  exit 1
fi

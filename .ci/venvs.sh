#!/usr/bin/env bash
# Makes the tests' Python reference venvs (tests/venvs.txt) before `cargo test` needs
# them. `.ci/run` starts it in the background so the downloads (about 9 GB, MONAI's
# torch most of it) overlap the build instead of adding to the tests' time. It does what
# tests/common/python.rs does on first use, under the same lock file and with the same
# stamp (the pins, one a line), so a test finds the venv ready, or waits for it.
set -euo pipefail
cd "$(dirname "$0")/.."

# The pins of requirement files under tests/: trimmed, without comments and blank lines.
pins() {
  for file in "$@"; do
    sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "tests/$file"
  done | grep -v -e '^$' -e '^#'
}

# prepare NAME POLICY FILE...: the venv made and filled unless its stamp says it is.
prepare() {
  local name=$1 policy=$2
  shift 2
  local var="LIGHTBOX_${name^^}_VENV"
  local venv=${!var:-target/$name-venv}
  local stamp=$venv/lightbox-$name-requirements.txt
  local wanted
  wanted=$(pins "$@")
  mkdir -p "$(dirname "$venv")"
  (
    flock 9
    if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
      echo "venvs: $name is ready"
      exit 0
    fi
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    local started=$SECONDS
    mapfile -t requirements <<<"$wanted"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      "$policy" "${requirements[@]}"
    printf '%s' "$wanted" >"$stamp"
    echo "venvs: $name made in $((SECONDS - started)) s"
  ) 9>"$venv.lock"
}

while read -r name policy files; do
  case $name in '' | '#'*) continue ;; esac
  # shellcheck disable=SC2086 # the files are separate words
  prepare "$name" "$policy" $files
done <tests/venvs.txt

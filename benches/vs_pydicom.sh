#!/usr/bin/env bash
# Scan and decode speed next to pydicom, on the same files, in the same run.
# Prints files/second and the ratio. Usage: bash benches/vs_pydicom.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-target/bench-data}
venv=target/bench-venv
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pydicom==3.0.1 numpy
fi
cargo build --release --quiet
cargo bench --bench scan_decode --no-run --quiet 2>/dev/null
bench=$(ls -t target/release/deps/scan_decode-* | grep -v '\.d$' | head -1)
lb=target/release/lightbox

[ -d "$work/scan" ] || $lb synth --out "$work/scan" --studies 50 --slices 110 --size 64
[ -d "$work/ct300" ] || $lb synth --out "$work/ct300" --studies 1 --slices 300 --size 512

py_scan='
import sys, os, time, pydicom
files = [os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith(".dcm")]
t = time.perf_counter()
for f in files:
    pydicom.dcmread(f, stop_before_pixels=True)
print(len(files), time.perf_counter() - t)
'
py_decode='
import sys, os, time, pydicom
files = [os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith(".dcm")]
t = time.perf_counter()
for f in files:
    pydicom.dcmread(f).pixel_array
print(len(files), time.perf_counter() - t)
'
sync
# Warm the page cache for both sides alike.
cat $(find "$work" -name '*.dcm') > /dev/null

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{b/a:.1f}x')" "$1" "$2"; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):,.0f}')" "$1" "$2"; }

read -r n_py t_py < <("$venv/bin/python" -c "$py_scan" "$work/scan")
read -r n_1 t_1 < <("$bench" scan "$work/scan" --threads 1)
read -r n_all t_all < <("$bench" scan "$work/scan")
rm -f "${TMPDIR:-/tmp}/lightbox-bench-cache.sqlite"*
"$bench" scan-cached "$work/scan" > /dev/null
read -r n_c t_c < <("$bench" scan-cached "$work/scan")
echo "scan ($n_py files, headers only):"
echo "  pydicom dcmread(stop_before_pixels)  $(rate "$n_py" "$t_py") files/s"
echo "  lightbox, 1 thread                  $(rate "$n_1" "$t_1") files/s   $(ratio "$t_1" "$t_py") pydicom"
echo "  lightbox, all cores ($(nproc))            $(rate "$n_all" "$t_all") files/s   $(ratio "$t_all" "$t_py") pydicom"
echo "  lightbox, reopen with cache         $(rate "$n_c" "$t_c") files/s   $(ratio "$t_c" "$t_all") the uncached scan"

read -r d_py td_py < <("$venv/bin/python" -c "$py_decode" "$work/ct300")
read -r d_1 td_1 < <("$bench" decode "$work/ct300" --threads 1)
read -r d_all td_all < <("$bench" decode "$work/ct300")
echo "decode (300-slice 512x512 CT, $d_py files, stored values):"
echo "  pydicom pixel_array                 ${td_py}s"
echo "  lightbox, 1 thread                  ${td_1}s   $(ratio "$td_1" "$td_py") pydicom"
echo "  lightbox, all cores                 ${td_all}s   $(ratio "$td_all" "$td_py") pydicom"

#!/usr/bin/env bash
# Regenerates assets/fonts/NotoSansTC-Lightbox-subset.otf: Noto Sans CJK TC Regular cut
# down to exactly the characters Lightbox shows in its own UI text.
#
# Run it from anywhere after changing assets/i18n/*.txt, the claims code table, the
# default rules or the sample report csv:
#
#     bash assets/fonts/make_subset.sh
#
# then commit the new .otf (and assets/claims-codes.tsv if it changed) and run
# `cargo test --test font_coverage`.
#
# Needs: python3 with venv, and the Debian package fonts-noto-cjk (version
# 1:20220127+repack1-1 in Debian 12 was used). If the font is not installed, the script
# fetches that .deb with `apt-get download` and unpacks it into a temporary folder
# (nothing is installed system-wide). fontTools is installed into a venv under /tmp.
#
# Environment overrides:
#   NOTO_CJK_TTC    path to NotoSansCJK-Regular.ttc (default: the Debian package's path)
#   FONTTOOLS_VENV  venv to use or create (default: /tmp/lightbox-fonttools-venv)
#   CLAIMS_TSV      claims code table to copy in (default: ../shared/spec/claims-codes.tsv)
set -euo pipefail

fonts_dir="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$fonts_dir/../.." && pwd)"
out="$fonts_dir/NotoSansTC-Lightbox-subset.otf"
fonttools_version="4.68.0"
venv="${FONTTOOLS_VENV:-/tmp/lightbox-fonttools-venv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. The claims code table: refresh the committed copy from shared/ when it is there
#    (CI clones may not have ../shared, so the tests read the copy under assets/).
claims_src="${CLAIMS_TSV:-$repo/../shared/spec/claims-codes.tsv}"
if [ -f "$claims_src" ] && ! cmp -s "$claims_src" "$repo/assets/claims-codes.tsv"; then
  install -m 0644 "$claims_src" "$repo/assets/claims-codes.tsv"
  echo "updated assets/claims-codes.tsv from $claims_src"
fi

# 2. The source font.
ttc="${NOTO_CJK_TTC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
if [ ! -f "$ttc" ]; then
  echo "$ttc not found; fetching the fonts-noto-cjk package into $work"
  (cd "$work" && apt-get download fonts-noto-cjk >/dev/null) || {
    echo "cannot fetch fonts-noto-cjk: run 'apt-get update' first, or set NOTO_CJK_TTC" >&2
    exit 1
  }
  dpkg -x "$work"/fonts-noto-cjk_*.deb "$work/pkg"
  ttc="$work/pkg/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
fi

# 3. fontTools.
if [ ! -x "$venv/bin/pyftsubset" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "fonttools==$fonttools_version"
fi

# 4. The characters: every character of both i18n files, the zh_TW and en columns of
#    the claims code and column tables, the default rules file and the sample's report
#    csv (both shown in the viewer), printable ASCII and common CJK punctuation. Written
#    as one hex code point per line for --unicodes-file.
"$venv/bin/python" - "$repo" "$work/unicodes.txt" <<'PY'
import csv, sys
repo, out = sys.argv[1], sys.argv[2]
chars = set()
for name in ("en.txt", "zh-TW.txt"):
    with open(f"{repo}/assets/i18n/{name}", encoding="utf-8") as f:
        chars.update(f.read())
for table in ("claims-codes.tsv", "claims-columns.tsv"):
    with open(f"{repo}/assets/{table}", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            chars.update(row["zh_TW"])
            chars.update(row["en"])
for path in ("assets/rules/default.toml", "sample-data/DATA/REPORT_20210407_102537.csv"):
    with open(f"{repo}/{path}", encoding="utf-8-sig") as f:
        chars.update(f.read())
chars.update(chr(c) for c in range(0x20, 0x7F))
chars.update("，。、：；（）「」『』《》〈〉！？～…—–·×²³µ°±≤≥％＋－／→←↑↓")
chars = sorted(c for c in chars if ord(c) >= 0x20 and c not in "\u007f\ufeff")
with open(out, "w", encoding="ascii") as f:
    f.write("\n".join(f"{ord(c):04X}" for c in chars) + "\n")
print(f"{len(chars)} characters")
PY

# 5. The Traditional Chinese face of the collection (found by name, not by index).
face="$("$venv/bin/python" - "$ttc" <<'PY'
import sys
from fontTools.ttLib import TTCollection
for i, font in enumerate(TTCollection(sys.argv[1], lazy=True).fonts):
    if font["name"].getDebugName(4) == "Noto Sans CJK TC":
        print(i)
        break
else:
    sys.exit("no 'Noto Sans CJK TC' face in " + sys.argv[1])
PY
)"

# 6. Subset. The glyph outlines stay CFF (an OpenType .otf); epaint/skrifa and ab_glyph
#    both read CFF. No hinting: egui does not use it and it is most of the size.
"$venv/bin/pyftsubset" "$ttc" \
  --font-number="$face" \
  --unicodes-file="$work/unicodes.txt" \
  --no-hinting \
  --name-IDs='*' \
  --output-file="$out"

echo "wrote $out ($(wc -c <"$out") bytes) from face $face of $ttc"

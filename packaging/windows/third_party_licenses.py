#!/usr/bin/env python3
"""Writes THIRD-PARTY-LICENSES.txt: the licence of everything the Windows package bundles.

Usage: third_party_licenses.py METADATA.json OUT.txt [REPO_ROOT]

METADATA.json is `cargo metadata --format-version 1 --locked --filter-platform
x86_64-pc-windows-gnu` (default features). The Rust crates listed are exactly those linked
into lightbox.exe: the resolve graph walked from the root package along *normal*
dependencies only (build scripts, proc-macros' hosts and dev-dependencies are not linked
into the exe; proc-macro crates are left out for the same reason). For each crate the
licence files its published package ships (LICENSE*, LICENCE*, COPYING*, NOTICE*,
UNLICENSE, COPYRIGHT*, and `license-file`) are copied verbatim. A crate that ships none
is listed with its SPDX expression and counted on stderr; the standard texts follow at
the end for those (MIT, Apache-2.0, BSL-1.0, CC0-1.0). Also included: the bundled font (SIL OFL 1.1), the ICD-10-CM tables
(public domain, CMS/NCHS), SQLite (public domain, compiled into the exe by
libsqlite3-sys), and the mingw-w64 runtime and libgcc start-up code the GNU linker adds.
"""

import json
import os
import sys

LICENCE_PREFIXES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE", "COPYRIGHT")
RULE = "=" * 78

# Toolchain code statically linked into every x86_64-pc-windows-gnu exe, with the Debian
# copyright files that state their licences (present wherever mingw-w64 is installed).
TOOLCHAIN = [
    ("mingw-w64 runtime (CRT start-up code, import libraries)",
     "/usr/share/doc/mingw-w64-x86-64-dev/copyright"),
    ("libgcc (GCC runtime, GPL-3 with the GCC Runtime Library Exception)",
     "/usr/share/doc/gcc-mingw-w64-x86-64/copyright"),
]


def linked_packages(meta):
    """The packages reachable from the root along normal dependencies, root excluded."""
    nodes = {node["id"]: node for node in meta["resolve"]["nodes"]}
    packages = {package["id"]: package for package in meta["packages"]}
    root = meta["resolve"]["root"]
    seen, stack = set(), [root]
    while stack:
        node = nodes[stack.pop()]
        for dep in node["deps"]:
            if not any(kind["kind"] is None for kind in dep["dep_kinds"]):
                continue
            if dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                stack.append(dep["pkg"])
    linked = []
    for package_id in seen:
        package = packages[package_id]
        kinds = {kind for target in package["targets"] for kind in target["kind"]}
        if kinds == {"proc-macro"}:
            continue  # runs in the compiler, not linked into the exe
        linked.append(package)
    return sorted(linked, key=lambda p: (p["name"], p["version"]))


def licence_files(package):
    """Paths of the licence files shipped in the crate's package folder."""
    folder = os.path.dirname(package["manifest_path"])
    found = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and name.upper().startswith(LICENCE_PREFIXES):
            found.append(path)
        elif os.path.isdir(path) and name.upper() in ("LICENSES", "LICENCES"):
            found.extend(os.path.join(path, n) for n in sorted(os.listdir(path)))
        elif os.path.isdir(path) and name == "fonts":
            # Font crates (epaint_default_fonts) keep each font's licence beside it.
            found.extend(os.path.join(path, n) for n in sorted(os.listdir(path))
                         if n.endswith(".txt"))
    if package.get("license_file"):
        path = os.path.join(folder, package["license_file"])
        if os.path.isfile(path) and path not in found:
            found.append(path)
    return found


def read_text(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").rstrip() + "\n"


def section(out, title):
    out.write(f"\n{RULE}\n{title}\n{RULE}\n\n")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    meta_path, out_path = sys.argv[1], sys.argv[2]
    repo = sys.argv[3] if len(sys.argv) == 4 else os.getcwd()
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
    crates = linked_packages(meta)
    without_files = []
    with open(out_path, "w", encoding="utf-8", newline="\r\n") as out:
        out.write("Lightbox for Windows: third-party licences\n\n")
        out.write("Lightbox itself is licensed MIT OR Apache-2.0 (texts at the end).\n")
        out.write("This file lists everything else the package contains or the exe links:\n")
        out.write("  1. the bundled CJK font (assets/fonts/), SIL Open Font License 1.1\n")
        out.write("  2. the ICD-10-CM code titles (assets/icd10cm/), public domain\n")
        out.write("  3. SQLite, compiled into lightbox.exe, public domain\n")
        out.write("  4. the mingw-w64 runtime and libgcc code the linker adds\n")
        out.write(f"  5. the {len(crates)} Rust crates linked into lightbox.exe\n")

        section(out, "1. Noto Sans CJK TC (subset: assets/fonts/NotoSansTC-Lightbox-subset.otf)")
        out.write("Source and subsetting: assets/fonts/README.md. Licence:\n\n")
        out.write(read_text(os.path.join(repo, "assets/fonts/OFL.txt")))

        section(out, "2. ICD-10-CM code titles (assets/icd10cm/icd10cm-codes.tsv.gz)")
        out.write(
            "The ICD-10-CM classification (April 1, 2026 release) of the US National Center\n"
            "for Health Statistics (NCHS/CDC) and the Centers for Medicare & Medicaid\n"
            "Services (CMS) is a work of the US government and in the public domain.\n"
            "Source and conversion: assets/icd10cm/README.md.\n")

        section(out, "3. SQLite")
        out.write(
            "SQLite (https://sqlite.org), compiled into lightbox.exe by the libsqlite3-sys\n"
            "crate (feature `bundled`), is in the public domain:\n"
            "https://sqlite.org/copyright.html\n")

        section(out, "4. mingw-w64 runtime and libgcc")
        for title, path in TOOLCHAIN:
            out.write(f"--- {title}: {path}\n\n")
            if os.path.isfile(path):
                out.write(read_text(path) + "\n")
            else:
                out.write("(copyright file not found on the build machine)\n\n")
                print(f"third_party_licenses: missing {path}", file=sys.stderr)

        section(out, f"5. Rust crates linked into lightbox.exe ({len(crates)})")
        for package in crates:
            out.write(f"  {package['name']} {package['version']}: "
                      f"{package.get('license') or 'see licence file'}\n")
        first_crate_with_text = {}
        for package in crates:
            files = licence_files(package)
            out.write(f"\n{'-' * 78}\n{package['name']} {package['version']}\n")
            out.write(f"licence: {package.get('license') or 'see below'}\n")
            if package.get("repository"):
                out.write(f"repository: {package['repository']}\n")
            if not files:
                without_files.append(package)
                out.write("(the published crate ships no licence file; "
                          "the standard text of its licence is at the end of this file)\n")
            for path in files:
                text = read_text(path)
                out.write(f"\n--- {os.path.basename(path)}\n\n")
                # Hundreds of crates ship the same Apache/MIT text: print each text once.
                earlier = first_crate_with_text.setdefault(text, package["name"])
                if earlier == package["name"]:
                    out.write(text)
                else:
                    out.write(f"(the same text as {os.path.basename(path)} of {earlier} above)\n")

        section(out, "Standard licence texts (Lightbox itself, and crates that ship none)")
        standard = standard_texts(crates)
        for spdx in ("MIT", "Apache-2.0", "BSL-1.0", "CC0-1.0"):
            text = standard.get(spdx, "(text not found)\n")
            out.write(f"--- {spdx}\n\n{text}\n")
    print(f"third_party_licenses: {len(crates)} crates, "
          f"{len(without_files)} without a licence file"
          + (f" ({', '.join(p['name'] for p in without_files)})" if without_files else ""),
          file=sys.stderr)


MIT_TEXT = """Copyright (c) the authors named in each project (for Lightbox: the Lightbox
contributors)

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify,
merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to the following
conditions:

The above copyright notice and this permission notice shall be included in all copies
or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


BSL_TEXT = """Boost Software License - Version 1.0 - August 17th, 2003

Permission is hereby granted, free of charge, to any person or organization obtaining a
copy of the software and accompanying documentation covered by this license (the
"Software") to use, reproduce, display, distribute, execute, and transmit the Software,
and to prepare derivative works of the Software, and to permit third-parties to whom the
Software is furnished to do so, all subject to the following:

The copyright notices in the Software and this entire statement, including the above
license grant, this restriction and the following disclaimer, must be included in all
copies of the Software, in whole or in part, and all derivative works of the Software,
unless such copies or derivative works are solely in the form of machine-executable
object code generated by a source language processor.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
PURPOSE, TITLE AND NON-INFRINGEMENT. IN NO EVENT SHALL THE COPYRIGHT HOLDERS OR ANYONE
DISTRIBUTING THE SOFTWARE BE LIABLE FOR ANY DAMAGES OR OTHER LIABILITY, WHETHER IN
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def standard_texts(crates):
    """The MIT text, and the Apache-2.0 text taken from a crate that ships it verbatim."""
    texts = {"MIT": MIT_TEXT, "BSL-1.0": BSL_TEXT}
    cc0 = "/usr/share/common-licenses/CC0-1.0"
    texts["CC0-1.0"] = read_text(cc0) if os.path.isfile(cc0) else (
        "Creative Commons CC0 1.0 Universal public domain dedication:\n"
        "https://creativecommons.org/publicdomain/zero/1.0/legalcode\n")
    for package in crates:
        for path in licence_files(package):
            if "APACHE" in os.path.basename(path).upper():
                texts.setdefault("Apache-2.0", read_text(path))
    return texts


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds icd10cm-codes.tsv.gz from the data files of the PyPI package simple-icd-10-cm.

Usage: make_tsv.py CODE_LIST.txt TABULAR.xml OUT.tsv.gz

Every code of the code list (chapters and blocks excluded; a block holding one
category shares its code and is listed once) gets its title: the
<desc> of its <diag> in the tabular XML, or, for a seven-character code built from
a 7th-character table, the title of its parent (placeholder X's removed) followed by
", " and the 7th character's meaning, as in the CMS order file. Output lines are
`CODE<TAB>TITLE`, the code with its dot (J18.9), sorted by code; gzip without a
timestamp so the file is reproducible.
"""
import gzip
import sys
import xml.etree.ElementTree as ET


def dotted(code):
    return code if len(code) <= 3 else code[:3] + "." + code[3:]


def main(code_list, tabular, out):
    titles = {}
    seventh = {}  # code without dot -> {char: meaning}, inherited by descendants

    def walk(diag, inherited):
        name = diag.findtext("name").replace(".", "")
        titles[name] = diag.findtext("desc").strip()
        table = diag.find("sevenChrDef")
        if table is not None:
            inherited = {e.get("char"): e.text.strip() for e in table.findall("extension")}
        if inherited:
            seventh[name] = inherited
        for child in diag.findall("diag"):
            walk(child, inherited)

    root = ET.parse(tabular).getroot()
    for chapter in root.findall("chapter"):
        for section in chapter.findall("section"):
            for diag in section.findall("diag"):
                walk(diag, None)

    rows = []
    with open(code_list, encoding="utf-8") as f:
        for line in f:
            code = line.split()[0].replace(".", "") if line.strip() else ""
            if not code or "-" in code or code.isdigit():
                continue  # blank, block (A00-A09) or chapter (1)
            if code in titles:
                rows.append((code, titles[code]))
                continue
            if len(code) != 7:
                sys.exit(f"no title for {code}")
            parent = code[:6].rstrip("X")
            table = seventh.get(parent)
            if parent not in titles or not table or code[6] not in table:
                sys.exit(f"no 7th-character meaning for {code}")
            rows.append((code, f"{titles[parent]}, {table[code[6]]}"))
    rows = sorted(set(rows))  # a block of one category repeats the category's code
    text = "".join(f"{dotted(c)}\t{t}\n" for c, t in rows)
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
            g.write(text.encode("utf-8"))
    print(f"{len(rows)} codes written to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:4])

#!/usr/bin/env python3
"""Writes the installer's file lists from the staged package folder.

Usage: nsis_file_lists.py STAGE_DIR INSTALL.nsh UNINSTALL.nsh

INSTALL.nsh holds one `SetOutPath` per folder and one `File` per file; UNINSTALL.nsh
deletes exactly those files, then removes those folders deepest first with a plain
`RMDir` (which leaves a folder that is not empty). So the uninstaller removes what the
installer put there and nothing else: a project store or keep-list the user made inside
the installed sample (`sample-data\\lightbox\\`, `sample-data\\TAKEOUT\\`) stays, and so
does the folder holding it. Paths are relative to STAGE_DIR; makensis runs there (-NOCD).
"""

import os
import sys


def escaped(relative):
    """A relative path inside an NSIS string: `$` doubled; a double quote is refused."""
    if '"' in relative:
        raise ValueError(f"a double quote in a file name: {relative}")
    return relative.replace("$", "$$")


def installed(relative):
    """The quoted install-time path of a staged path: `"$INSTDIR\\a\\b"`."""
    windows = relative.replace("/", "\\")
    return '"$INSTDIR' + ("\\" + escaped(windows) if relative else "") + '"'


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    stage, install_path, uninstall_path = sys.argv[1:]
    folders, files = [], []
    for root, dirs, names in os.walk(stage):
        dirs.sort()
        relative = os.path.relpath(root, stage)
        relative = "" if relative == "." else relative
        if relative:
            folders.append(relative)
        files.extend(os.path.join(relative, name) for name in sorted(names))
    with open(install_path, "w", encoding="utf-8") as out:
        current = None
        for path in files:
            folder = os.path.dirname(path)
            if folder != current:
                out.write(f"SetOutPath {installed(folder)}\n")
                current = folder
            out.write(f'File "{escaped(path)}"\n')
    with open(uninstall_path, "w", encoding="utf-8") as out:
        for path in files:
            out.write(f"Delete {installed(path)}\n")
        for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
            out.write(f"RMDir {installed(folder)}\n")
    print(f"nsis_file_lists: {len(files)} files in {len(folders)} folders", file=sys.stderr)


if __name__ == "__main__":
    main()

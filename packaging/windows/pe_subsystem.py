#!/usr/bin/env python3
"""Reads or sets the Subsystem field of a 64-bit PE (exe) file.

Usage: pe_subsystem.py FILE            prints "gui" or "console"
       pe_subsystem.py FILE gui|console  sets it in place (FILE must be a copy)
       pe_subsystem.py FILE offset       prints the field's byte offset (for the installer)

build.sh makes `lightbox.com`, the console-subsystem twin of the GUI-subsystem
`lightbox.exe`, by copying the exe and setting this one 16-bit field from 2 (Windows GUI)
to 3 (Windows console); check.sh reads it back. The installer ships only the exe and
makes the twin at install time by writing that byte (lightbox.nsi), so the setup carries
the program once. Nothing else in the file changes: the PE
checksum is not checked by Windows for programs, and a `.com` file that starts with "MZ"
is loaded as a PE like an `.exe`.
"""

import struct
import sys

VALUES = {"gui": 2, "console": 3}


def subsystem_offset(data):
    """Byte offset of the optional header's Subsystem field (PE32+ only)."""
    if data[:2] != b"MZ":
        raise ValueError("not an MZ executable")
    (pe,) = struct.unpack_from("<I", data, 0x3C)
    if data[pe:pe + 4] != b"PE\0\0":
        raise ValueError("no PE signature")
    optional = pe + 24
    (magic,) = struct.unpack_from("<H", data, optional)
    if magic != 0x20B:
        raise ValueError(f"not a PE32+ (64-bit) optional header: magic {magic:#x}")
    return optional + 68


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3
                                       and sys.argv[2] not in (*VALUES, "offset")):
        sys.exit(__doc__)
    path = sys.argv[1]
    with open(path, "rb") as f:
        data = bytearray(f.read())
    try:
        offset = subsystem_offset(data)
    except ValueError as e:
        sys.exit(f"pe_subsystem: {e}: {path}")
    (current,) = struct.unpack_from("<H", data, offset)
    names = {v: k for k, v in VALUES.items()}
    if len(sys.argv) == 2:
        print(names.get(current, str(current)))
        return
    if sys.argv[2] == "offset":
        print(offset)
        return
    if current not in names:
        sys.exit(f"pe_subsystem: unexpected subsystem {current}: {path}")
    struct.pack_into("<H", data, offset, VALUES[sys.argv[2]])
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()

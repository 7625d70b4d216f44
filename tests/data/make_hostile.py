#!/usr/bin/env python3
"""make_hostile: write the hostile course packages the loader must refuse.

Usage: make_hostile.py OUTDIR

Each archive is what an attacker, a broken zipper or a damaged USB stick
could hand a kiosk: names that climb out of the package, symlinks, bzip2 and
LZMA entries PhysicsFS cannot inflate, zip bombs by ratio and by overlap,
lying headers, truncation, and valid archives whose course.json is itself
hostile (invalid UTF-8, a NUL byte, 1000 levels of nesting). For every
OUTDIR/<name>.zip, tests/data/hostile/<name>.expected holds the exact stderr
of `cd OUTDIR && drillhall-pack lint <name>.zip`.

Only the standard library is used, and every archive is deterministic: fixed
timestamps, fixed modes, a seeded random generator. Where zipfile refuses to
write something hostile, a harmless placeholder is written and the bytes are
patched afterwards (same length, in both the local and the central header).
"""
import hashlib
import io
import json
import os
import random
import struct
import sys
import warnings
import zipfile

DATE = (1980, 1, 1, 0, 0, 0)

COURSE = json.dumps({
    "format": 1,
    "id": "org.example.hostile",
    "version": "1.0.0",
    "title": "Hostile package",
    "languages": ["en"],
    "modules": [{"id": "intro", "kind": "lesson", "file": "lessons/intro.json"}],
}, indent=2).encode() + b"\n"

LESSON = json.dumps({
    "title": "Intro",
    "pages": [{"blocks": [{"type": "paragraph", "text": "Hello."}]}],
}, indent=2).encode() + b"\n"


def info(name, mode=0o100644, method=zipfile.ZIP_STORED):
    """A ZipInfo with everything that could vary between runs fixed."""
    zi = zipfile.ZipInfo(name, DATE)
    zi.create_system = 3  # unix, so the mode bits are read
    zi.external_attr = mode << 16
    zi.compress_type = method
    return zi


def build(entries):
    """entries: (name, bytes) or (ZipInfo, bytes). Returns the archive bytes."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point
        with zipfile.ZipFile(buf, "w") as z:
            for name, data in entries:
                zi = name if isinstance(name, zipfile.ZipInfo) else info(name)
                z.writestr(zi, data)
    return buf.getvalue()


def course(*extra):
    return build([("course.json", COURSE), ("lessons/intro.json", LESSON)] + list(extra))


def patch_all(data, old, new):
    """Replace every occurrence of old (same length) by new."""
    assert len(old) == len(new) and data.count(old) >= 1
    return data.replace(old, new)


def central_records(data):
    """Offsets of the central directory records."""
    eocd = data.rindex(b"PK\x05\x06")
    count, size, off = struct.unpack_from("<HII", data, eocd + 10)
    offs = []
    for _ in range(count):
        offs.append(off)
        nlen, elen, clen = struct.unpack_from("<HHH", data, off + 28)
        off += 46 + nlen + elen + clen
    return offs


def set_flag(data, bit):
    """Set a general-purpose flag bit in every local and central header."""
    b = bytearray(data)
    for off in central_records(data):
        struct.pack_into("<H", b, off + 8, struct.unpack_from("<H", b, off + 8)[0] | bit)
        local = struct.unpack_from("<I", b, off + 42)[0]
        struct.pack_into("<H", b, local + 6, struct.unpack_from("<H", b, local + 6)[0] | bit)
    return bytes(b)


def manifest(files):
    """manifest.json exactly as drillhall-pack writes it (dh_package_manifest)."""
    items = []
    for name in sorted(files, key=lambda n: n.encode()):
        digest = hashlib.sha256(files[name]).hexdigest()
        items.append('    %s: {"sha256": "%s", "size": %d}'
                     % (json.dumps(name, ensure_ascii=False), digest, len(files[name])))
    return ('{\n  "format": 1,\n  "generator": "drillhall-pack 0.1.0",\n  "files": {\n'
            + ",\n".join(items) + "\n  }\n}\n").encode()


def packed(files, listed=None):
    """A package as `pack` would write it (stored, sorted, with a manifest of
    `listed`, default the files themselves), whatever the files contain."""
    all_files = dict(files)
    all_files["manifest.json"] = manifest(listed if listed is not None else files)
    return build(sorted(all_files.items(), key=lambda kv: kv[0].encode()))


def hostile():
    out = {}

    # --- names ---------------------------------------------------------
    out["dotdot"] = course(("../../etc/passwd", b"root:x:0:0::/root:/bin/sh\n"))
    out["absolute"] = course(("/etc/cron.d/evil", b"* * * * * root sh\n"))
    out["backslash"] = course(("..\\..\\autorun.inf", b"[autorun]\n"))
    out["drive"] = course(("C:/Windows/evil.dll", b"MZ"))
    out["duplicate"] = build([("course.json", COURSE), ("lessons/intro.json", LESSON),
                              ("course.json", b'{"format": 1, "id": "evil"}')])
    out["case-duplicate"] = course(("Lessons/Intro.json", LESSON))
    out["control-char-name"] = course(("lessons/red\x1b[31m.json", LESSON))
    # zipfile will not write invalid UTF-8: write a placeholder, then patch
    out["invalid-utf8-name"] = patch_all(course(("lessons/cafX.json", LESSON)),
                                         b"lessons/cafX.json", b"lessons/caf\xe9.json")
    out["file-and-folder"] = course(("lessons", b"not a folder"))

    # --- types ---------------------------------------------------------
    out["symlink"] = course((info("assets/logo.png", mode=0o120777), b"/etc/shadow"))
    out["fifo"] = course((info("assets/pipe", mode=0o010644), b""))

    # --- compression and encryption ------------------------------------
    out["bzip2"] = build([(info("course.json", method=zipfile.ZIP_BZIP2), COURSE),
                          ("lessons/intro.json", LESSON)])
    out["lzma"] = build([("course.json", COURSE),
                         (info("lessons/intro.json", method=zipfile.ZIP_LZMA), LESSON)])
    out["encrypted"] = set_flag(course(), 0x0001)

    # --- zip bombs and limits ------------------------------------------
    out["zipbomb-ratio"] = course((info("assets/zeros.bin", method=zipfile.ZIP_DEFLATED),
                                   bytes(4 * 1024 * 1024)))
    # Two central records pointing at one local header: the overlap trick
    # of non-recursive zip bombs, where every entry reuses the same data.
    one = build([("course.json", COURSE)])
    eocd = one.rindex(b"PK\x05\x06")
    cd_off = struct.unpack_from("<I", one, eocd + 16)[0]
    rec = one[cd_off:eocd]
    twin = bytearray(rec)
    twin[46:46 + 11] = b"coursf.json"  # another name, the same local offset
    cd = rec + bytes(twin)
    end = bytearray(one[eocd:])
    struct.pack_into("<HHI", end, 8, 2, 2, len(cd))
    out["overlapping"] = one[:cd_off] + cd + bytes(end)
    out["too-many-entries"] = build([("course.json", COURSE)] +
                                    [("assets/f%04d.txt" % i, b"") for i in range(4096)])
    # a claimed size over the per-file limit: patch both headers
    big = bytearray(course((info("assets/huge.bin", method=zipfile.ZIP_DEFLATED), b"x" * 64)))
    for off in central_records(bytes(big)):
        nlen = struct.unpack_from("<H", big, off + 28)[0]
        if bytes(big[off + 46:off + 46 + nlen]) == b"assets/huge.bin":
            struct.pack_into("<I", big, off + 24, 40 * 1024 * 1024)
            local = struct.unpack_from("<I", big, off + 42)[0]
            struct.pack_into("<I", big, local + 22, 40 * 1024 * 1024)
    out["huge-file"] = bytes(big)

    # --- broken and lying structure ------------------------------------
    whole = course()
    out["truncated"] = whole[:len(whole) // 2]
    out["not-a-zip"] = bytes(random.Random(42).randrange(256) for _ in range(1000))
    out["trailing-data"] = whole + b"GARBAGE"
    out["prepended-data"] = b"#!/bin/sh\necho pwned\nexit 0\n" + whole
    out["multi-disk"] = whole[:-22] + whole[-22:-18] + b"\x01\x00" + whole[-16:]
    # a zip64 end record and locator in front of the classic end record
    eocd = whole.rindex(b"PK\x05\x06")
    count, size, off = struct.unpack_from("<HII", whole, eocd + 10)
    z64 = struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, count, count, size, off)
    loc = struct.pack("<IIQI", 0x07064b50, 0, eocd, 1)
    end = bytearray(whole[eocd:])
    struct.pack_into("<HHII", end, 8, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    out["zip64"] = whole[:eocd] + z64 + loc + bytes(end)
    # local header names a different file than the central directory:
    # tools that trust local headers would extract "../../evil.json"
    smug = course(("lessons/aa.json", LESSON))
    first = smug.index(b"lessons/aa.json")  # the local header comes first
    out["smuggled-name"] = smug[:first] + b"../../evil.json" + smug[first + 15:]
    out["empty"] = build([])

    # --- valid archives, hostile content -------------------------------
    out["invalid-utf8-json"] = packed({"course.json": b'{"format": 1, "id": "caf\xe9"}\n',
                                       "lessons/intro.json": LESSON})
    out["nul-in-json"] = packed({"course.json": b'{"format": 1,\n "id": "x\x00y"}\n',
                                 "lessons/intro.json": LESSON})
    out["deep-nesting"] = packed({"course.json": b"[" * 1000 + b"]" * 1000 + b"\n",
                                  "lessons/intro.json": LESSON})
    # packed, then one byte of a lesson changed and the zip rewritten with
    # fresh CRCs (as any zip tool would): only the manifest can tell
    original = {"course.json": COURSE, "lessons/intro.json": LESSON}
    edited = {"course.json": COURSE, "lessons/intro.json": LESSON.replace(b"Hello.", b"Hellp.")}
    out["tampered"] = packed(edited, listed=original)
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: make_hostile.py OUTDIR\n")
        return 2
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, data in sorted(hostile().items()):
        with open(os.path.join(outdir, name + ".zip"), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Make Dianhong's two UI fonts from Debian's Noto Sans CJK SC.

  dh-ui.otf    subset: ASCII, GB2312, every non-ASCII character found in the UI
               sources (src/ui/*.cpp, src/ui/*.h), and assets/fonts/extra-chars.txt
               (middle dot, CJK punctuation, rare name characters). Loaded first.
  dh-full.otf  the whole "Noto Sans CJK SC" face (face 2 of the .ttc), fetched in
               the background as a merged fallback for any other character.

Run with Debian's /usr/bin/python3 (python3-fonttools is installed for it):

  /usr/bin/python3 assets/fonts/make_fonts.py --out DIR --cache DIR [--ui-src FILE...]

Both results are cached in --cache keyed by a hash of their inputs (this script,
the character set, the source font's identity), so a rebuild with unchanged
inputs only copies files. Prints one line per font: name, glyph source, size.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = 2  # Noto Sans CJK SC
RECIPE_VERSION = "1"  # bump to force a rebuild of both fonts


def gb2312_chars():
    out = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def parse_extra(path):
    chars = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            for tok in line.split():
                m = re.fullmatch(r"U\+([0-9A-Fa-f]{4,6})(?:-U\+([0-9A-Fa-f]{4,6}))?", tok)
                if m:
                    a = int(m.group(1), 16)
                    b = int(m.group(2), 16) if m.group(2) else a
                    chars.update(chr(c) for c in range(a, b + 1))
                else:
                    chars.update(tok)
    return chars


def ui_chars(paths):
    chars = set()
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            text = f.read()
        chars.update(c for c in text if ord(c) > 0x7E and c != "\ufffd")
    return chars


def file_identity(path):
    st = os.stat(path)
    return f"{path}:{st.st_size}:{int(st.st_mtime)}"


def sha(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def atomic_copy(src, dst):
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def build_ui(charset, out_path):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as t:
        t.write("".join(sorted(charset)))
        text_file = t.name
    try:
        subprocess.run(
            [sys.executable, "-m", "fontTools.subset", TTC, f"--font-number={FACE}",
             f"--text-file={text_file}", f"--output-file={out_path}",
             "--layout-features=", "--no-hinting", "--name-IDs=*", "--notdef-outline"],
            check=True)
    finally:
        os.unlink(text_file)


def build_full(out_path):
    # Every code point of the face, but only the glyphs its own cmap reaches: the
    # .ttc shares one glyph set among the JP/KR/SC/TC faces (16 MB when copied whole).
    subprocess.run(
        [sys.executable, "-m", "fontTools.subset", TTC, f"--font-number={FACE}",
         "--unicodes=*", f"--output-file={out_path}", "--layout-features=", "--no-hinting", "--name-IDs=*", "--notdef-outline"],
        check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder to write dh-ui.otf and dh-full.otf")
    ap.add_argument("--cache", required=True, help="cache folder outside the clone")
    ap.add_argument("--extra", default=os.path.join(HERE, "extra-chars.txt"))
    ap.add_argument("--ui-src", nargs="*", default=[], help="UI sources to scan for characters")
    ap.add_argument("--no-full", action="store_true", help="skip dh-full.otf")
    args = ap.parse_args()

    if not os.path.exists(TTC):
        sys.exit(f"error: {TTC} is missing; install the Debian package fonts-noto-cjk (script/bootstrap)")
    try:
        import fontTools  # noqa: F401
    except ImportError:
        sys.exit("error: fontTools missing; install python3-fonttools and run this with /usr/bin/python3")

    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.cache, exist_ok=True)
    with open(os.path.abspath(__file__), "rb") as f:
        recipe = f.read()
    src_id = file_identity(TTC)

    charset = set(chr(c) for c in range(0x20, 0x7F))
    charset.update(gb2312_chars())
    charset.update(parse_extra(args.extra))
    found = ui_chars(args.ui_src)
    charset.update(found)
    charset_text = "".join(sorted(charset))

    jobs = [("dh-ui.otf", sha(RECIPE_VERSION, recipe, src_id, charset_text),
             lambda p: build_ui(charset, p))]
    if not args.no_full:
        jobs.append(("dh-full.otf", sha(RECIPE_VERSION, recipe, "full", src_id, str(FACE)), build_full))

    for name, key, make in jobs:
        cached = os.path.join(args.cache, f"{name[:-4]}-{key}.otf")
        how = "cached"
        if not os.path.exists(cached):
            tmp = cached + f".{os.getpid()}.tmp"
            make(tmp)
            os.replace(tmp, cached)
            how = "built"
        atomic_copy(cached, os.path.join(args.out, name))
        extra = f", {len(charset)} characters ({len(found)} from {len(args.ui_src)} UI files)" if name == "dh-ui.otf" else ""
        print(f"{name}: {how} ({os.path.getsize(cached) / 1e6:.1f} MB{extra}) key {key}")


if __name__ == "__main__":
    main()

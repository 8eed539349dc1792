#!/usr/bin/env python3
"""Assemble the web dist (build/wasm/dist/) from the wasm build and web/.

Contract (web/DIST-PLACEHOLDERS.md, docs/web-dist.md):
  - dianhong.js, dianhong.wasm, dh-ui.otf, dh-full.otf and every web/*.js except
    sw.js get content-hashed names: <stem>.<first 10 hex of sha256>.<ext>.
  - index.html, sw.js and manifest.webmanifest keep their names; in them the
    placeholders @DH_APP_JS@ @DH_APP_WASM@ @DH_FONT_UI@ @DH_FONT_FULL@
    @DH_GLUE_JS@ @DH_VERSION@ @DH_PRECACHE@ (and @DH_<STEM>_JS@ for any other
    web/*.js) are replaced byte for byte. An unknown @DH_...@ placeholder left in
    them is an error.
  - Icons: assets/icons/make_icons.py --out dist/icons (cached by script hash).
  - dist/dh-assets.json records the names, the version and the precache list.
Stdlib only. Exit status non-zero with a plain message on any missing input.
"""
import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

FIXED = ("index.html", "sw.js", "manifest.webmanifest")
SKIP_SUFFIXES = (".md",)


PRECOMPRESS_SUFFIXES = (".wasm", ".js", ".html", ".json", ".webmanifest", ".css", ".svg", ".txt")


def die(msg):
    print(f"assemble_dist: error: {msg}", file=sys.stderr)
    sys.exit(1)


def digest(data):
    return hashlib.sha256(data).hexdigest()[:10]


def hashed_name(name, data):
    stem, ext = os.path.splitext(name)
    return f"{stem}.{digest(data)}{ext}"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def placeholder_for_js(name):
    stem = os.path.splitext(name)[0]
    return "@DH_" + re.sub(r"[^A-Za-z0-9]", "_", stem).upper() + "_JS@"


def make_icons(script, out_dir, cache_dir):
    """Run the web owner's icon script, cached outside the clone by its hash."""
    key = digest(read(script))
    cached = os.path.join(cache_dir, f"icons-{key}")
    if not os.path.isdir(cached):
        tmp = cached + f".{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["/usr/bin/python3", script, "--out", tmp], check=True, stdout=subprocess.DEVNULL)
        os.replace(tmp, cached)
    shutil.copytree(cached, out_dir, dirs_exist_ok=True)
    return sorted(f"icons/{n}" for n in os.listdir(cached))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--js", required=True)
    ap.add_argument("--wasm", required=True)
    ap.add_argument("--font-ui", required=True)
    ap.add_argument("--font-full", required=True)
    ap.add_argument("--web", required=True)
    ap.add_argument("--icon-script", default="")
    ap.add_argument("--cache", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    for p in (a.js, a.wasm, a.font_ui, a.font_full):
        if not os.path.isfile(p):
            die(f"{p} does not exist (build dianhong_app and dh_fonts first)")
    if not os.path.isdir(a.web):
        die(f"{a.web} is not a folder")

    out = a.out
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    subst = {}
    names = {}

    def emit_hashed(src, name, key):
        data = read(src)
        h = hashed_name(name, data)
        write(os.path.join(out, h), data)
        names[key] = h
        return h

    subst["@DH_APP_WASM@"] = emit_hashed(a.wasm, "dianhong.wasm", "appWasm")
    subst["@DH_APP_JS@"] = emit_hashed(a.js, "dianhong.js", "appJs")
    subst["@DH_FONT_UI@"] = emit_hashed(a.font_ui, "dh-ui.otf", "fontUi")
    subst["@DH_FONT_FULL@"] = emit_hashed(a.font_full, "dh-full.otf", "fontFull")

    other = []          # web files copied under their own names (precached)
    pages = []          # other web/*.html (e.g. checkin.html): placeholders replaced, not precached
    glue = []           # hashed web/*.js
    for name in sorted(os.listdir(a.web)):
        src = os.path.join(a.web, name)
        if not os.path.isfile(src) or name.endswith(SKIP_SUFFIXES) or name in FIXED:
            continue
        if name.endswith(".html"):
            pages.append(name)  # needs the network anyway (docs/qr-checkin.md)
            continue
        if name.endswith(".js"):
            h = emit_hashed(src, name, "js:" + name)
            subst[placeholder_for_js(name)] = h
            glue.append(h)
        else:
            write(os.path.join(out, name), read(src))
            other.append(name)

    icons = []
    if a.icon_script:
        if not os.path.isfile(a.icon_script):
            die(f"{a.icon_script} does not exist")
        icons = make_icons(a.icon_script, os.path.join(out, "icons"), a.cache)

    templates = {n: read(os.path.join(a.web, n)) for n in list(FIXED) + pages if os.path.isfile(os.path.join(a.web, n))}
    for n in ("index.html", "sw.js"):
        if n not in templates:
            die(f"web/{n} is missing")

    precache = (["./", "index.html"] + glue + [names["appJs"], names["appWasm"], names["fontUi"]]
                + (["manifest.webmanifest"] if "manifest.webmanifest" in templates else [])
                + other + icons)
    # The version changes whenever anything the service worker serves changes.
    h = hashlib.sha256()
    for n in sorted(templates):
        h.update(n.encode() + b"\0" + templates[n] + b"\0")
    for n in precache + [names["fontFull"]]:
        h.update(n.encode() + b"\0")
    for n in other + icons:
        h.update(read(os.path.join(out, n)))
    version = h.hexdigest()[:12]
    subst["@DH_VERSION@"] = version
    subst["@DH_PRECACHE@"] = ",".join(precache)

    for n, data in templates.items():
        text = data.decode("utf-8")
        for k, v in subst.items():
            text = text.replace(k, v)
        left = sorted(set(re.findall(r"@DH_[A-Z0-9_]+@", text)))
        if left:
            die(f"web/{n} has placeholders the assembly does not know: {', '.join(left)} "
                f"(known: {', '.join(sorted(subst))})")
        write(os.path.join(out, n), text.encode("utf-8"))

    # Compressed once here (gzip -9) rather than by the server on the first
    # request after each start (about a second of CPU for the wasm): the
    # server sends NAME.gz for NAME when it is as new (docs/web-dist.md).
    for r, _, fs in os.walk(out):
        for f in fs:
            p = os.path.join(r, f)
            if f.endswith(PRECOMPRESS_SUFFIXES) and os.path.getsize(p) >= 1024:
                with open(p, "rb") as src, open(p + ".gz", "wb") as dst:
                    dst.write(gzip.compress(src.read(), compresslevel=9, mtime=0))

    manifest = {"version": version, "precache": precache, "background": [names["fontFull"]],
                "assets": names}
    write(os.path.join(out, "dh-assets.json"), (json.dumps(manifest, indent=2) + "\n").encode())
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(out) for f in fs)
    print(f"dist {out}: version {version}, {len(precache)} precached URLs, {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

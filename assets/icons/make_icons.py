#!/usr/bin/python3
"""Make the app icons: a tea-leaf green rounded square with 滇 in white.

  /usr/bin/python3 assets/icons/make_icons.py --out DIR [--sizes 192,512]

Writes DIR/icon-<size>.png. Needs only fontTools (python3-fonttools, already
needed for the UI font) and Debian's Noto Sans CJK; the glyph outline is
rasterised here with a small anti-aliased scanline filler, so no imaging
library is required. The glyph sits inside the central 60% so the icon also
works as a maskable icon.
"""
import argparse
import os
import struct
import zlib

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTCollection

TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = 2  # Noto Sans CJK SC
CHAR = "滇"
BG = (0x4A, 0x7C, 0x3A)   # tea leaf
FG = (0xFF, 0xFF, 0xFF)
SUB = 4                   # vertical sub-scanlines per pixel


class FlattenPen(BasePen):
    """Collects closed polygons, curves flattened into short lines."""

    def __init__(self, glyphset):
        super().__init__(glyphset)
        self.polys = []
        self.cur = None

    def _moveTo(self, p):
        self.cur = [p]
        self.polys.append(self.cur)

    def _lineTo(self, p):
        self.cur.append(p)

    def _curveToOne(self, p1, p2, p3):
        p0 = self.cur[-1]
        for i in range(1, 13):
            t = i / 12.0
            u = 1 - t
            x = u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0]
            y = u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1]
            self.cur.append((x, y))

    def _qCurveToOne(self, p1, p2):
        p0 = self.cur[-1]
        for i in range(1, 9):
            t = i / 8.0
            u = 1 - t
            self.cur.append((u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                             u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]))

    def _closePath(self):
        pass


def glyph_polygons():
    font = TTCollection(TTC).fonts[FACE]
    cmap = font.getBestCmap()
    name = cmap[ord(CHAR)]
    gs = font.getGlyphSet()
    pen = FlattenPen(gs)
    gs[name].draw(pen)
    return pen.polys


def coverage(polys, size):
    """Nonzero-winding coverage in [0,1] per pixel, anti-aliased."""
    xs = [p[0] for poly in polys for p in poly]
    ys = [p[1] for poly in polys for p in poly]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    box = size * 0.60
    scale = box / max(maxx - minx, maxy - miny)
    ox = (size - (maxx - minx) * scale) / 2 - minx * scale
    oy = (size - (maxy - miny) * scale) / 2 + maxy * scale  # font y grows up
    edges = []
    for poly in polys:
        pts = [(x * scale + ox, oy - y * scale) for x, y in poly]
        for i in range(len(pts)):
            (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % len(pts)]
            if y0 == y1:
                continue
            w = 1 if y1 > y0 else -1
            if y0 > y1:
                x0, y0, x1, y1 = x1, y1, x0, y0
            edges.append((y0, y1, x0, (x1 - x0) / (y1 - y0), w))
    cov = [[0.0] * size for _ in range(size)]
    for row in range(size):
        line = cov[row]
        for s in range(SUB):
            y = row + (s + 0.5) / SUB
            xs = sorted((x0 + (y - y0) * dx, w) for y0, y1, x0, dx, w in edges if y0 <= y < y1)
            wind = 0
            for i in range(len(xs) - 1):
                wind += xs[i][1]
                if wind == 0:
                    continue
                a, b = max(xs[i][0], 0.0), min(xs[i + 1][0], float(size))
                if b <= a:
                    continue
                ia, ib = int(a), int(b)
                if ia == ib:
                    line[ia] += (b - a) / SUB
                    continue
                line[ia] += (ia + 1 - a) / SUB
                for px in range(ia + 1, min(ib, size)):
                    line[px] += 1.0 / SUB
                if ib < size:
                    line[ib] += (b - ib) / SUB
    return cov


def rounded_mask(x, y, size):
    r = size * 0.18
    cx = min(max(x + 0.5, r), size - r)
    cy = min(max(y + 0.5, r), size - r)
    d = ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) ** 0.5
    return max(0.0, min(1.0, r - d + 0.5))


def png(size, pixels):
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make(size, polys):
    cov = coverage(polys, size)
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            c = min(1.0, cov[y][x])
            rgb = [round(BG[i] * (1 - c) + FG[i] * c) for i in range(3)]
            row += rgb + [round(255 * rounded_mask(x, y, size))]
        rows.append(row)
    return png(size, rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="192,512")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    polys = glyph_polygons()
    for s in (int(v) for v in args.sizes.split(",")):
        path = os.path.join(args.out, "icon-%d.png" % s)
        with open(path, "wb") as f:
            f.write(make(s, polys))
        print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()

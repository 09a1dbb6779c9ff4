#!/usr/bin/env python3
"""Writes the libimage test fixtures and their Pillow reference resizes into tests/data/libimage/.

Run from anywhere: `python3 modules/libimage/tests/make_fixtures.py` (needs Pillow).
The outputs are committed, so the Rust tests never need Python. Everything is synthetic and
deterministic; re-running it should only change files if Pillow's encoders change.

References are Pillow's `Image.resize((w, h), Image.LANCZOS)` of the input after
`ImageOps.exif_transpose`, with palette images converted to RGB/RGBA first (Pillow itself
would resize a palette image with nearest neighbour), saved as lossless PNG.
The list `REFERENCES` below is mirrored by `REFERENCES` in `tests/pillow.rs`.
"""

import math
import os
import random
import struct
import zlib

from PIL import Image, ImageDraw, ImageFilter, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "tests", "data", "libimage"))

W, H = 64, 48


def out(name):
    return os.path.join(OUT, name)


def scene_rgb(w=W, h=H):
    """A small picture with smooth gradients and a few hard edges."""
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = (
                int(255 * x / (w - 1)),
                int(255 * y / (h - 1)),
                int(128 + 100 * math.sin(x / 5.0) * math.cos(y / 7.0)),
            )
    d = ImageDraw.Draw(im)
    d.ellipse((w * 0.15, h * 0.2, w * 0.55, h * 0.8), fill=(240, 200, 30), outline=(20, 20, 20))
    d.rectangle((w * 0.6, h * 0.1, w * 0.9, h * 0.5), fill=(30, 60, 200))
    d.line((0, h - 1, w - 1, h * 0.55), fill=(255, 255, 255), width=2)
    return im


def alpha_mask(w=W, h=H):
    """Opaque in the middle, fully transparent corners, a soft ramp in between."""
    a = Image.new("L", (w, h))
    px = a.load()
    cx, cy = w / 2, h / 2
    for y in range(h):
        for x in range(w):
            r = math.hypot((x - cx) / cx, (y - cy) / cy)
            px[x, y] = max(0, min(255, int(255 * (1.3 - r) / 0.5)))
    return a


def write_png_raw(path, w, h, bit_depth, color_type, rows):
    """Writes a PNG by hand (Pillow cannot save 16-bit RGB/RGBA)."""

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)
    return data


def make_16bit():
    """16-bit gray and RGBA PNGs whose high bytes equal the 8-bit scene (low bytes vary)."""
    rgb = scene_rgb()
    a = alpha_mask()
    gray = rgb.convert("L")
    rows_g, rows_rgba = [], []
    for y in range(H):
        rg, rr = b"", b""
        for x in range(W):
            lo = (x * 37 + y * 11) & 0xFF
            rg += struct.pack(">H", gray.getpixel((x, y)) << 8 | lo)
            r, g, b = rgb.getpixel((x, y))
            rr += struct.pack(">HHHH", r << 8 | lo, g << 8 | lo, b << 8 | lo, a.getpixel((x, y)) << 8 | lo)
        rows_g.append(rg)
        rows_rgba.append(rr)
    write_png_raw(out("gray16.png"), W, H, 16, 0, rows_g)
    write_png_raw(out("rgba16.png"), W, H, 16, 6, rows_rgba)
    # The 8-bit pictures Pillow resizes for the references: the high bytes.
    rgba = rgb.copy()
    rgba.putalpha(a)
    return {"gray16.png": gray, "rgba16.png": rgba}


def orientation_source():
    """48x32 stored pixels: red block top-left, green block top-right, gray elsewhere."""
    im = Image.new("RGB", (48, 32), (128, 128, 128))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, 11, 11), fill=(255, 0, 0))
    d.rectangle((36, 0, 47, 11), fill=(0, 255, 0))
    return im


def save_with_orientation(im, path, orientation, **kw):
    exif = Image.Exif()
    exif[0x0112] = orientation
    im.save(path, exif=exif.tobytes(), **kw)


def sample_picture():
    """A 640x400 landscape for the README quick start."""
    w, h = 640, 400
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        t = y / h
        for x in range(w):
            px[x, y] = (int(70 + 120 * t), int(130 + 80 * t), int(230 - 40 * t))
    d = ImageDraw.Draw(im)
    # Sun with a halo.
    for r, c in ((70, (255, 236, 170)), (55, (255, 220, 120)), (40, (255, 200, 60))):
        d.ellipse((470 - r, 110 - r, 470 + r, 110 + r), fill=c)
    # Hills.
    d.polygon([(0, 260), (120, 200), (260, 250), (400, 190), (560, 240), (640, 215), (640, 400), (0, 400)], fill=(70, 140, 60))
    d.polygon([(0, 320), (180, 280), (330, 315), (480, 285), (640, 330), (640, 400), (0, 400)], fill=(45, 105, 40))
    # A house.
    d.rectangle((150, 250, 250, 330), fill=(200, 80, 60), outline=(60, 30, 20), width=2)
    d.polygon([(140, 252), (200, 205), (260, 252)], fill=(110, 50, 40))
    d.rectangle((185, 290, 212, 330), fill=(80, 50, 30))
    d.rectangle((160, 265, 180, 282), fill=(250, 240, 180))
    d.rectangle((222, 265, 242, 282), fill=(250, 240, 180))
    # Trees.
    rnd = random.Random(7)
    for i in range(9):
        x = 300 + i * 36 + rnd.randint(-8, 8)
        y = 300 + rnd.randint(-15, 15)
        d.rectangle((x - 3, y, x + 3, y + 30), fill=(90, 60, 30))
        d.ellipse((x - 16, y - 34, x + 16, y + 6), fill=(30 + rnd.randint(0, 30), 90 + rnd.randint(0, 40), 35))
    im = im.filter(ImageFilter.GaussianBlur(0.8))
    im.save(out("sample.jpg"), quality=80, optimize=True)


def huge_png():
    """A valid-looking PNG header declaring 100000x100000 RGBA, with a tiny IDAT."""

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 6, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    with open(out("huge.png"), "wb") as f:
        f.write(data)


def huge_jpeg():
    """The real baseline JPEG whose SOF0 is patched to declare 65000x65000."""
    data = bytearray(open(out("baseline.jpg"), "rb").read())
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker == 0xC0:
            data[i + 5 : i + 9] = struct.pack(">HH", 65000, 65000)
            break
        i += 2 + length
    with open(out("huge.jpg"), "wb") as f:
        f.write(bytes(data))


def corrupt_files():
    png = bytearray(open(out("rgb.png"), "rb").read())
    idat = png.index(b"IDAT")
    for k in range(idat + 8, idat + 40):
        png[k] ^= 0x5A  # Garbles the zlib stream and breaks the chunk CRC.
    open(out("corrupt.png"), "wb").write(bytes(png))

    jpg = bytearray(open(out("baseline.jpg"), "rb").read())
    dht = jpg.index(b"\xff\xc4")
    for k in range(dht + 5, dht + 25):
        jpg[k] = 0xFF  # Impossible Huffman code counts.
    open(out("corrupt.jpg"), "wb").write(bytes(jpg))

    open(out("truncated.png"), "wb").write(open(out("rgb.png"), "rb").read()[:300])
    base = open(out("baseline.jpg"), "rb").read()
    open(out("truncated.jpg"), "wb").write(base[: len(base) * 2 // 3])


REFERENCES = [
    # (input, width, height)
    ("gray.png", 40, 30),
    ("gray_alpha.png", 40, 30),
    ("rgb.png", 40, 30),
    ("rgb.png", 100, 75),
    ("rgb.png", 50, 20),
    ("rgba.png", 40, 30),
    ("rgba.png", 97, 31),
    ("palette.png", 40, 30),
    ("palette_trns.png", 40, 30),
    ("gray16.png", 40, 30),
    ("rgba16.png", 40, 30),
    ("baseline.jpg", 40, 30),
    ("progressive.jpg", 40, 30),
    ("gray.jpg", 40, 30),
    ("cmyk.jpg", 40, 30),
    ("orient_6.png", 20, 30),
    ("sample.jpg", 160, 100),
] + [("orient_%d.jpg" % o, 24, 16) if o <= 4 else ("orient_%d.jpg" % o, 16, 24) for o in range(1, 9)]


def reference(name, w, h, pillow_src):
    if pillow_src is None:
        im = ImageOps.exif_transpose(Image.open(out(name)))
    else:
        im = pillow_src
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode == "CMYK":
        im = im.convert("RGB")
    res = im.resize((w, h), Image.LANCZOS)
    stem = name.replace(".", "_")
    res.save(out("ref_%s_%dx%d.png" % (stem, w, h)), optimize=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = scene_rgb()
    a = alpha_mask()
    rgb.save(out("rgb.png"), optimize=True)
    rgb.convert("L").save(out("gray.png"), optimize=True)
    la = rgb.convert("L")
    la = Image.merge("LA", (la, a))
    la.save(out("gray_alpha.png"), optimize=True)
    rgba = rgb.copy()
    rgba.putalpha(a)
    rgba.save(out("rgba.png"), optimize=True)
    pal = rgb.quantize(colors=64, dither=Image.Dither.NONE)
    pal.save(out("palette.png"), optimize=True)
    # Palette with tRNS: index 0 transparent, drawn as a border and a hole.
    pt = pal.copy()
    d = ImageDraw.Draw(pt)
    d.rectangle((0, 0, W - 1, 5), fill=0)
    d.ellipse((40, 28, 56, 44), fill=0)
    pt.save(out("palette_trns.png"), transparency=0, optimize=True)
    pillow_16 = make_16bit()

    rgb.save(out("baseline.jpg"), quality=92)
    rgb.save(out("progressive.jpg"), quality=92, progressive=True)
    rgb.convert("L").save(out("gray.jpg"), quality=92)
    rgb.convert("CMYK").save(out("cmyk.jpg"), quality=92)

    src = orientation_source()
    for o in range(1, 9):
        save_with_orientation(src, out("orient_%d.jpg" % o), o, quality=95)
    save_with_orientation(src, out("orient_6.png"), 6)

    Image.new("RGB", (8, 8), (1, 2, 3)).save(out("not_supported.gif"))
    huge_png()
    huge_jpeg()
    corrupt_files()
    sample_picture()

    for name, w, h in REFERENCES:
        reference(name, w, h, pillow_16.get(name))


if __name__ == "__main__":
    main()

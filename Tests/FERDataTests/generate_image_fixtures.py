"""Writes the image fixtures of FERDataTests once (committed; not run by the tests).

Source photograph: scikit-image's `astronaut.png` (Eileen Collins, NASA,
public domain), cropped to the face and resized to 100x100. Reference pixels
come from Pillow's own libjpeg-turbo decoder, so FERKit's decoder is checked
against an independent build of the reference library.

    python -m venv /tmp/fixtures && /tmp/fixtures/bin/pip install pillow scikit-image
    /tmp/fixtures/bin/python Tests/FERDataTests/generate_image_fixtures.py
"""
import pathlib
import struct
import zlib

import numpy as np
from PIL import Image
import skimage.data

here = pathlib.Path(__file__).parent / "Fixtures"

face = Image.fromarray(skimage.data.astronaut()).crop((140, 20, 300, 180)).resize((100, 100), Image.LANCZOS)
face.save(here / "astronaut_face.jpg", quality=90)
face.save(here / "astronaut_face_progressive.jpg", quality=90, progressive=True)
face.convert("L").save(here / "astronaut_face_gray.jpg", quality=90)
for name in ["astronaut_face.jpg", "astronaut_face_progressive.jpg", "astronaut_face_gray.jpg"]:
    # Pillow's decode of each JPEG, losslessly, as the reference.
    Image.open(here / name).save(here / name.replace(".jpg", ".reference.png"))

# CMYK JPEG, which FERKit refuses with a clear error.
Image.new("CMYK", (16, 16), (10, 200, 30, 0)).save(here / "cmyk.jpg")

# PNG variants of a known 3x2 pattern: sample (x, y, c) = 40 * x + 100 * y + 7 * c.
pattern = np.array([[[40 * x + 100 * y + 7 * c for c in range(3)] for x in range(3)] for y in range(2)], dtype=np.uint8)
Image.fromarray(pattern, "RGB").convert("P", palette=Image.ADAPTIVE, colors=8).save(here / "palette.png")
rgba = np.concatenate([pattern, np.full((2, 3, 1), 77, dtype=np.uint8)], axis=2)
Image.fromarray(rgba, "RGBA").save(here / "rgba.png")


def write_png(path, array, color_type):
    """A 16-bit PNG by hand (Pillow cannot write 16-bit RGB)."""
    height, width = array.shape[:2]
    raw = b"".join(b"\x00" + array[y].astype(">u2").tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


write_png(here / "rgb16.png", pattern.astype(np.uint16) * 257 + 100, 2)

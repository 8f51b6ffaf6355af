"""Write hostile TIFFs for the decoder's limits tests (decompression bombs, many pages).

Usage: python make_hostile.py OUT_DIR

Each bomb is a valid TIFF container whose single strip decompresses far beyond
the size its tags declare (64×64 uint8 = 4096 bytes). The files are built by
hand (tifffile refuses to write inconsistent strips); tifffile still reads
their tags, which this script checks before writing the next one.
"""

import struct
import sys
import zlib
from pathlib import Path

import imagecodecs
import numpy as np
import tifffile

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)


def one_strip_tiff(path, width, height, compression, strip):
    """Little-endian classic TIFF, one uint8 grey strip holding `strip` bytes."""
    tags = [
        (256, 4, width),
        (257, 4, height),
        (258, 3, 8),
        (259, 3, compression),
        (262, 3, 1),
        (273, 4, 0),  # patched below
        (277, 3, 1),
        (278, 4, height),
        (279, 4, len(strip)),
    ]
    ifd_at = 8
    data_at = ifd_at + 2 + 12 * len(tags) + 4
    out = bytearray(b'II*\x00' + struct.pack('<I', ifd_at))
    out += struct.pack('<H', len(tags))
    for tag, typ, val in tags:
        if tag == 273:
            val = data_at
        fmt = '<HHIHH' if typ == 3 else '<HHII'
        out += struct.pack(fmt, tag, typ, 1, val, 0) if typ == 3 else struct.pack(fmt, tag, typ, 1, val)
    out += struct.pack('<I', 0)
    out += strip
    Path(path).write_bytes(bytes(out))
    with tifffile.TiffFile(path) as t:
        p = t.pages[0]
        assert (p.imagewidth, p.imagelength, p.compression) == (width, height, compression)


GIB = 1024 ** 3
MIB = 1024 ** 2

# Deflate: 1 GiB of zeros in about 1 MB (streamed, so this script stays small too).
z = zlib.compressobj(9)
zeros = bytes(MIB)
deflate = b''.join(z.compress(zeros) for _ in range(1024)) + z.flush()
one_strip_tiff(OUT / 'bomb_deflate.tif', 64, 64, 8, deflate)
# The same stream declared as a 32768×32768 image (exactly 1 GiB): consistent, but over a limit.
one_strip_tiff(OUT / 'bomb_deflate_declared.tif', 32768, 32768, 8, deflate)
# LZW and PackBits: 64 MiB of zeros each.
one_strip_tiff(OUT / 'bomb_lzw.tif', 64, 64, 5, imagecodecs.lzw_encode(bytes(64 * MIB)))
# PackBits by hand: each (-127, 0) pair repeats 0 128 times (the codec's best ratio, 64:1).
one_strip_tiff(OUT / 'bomb_packbits.tif', 64, 64, 32773, b'\x81\x00' * (64 * MIB // 128))

# 200,000 pages of 2×3 uint8 (a long IFD chain); tifffile writes them in seconds.
pages = (np.arange(200_000 * 6) % 251).astype(np.uint8).reshape(200_000, 2, 3)
tifffile.imwrite(OUT / 'many_pages.tif', pages, metadata=None, photometric='minisblack')
np.save(OUT / 'many_pages.npy', pages)

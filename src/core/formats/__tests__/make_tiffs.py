"""Write TIFF test files (and the arrays they must decode to) for the viewer tests.

Usage: python make_tiffs.py OUT_DIR

For every case NAME this writes OUT_DIR/NAME.tif and OUT_DIR/NAME.npy (the array
the decoder must return, in the axis order the test expects). Arrays are built
deterministically so the values are known and different in every position
(a transposed or shifted decode cannot pass by accident).
"""

import sys
from pathlib import Path

import numpy as np
import tifffile

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)


def ramp(shape, dtype):
    """Values that differ at every position and span the dtype's range where possible."""
    n = int(np.prod(shape))
    base = np.arange(n, dtype=np.float64)
    dt = np.dtype(dtype)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        span = float(info.max) - float(info.min)
        # a stride coprime-ish to the size gives scattered, distinct values
        vals = info.min + np.mod(base * 7919.0, min(span, 2.0 ** 31) + 1)
        vals = vals.astype(np.float64)
        vals[0] = info.min
        vals[-1] = info.max
        return vals.astype(dt).reshape(shape)
    vals = (base - n / 2) * 0.37
    vals[0] = -1.5e30 if dt == np.float32 else -1.5e300
    vals[1] = 1.25e-7
    return vals.astype(dt).reshape(shape)


def save(name, data, expected=None, **kw):
    if data.ndim >= 3 and 'photometric' not in kw:
        kw['photometric'] = 'minisblack'
    tifffile.imwrite(OUT / f'{name}.tif', data, **kw)
    np.save(OUT / f'{name}.npy', data if expected is None else expected)


# every dtype, 2D, odd size, uncompressed single strip
for dt in ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']:
    save(f'dtype_{dt}', ramp((37, 53), dt), metadata=None)

# compressions on a small uint16 stack (plain pages, no description → ZYX guess)
stack = ramp((5, 37, 53), 'uint16')
save('comp_none', stack, metadata=None)
save('comp_lzw', stack, metadata=None, compression='lzw')
save('comp_deflate', stack, metadata=None, compression='zlib')
save('comp_packbits', stack, metadata=None, compression='packbits')
save('comp_lzw_predictor', stack, metadata=None, compression='lzw', predictor=True)
save('comp_deflate_float_predictor', ramp((3, 37, 53), 'float32'), metadata=None,
     compression='zlib', predictor=True)
# unsupported by the decoder (geotiff has no LZMA codec)
save('comp_lzma', stack, metadata=None, compression='lzma')

# striped (7 rows per strip) and tiled (16×16 tiles, image not a multiple)
save('striped', stack, metadata=None, rowsperstrip=7)
save('tiled', stack, metadata=None, tile=(16, 16))
save('tiled_deflate_int16', ramp((2, 37, 53), 'int16'), metadata=None, tile=(16, 32),
     compression='zlib')

# tifffile's own "shaped" JSON description with axes
save('shaped_cyx', ramp((3, 20, 24), 'uint16'), metadata={'axes': 'CYX'})

# RGB, interleaved and planar
rgb = ramp((20, 24, 3), 'uint8')
save('rgb_contig', rgb, photometric='rgb', metadata=None)
save('rgb_planar', np.moveaxis(rgb, -1, 0).copy(), expected=rgb, photometric='rgb',
     planarconfig='separate', metadata=None)

# OME-TIFF: TCZYX, channel names, physical sizes, time increment
ome = ramp((2, 2, 3, 20, 24), 'uint16')
save('ome_tczyx', ome, ome=True, metadata={
    'axes': 'TCZYX',
    'Channel': {'Name': ['DAPI', 'GFP']},
    'PhysicalSizeX': 0.25, 'PhysicalSizeXUnit': 'µm',
    'PhysicalSizeY': 0.5, 'PhysicalSizeYUnit': 'µm',
    'PhysicalSizeZ': 1.5, 'PhysicalSizeZUnit': 'µm',
    'TimeIncrement': 2.0, 'TimeIncrementUnit': 's',
})
# OME with a non-default DimensionOrder (XYCZT → stored Z outer, C inner)
ome_zc = ramp((3, 2, 20, 24), 'float32')
save('ome_zcyx', ome_zc, ome=True, metadata={'axes': 'ZCYX'})

# ImageJ hyperstack: TZCYX, pixel size via resolution, z spacing, unit, frame interval
ij = ramp((2, 3, 2, 20, 24), 'uint16')
save('imagej_tzcyx', ij, imagej=True, resolution=(1 / 0.2, 1 / 0.2), metadata={
    'axes': 'TZCYX', 'unit': 'um', 'spacing': 0.8, 'finterval': 5.0,
})
save('imagej_zyx_float', ramp((5, 20, 24), 'float32'), imagej=True,
     metadata={'axes': 'ZYX'})

# PNGs (imagecodecs' encoder): grey 8/16 bit, RGB, RGBA → expected YX / YXC arrays
import imagecodecs  # noqa: E402

for name, arr in [
    ('png_grey8', ramp((19, 23), 'uint8')),
    ('png_grey16', ramp((19, 23), 'uint16')),
    ('png_rgb8', ramp((19, 23, 3), 'uint8')),
    ('png_rgba16', ramp((19, 23, 4), 'uint16')),
]:
    (OUT / f'{name}.png').write_bytes(imagecodecs.png_encode(arr))
    np.save(OUT / f'{name}.npy', arr)

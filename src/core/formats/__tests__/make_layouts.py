"""Write TIFF layouts real instruments produce, and what tifffile reads from them.

Usage: python make_layouts.py OUT_DIR

For every case NAME: OUT_DIR/NAME.tif, OUT_DIR/NAME.npy (tifffile's reading of
the series the test decodes, axes moved to the decoder's order where noted) and
OUT_DIR/NAME.json (tifffile's view: series names/shapes/axes, colormap, ...).
The expected values always come from tifffile reading the written file back,
never from the array that was written.
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np
import tifffile

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)


def ramp(shape, dtype):
    """Distinct, scattered values over the dtype's range (a shifted decode cannot pass)."""
    n = int(np.prod(shape))
    dt = np.dtype(dtype)
    base = np.arange(n, dtype=np.float64)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        span = min(float(info.max) - float(info.min), 2.0 ** 31) + 1
        return (info.min + np.mod(base * 7919.0, span)).astype(dt).reshape(shape)
    return ((base - n / 2) * 0.37).astype(dt).reshape(shape)


def expect(name, series=0, moveaxis=None, **extra):
    """Save tifffile's reading of series `series` of NAME.tif, plus its metadata view."""
    with tifffile.TiffFile(OUT / f'{name}.tif') as tif:
        s = tif.series[series]
        data = s.asarray()
        if moveaxis is not None:
            data = np.moveaxis(data, *moveaxis)
        np.save(OUT / f'{name}.npy', np.ascontiguousarray(data))
        info = {
            'byteorder': tif.byteorder,
            'series': [
                {'name': x.name, 'shape': list(x.shape), 'axes': x.axes, 'dtype': str(x.dtype)}
                for x in tif.series
            ],
            'levels': len(s.levels),
            **extra,
        }
        page = tif.pages[0]
        if page.colormap is not None:
            info['colormap'] = page.colormap.tolist()
        (OUT / f'{name}.json').write_text(json.dumps(info))


# Big-endian multi-page OME-TIFFs with several strips per page (out-of-line strip
# tables), as the issue reports for Bio-Formats files; the Z × C layout follows the
# OME sample data set "bioformats-artificial/multi-channel-z-series.ome.tif"
# (5 focal planes, 3 channels), with our own pixel values and size. One row per
# strip makes the first file's strip tables (1200 bytes) larger than the slice geotiff
# reads around an IFD, the case where it read them as little-endian.
tifffile.imwrite(OUT / 'be_ome_int8_zc.tif', ramp((5, 3, 300, 48), 'int8'), byteorder='>',
                 ome=True, metadata={'axes': 'ZCYX'}, rowsperstrip=1, photometric='minisblack')
expect('be_ome_int8_zc')
tifffile.imwrite(OUT / 'be_ome_u16_deflate.tif', ramp((2, 3, 40, 48), 'uint16'), byteorder='>',
                 ome=True, metadata={'axes': 'CZYX'}, rowsperstrip=8, compression='zlib',
                 predictor=True, photometric='minisblack')
expect('be_ome_u16_deflate')
tifffile.imwrite(OUT / 'be_ome_u16_lzw_tiled.tif', ramp((3, 40, 48), 'uint16'), byteorder='>',
                 ome=True, metadata={'axes': 'ZYX'}, tile=(16, 16), compression='lzw',
                 predictor=True, photometric='minisblack')
expect('be_ome_u16_lzw_tiled')
tifffile.imwrite(OUT / 'be_float_predictor.tif', ramp((2, 40, 48), 'float32'), byteorder='>',
                 metadata=None, rowsperstrip=8, compression='zlib', predictor=True,
                 photometric='minisblack')
expect('be_float_predictor')

# ImageJ hyperstack, big-endian as ImageJ itself writes them.
tifffile.imwrite(OUT / 'be_imagej_tzcyx.tif', ramp((2, 3, 2, 20, 24), 'uint16'), byteorder='>',
                 imagej=True, metadata={'axes': 'TZCYX'}, rowsperstrip=4)
expect('be_imagej_tzcyx')


def pyramid(name, data, planar):
    """OME-TIFF with a SubIFD pyramid and 4 grey samples per pixel (4 channels, not RGBA),
    the layout of Bio-Formats' pyramid writer (bfconvert -pyramid-resolutions)."""
    with tifffile.TiffWriter(OUT / f'{name}.tif', ome=True) as w:
        kw = dict(photometric='minisblack', planarconfig='separate' if planar else 'contig',
                  compression='zlib', tile=(16, 16))
        w.write(data, subifds=2, metadata={'axes': 'CYX' if planar else 'YXC'}, **kw)
        for f in (2, 4):
            w.write(data[:, ::f, ::f] if planar else data[::f, ::f], subfiletype=1, **kw)


pyramid('pyramid4_planar', ramp((4, 64, 80), 'uint16'), True)
expect('pyramid4_planar')
pyramid('pyramid4_contig', ramp((64, 80, 4), 'uint8'), False)
expect('pyramid4_contig', moveaxis=(-1, 0))


def one_value_per_page(path, tag_code):
    """Rewrite a per-sample tag (e.g. BitsPerSample) to a single inline value, as some
    writers (Bio-Formats among them) store it; the TIFF spec allows readers to expect N."""
    with tifffile.TiffFile(path) as tif:
        entries = [(p.tags[tag_code].offset, p.tags[tag_code].value[0]) for p in tif.pages]
        le = tif.byteorder == '<'
    b = bytearray(Path(path).read_bytes())
    e = '<' if le else '>'
    for at, value in entries:
        struct.pack_into(e + 'HHIHH', b, at, tag_code, 3, 1, value, 0)
    Path(path).write_bytes(bytes(b))


tifffile.imwrite(OUT / 'samples4_short_tags.tif', ramp((3, 4, 24, 32), 'int16'),
                 photometric='minisblack', planarconfig='separate', metadata=None)
one_value_per_page(OUT / 'samples4_short_tags.tif', 258)
one_value_per_page(OUT / 'samples4_short_tags.tif', 339)
expect('samples4_short_tags')

# Palette (PhotometricInterpretation 3): indices plus a 16-bit colour map.
cmap = ramp((3, 256), 'uint16')
tifffile.imwrite(OUT / 'palette.tif', ramp((30, 40), 'uint8'), photometric='palette',
                 colormap=cmap, metadata=None)
expect('palette')

# Multi-series OME-TIFF (several <Image> elements), like the OME sample
# "bioformats-artificial/multi-image-pixels.ome.tif" (several series in one file).
with tifffile.TiffWriter(OUT / 'ome_series.tif', ome=True) as w:
    w.write(ramp((2, 3, 20, 24), 'uint16'), photometric='minisblack',
            metadata={'axes': 'CZYX', 'Name': 'first'})
    w.write(ramp((5, 16, 18), 'uint8'), photometric='minisblack', compression='zlib',
            metadata={'axes': 'TYX', 'Name': 'second'})
    w.write(ramp((12, 14), 'float32'), photometric='minisblack', metadata={'axes': 'YX', 'Name': 'third'})
for k in range(3):
    tifffile.TiffFile(OUT / 'ome_series.tif').close()
    with tifffile.TiffFile(OUT / 'ome_series.tif') as tif:
        np.save(OUT / f'ome_series_{k}.npy', tif.series[k].asarray())
expect('ome_series')

# OME TiffData mapping: 2 C × 3 Z planes stored in a scrambled page order, each
# plane's IFD given by TiffData (one element covering two consecutive planes).
planes = ramp((6, 10, 12), 'uint16')
order = [4, 1, 5, 0, 3, 2]  # page k holds linear plane order[k] (XYZCT: z fastest)
ifd_of = {plane: k for k, plane in enumerate(order)}
tds = []
for plane in range(6):
    z, c = plane % 3, plane // 3
    if plane == 5:
        continue  # covered by plane 4's element below
    count = 2 if plane == 4 and ifd_of[5] == ifd_of[4] + 1 else 1
    tds.append(f'<TiffData FirstZ="{z}" FirstC="{c}" FirstT="0" IFD="{ifd_of[plane]}" PlaneCount="{count}"/>')
if ifd_of[5] != ifd_of[4] + 1:
    tds.append(f'<TiffData FirstZ="2" FirstC="1" FirstT="0" IFD="{ifd_of[5]}" PlaneCount="1"/>')
xml = ('<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">'
       '<Image ID="Image:0" Name="mapped"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" '
       'SizeX="12" SizeY="10" SizeZ="3" SizeC="2" SizeT="1"><Channel ID="Channel:0:0" Name="a"/>'
       '<Channel ID="Channel:0:1" Name="b"/>' + ''.join(tds) + '</Pixels></Image></OME>')
tifffile.imwrite(OUT / 'ome_tiffdata.tif', planes[order], description=xml, metadata=None,
                 photometric='minisblack')
expect('ome_tiffdata')

# 1-bit (bilevel) masks: not decoded yet; the test checks the message.
tifffile.imwrite(OUT / 'bilevel.tif', (ramp((16, 16), 'uint8') > 100), metadata=None)

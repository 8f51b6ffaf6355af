"""Read a TIFF with tifffile and report what it sees (for encodeTiff tests).

Usage: python read_tiff.py IN.tif OUT.npy
Prints JSON: shape, dtype, axes, flavour flags and calibration; writes the
series-0 array to OUT.npy.
"""

import json
import sys

import numpy as np
import tifffile

with tifffile.TiffFile(sys.argv[1]) as tif:
    series = tif.series[0]
    data = series.asarray()
    page = tif.pages[0]
    info = {
        'shape': list(data.shape),
        'dtype': str(data.dtype),
        'axes': series.axes,
        'is_imagej': tif.is_imagej,
        'is_ome': tif.is_ome,
        'pages': len(tif.pages),
    }
    if tif.is_imagej:
        md = tif.imagej_metadata
        info['imagej'] = {k: md[k] for k in ('unit', 'spacing', 'finterval', 'channels', 'slices', 'frames') if k in md}
        if 'XResolution' in page.tags:
            num, den = page.tags['XResolution'].value
            info['pixel_size_x'] = den / num
    if tif.is_ome:
        import xml.etree.ElementTree as ET
        root = ET.fromstring(tif.ome_metadata)
        ns = {'ome': root.tag.split('}')[0].strip('{')}
        px = root.find('.//ome:Pixels', ns)
        info['ome'] = {
            'DimensionOrder': px.get('DimensionOrder'),
            'PhysicalSizeX': px.get('PhysicalSizeX'),
            'PhysicalSizeXUnit': px.get('PhysicalSizeXUnit'),
            'channels': [c.get('Name') for c in px.findall('ome:Channel', ns)],
        }
np.save(sys.argv[2], data)
print(json.dumps(info))

/**
 * OME-XML parsing must stay linear on hostile descriptions: each case used to
 * be a quadratic regular-expression scan (a 530 KB description took over a
 * minute). The 2 s bound is a generous safety net on a slow machine, not a
 * benchmark: the linear parser takes milliseconds.
 */
import { MAX_OME_XML_CHARS, readOmeXml } from '../tiff/ome';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?><OME xmlns="x">';
const N = 90_000;

/** Run `f`, returning its result and the elapsed milliseconds. */
function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

describe('hostile OME-XML descriptions finish quickly with a clear result', () => {
  const cases: [string, string, RegExp][] = [
    [
      'an unterminated <Pixels> start tag with many attributes',
      HEAD + '<Image><Pixels ' + 'a="1" '.repeat(N),
      /not well-formed XML/
    ],
    [
      'an unterminated quoted attribute value',
      HEAD + '<Image><Pixels SizeX="' + 'a'.repeat(6 * N),
      /not well-formed XML/
    ],
    ['many "<" characters', HEAD + '<'.repeat(6 * N), /not well-formed XML/],
    [
      'many <Pixels starts without ">"',
      HEAD + '<Image>' + '<Pixels '.repeat(N),
      /not well-formed XML/
    ],
    [
      'a long run of name characters without "="',
      HEAD + '<Image><Pixels ' + 'a'.repeat(6 * N) + '>',
      /not well-formed XML/
    ],
    [
      'one attribute repeated many times',
      HEAD + '<Image><Pixels ' + 'SizeX="1" '.repeat(N) + '/></Image></OME>',
      /duplicate attribute/
    ],
    [
      'deeply nested elements, never closed',
      HEAD + '<Image>' + '<a>'.repeat(2 * N),
      /not well-formed XML/
    ],
    [
      'an entity-expansion (DTD) attempt',
      '<?xml version="1.0"?><!DOCTYPE OME [<!ENTITY a "' +
        'x'.repeat(6 * N) +
        '">]><OME><Image Name="&a;&a;&a;"><Pixels SizeX="1"/></Image></OME>',
      /not well-formed XML/
    ]
  ];
  it.each(cases)('%s', (_, xml, warning) => {
    expect(xml.length).toBeGreaterThan(530_000);
    const { value, ms } = timed(() => readOmeXml(xml));
    expect(value.ome).toBeUndefined();
    expect(value.warning).toMatch(warning);
    expect(value.warning).toMatch(/read as a plain TIFF/);
    expect(ms).toBeLessThan(2000);
  });

  it('a large but valid description (40,000 channels) is read completely', () => {
    const channels = Array.from(
      { length: 40_000 },
      (_, i) =>
        `<Channel ID="Channel:0:${i}" Name="ch&amp;${i}" SamplesPerPixel="1"/>`
    ).join('');
    const xml =
      HEAD +
      '<Image ID="Image:0" Name="big"><Pixels DimensionOrder="XYCZT" SizeX="4" SizeY="3" ' +
      'SizeZ="1" SizeC="40000" SizeT="1" Type="uint8" PhysicalSizeX="0.5">' +
      channels +
      '<TiffData IFD="0" PlaneCount="40000"/></Pixels></Image></OME>';
    expect(xml.length).toBeGreaterThan(2_500_000);
    const { value, ms } = timed(() => readOmeXml(xml));
    expect(value.warning).toBeUndefined();
    const ome = value.ome!;
    expect(ome.channelNames.length).toBe(40_000);
    expect(ome.channelNames[39_999]).toBe('ch&39999');
    expect(ome.sizes).toEqual({ x: 4, y: 3, z: 1, c: 40000, t: 1 });
    expect(ome.physicalSize).toEqual({ x: { value: 0.5, unit: 'µm' } });
    expect(ome.tiffData).toEqual([
      { ifd: 0, planeCount: 40000, firstZ: 0, firstC: 0, firstT: 0 }
    ]);
    expect(ms).toBeLessThan(2000);
  });

  it(`a description over ${MAX_OME_XML_CHARS} characters is not parsed`, () => {
    const xml = HEAD + ' '.repeat(MAX_OME_XML_CHARS) + '</OME>';
    const { value, ms } = timed(() => readOmeXml(xml));
    expect(value.ome).toBeUndefined();
    expect(value.warning).toBe(
      `The OME-XML metadata is ${xml.length} characters long, more than the ` +
        `${MAX_OME_XML_CHARS} the viewer reads; it is ignored and the pages are read as a plain TIFF.`
    );
    expect(ms).toBeLessThan(2000);
  });
});

describe('OME-XML contents', () => {
  it('reads every series, namespaced names, entities and TiffData with UUIDs', () => {
    const xml =
      '<?xml version="1.0"?><ome:OME xmlns:ome="http://www.openmicroscopy.org/Schemas/OME/2016-06" ' +
      'UUID="urn:uuid:1">' +
      '<ome:Image ID="Image:0" Name="first &lt;A&gt;"><ome:Pixels DimensionOrder="XYZCT" ' +
      'SizeX="8" SizeY="6" SizeZ="3" SizeC="2" SizeT="1" Type="int8" PhysicalSizeZ="2" ' +
      'PhysicalSizeZUnit="&#181;m">' +
      '<ome:Channel Name="DAPI"/><ome:Channel Name="GFP"/>' +
      '<ome:TiffData FirstC="1" IFD="3" PlaneCount="3"><ome:UUID FileName="a.ome.tif">' +
      'urn:uuid:1</ome:UUID></ome:TiffData><ome:TiffData IFD="0" PlaneCount="3"/>' +
      '</ome:Pixels></ome:Image>' +
      '<ome:Image ID="Image:1" Name="second"><ome:Pixels DimensionOrder="XYCZT" SizeX="4" ' +
      'SizeY="3" SizeZ="1" SizeC="1" SizeT="5" Type="uint16"><ome:TiffData IFD="6"/>' +
      '</ome:Pixels></ome:Image></ome:OME>';
    const ome = readOmeXml(xml).ome!;
    expect(ome.imageCount).toBe(2);
    expect(ome.uuid).toBe('urn:uuid:1');
    expect(ome.name).toBe('first <A>');
    expect(ome.channelNames).toEqual(['DAPI', 'GFP']);
    expect(ome.physicalSize).toEqual({ z: { value: 2, unit: 'µm' } });
    expect(ome.tiffData).toEqual([
      {
        ifd: 3,
        planeCount: 3,
        firstZ: 0,
        firstC: 1,
        firstT: 0,
        fileName: 'a.ome.tif',
        uuid: 'urn:uuid:1'
      },
      { ifd: 0, planeCount: 3, firstZ: 0, firstC: 0, firstT: 0 }
    ]);
    expect(ome.images.map(i => [i.name, i.dimensionOrder, i.type])).toEqual([
      ['first <A>', 'XYZCT', 'int8'],
      ['second', 'XYCZT', 'uint16']
    ]);
    // IFD without PlaneCount: one plane, per the OME schema
    expect(ome.images[1].tiffData).toEqual([
      { ifd: 6, planeCount: 1, firstZ: 0, firstC: 0, firstT: 0 }
    ]);
    expect(ome.images[1].sizes.t).toBe(5);
  });
});

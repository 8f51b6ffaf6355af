/**
 * The decoder's time and memory bounds on hostile TIFFs written by
 * make_hostile.py: decompression bombs (a ~1 MB strip declared as 4096 bytes
 * that inflates to 1 GiB / 64 MiB) and a 200,000-page file. Before the bounded
 * codecs, the Deflate bomb "decoded" in 12 s with a 2.1 GB peak RSS and the LZW
 * bomb crashed Node. The time and memory bounds are generous safety nets on a
 * slow machine, not benchmarks.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../../tensor/npy';
import { DecodeError, decodeImage, openImage } from '..';

const PYTHON = path.resolve(__dirname, '../../../../.venv/bin/python');
const MB = 1024 * 1024;
let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-hostile-'));
  execFileSync(PYTHON, [path.join(__dirname, 'make_hostile.py'), dir], {
    stdio: 'pipe'
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytesOf = (name: string): Uint8Array =>
  new Uint8Array(fs.readFileSync(path.join(dir, name)));

/** Run `f`, returning what it threw, the elapsed time and memory growth. */
async function measureFailure(f: () => Promise<unknown>): Promise<{
  error: DecodeError;
  ms: number;
  rssMB: number;
  buffersMB: number;
}> {
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  let error: unknown;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  // Measured before any chance of a GC pause freeing what decoding allocated.
  const m1 = process.memoryUsage();
  expect(error).toBeInstanceOf(DecodeError);
  return {
    error: error as DecodeError,
    ms,
    rssMB: (m1.rss - m0.rss) / MB,
    buffersMB: (m1.arrayBuffers - m0.arrayBuffers) / MB
  };
}

describe('decompression bombs stop early with a clear error', () => {
  it.each([
    ['bomb_deflate.tif', 'Deflate (1 GiB)'],
    ['bomb_lzw.tif', 'LZW (64 MiB)'],
    ['bomb_packbits.tif', 'PackBits (64 MiB)']
  ])('%s: %s', async name => {
    const b = bytesOf(name);
    const r = await measureFailure(() => decodeImage(b, name));
    expect(r.error.kind).toBe('corrupt');
    expect(r.error.message).toBe(
      `${name}: strip 1 of page 1 decompresses to more than the 4096 bytes its tags declare ` +
        '(RowsPerStrip × ImageWidth × samples × bytes per sample); the file is damaged or was ' +
        'built to exhaust memory, so decoding stopped.'
    );
    expect(r.ms).toBeLessThan(2000);
    expect(r.rssMB).toBeLessThan(300);
    expect(r.buffersMB).toBeLessThan(300);
  });

  it('a strip declared as 1 GiB is refused by maxBytes before inflating', async () => {
    const b = bytesOf('bomb_deflate_declared.tif');
    const r = await measureFailure(() =>
      decodeImage(b, 'big.tif', { maxBytes: 64 * MB })
    );
    expect(r.error.kind).toBe('too-large');
    expect(r.error.message).toBe(
      'big.tif: this image would need 1 GB in memory, more than the 64 MB limit; ' +
        'raise the limit in Settings → BioImage.'
    );
    expect(r.ms).toBeLessThan(2000);
    expect(r.rssMB).toBeLessThan(300);
  });
});

describe('a 200,000-page TIFF', () => {
  it('decodes fully, every value equal to tifffile, in bounded time', async () => {
    const b = bytesOf('many_pages.tif');
    const t0 = performance.now();
    const img = await decodeImage(b, 'many.tif');
    const ms = performance.now() - t0;
    const exp = readNpy(bytesOf('many_pages.npy'));
    expect(img.shape).toEqual([200_000, 2, 3]);
    expect(img.axes).toBe('ZYX');
    expect(img.source.planeCount).toBe(200_000);
    expect(
      Buffer.from(img.array.data.buffer).equals(Buffer.from(exp.data.buffer))
    ).toBe(true);
    // Before: over 10 s through geotiff's per-page IFD requests; now 3-6 s under
    // jest (0.5 s of it the IFD walk in plain Node). A generous bound that a
    // quadratic walk (10^10 steps) would still break.
    expect(ms).toBeLessThan(15000);
  });

  it('reads its last plane without decoding the others', async () => {
    const src = await openImage(bytesOf('many_pages.tif'), 'many.tif');
    const t0 = performance.now();
    const plane = await src.readPlane({ z: 199_999 });
    expect(performance.now() - t0).toBeLessThan(100);
    const exp = readNpy(bytesOf('many_pages.npy'));
    expect(Array.from(plane.data as Uint8Array)).toEqual(
      Array.from((exp.data as Uint8Array).subarray(199_999 * 6))
    );
  });
});

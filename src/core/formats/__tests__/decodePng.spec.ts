/**
 * PNG decoding. Runs in the `lab` jest project: fast-png is ESM-only and cannot
 * be loaded by the Node (vm-modules) `core` project. Expected arrays come from
 * Python (imagecodecs wrote the PNGs, numpy the .npy files).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../../tensor/npy';
import { decodeImage } from '..';

const PYTHON = path.resolve(__dirname, '../../../../.venv/bin/python');
let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioimage-png-'));
  execFileSync(PYTHON, [path.join(__dirname, 'make_tiffs.py'), dir], {
    stdio: 'pipe'
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (name: string): Uint8Array =>
  new Uint8Array(fs.readFileSync(path.join(dir, name)));

it.each([
  ['png_grey8', 'YX', 'uint8'],
  ['png_grey16', 'YX', 'uint16'],
  ['png_rgb8', 'YXC', 'uint8'],
  ['png_rgba16', 'YXC', 'uint16']
])('%s decodes exactly', async (name, axes, dtype) => {
  const img = await decodeImage(read(`${name}.png`), `${name}.png`);
  const exp = readNpy(read(`${name}.npy`));
  expect(img.axes).toBe(axes);
  expect(img.dtype).toBe(dtype);
  expect(img.shape).toEqual(exp.shape);
  expect(Array.from(img.array.data as Uint16Array)).toEqual(
    Array.from(exp.data as Uint16Array)
  );
  expect(img.source.format).toBe('png');
});

it('refuses a PNG header claiming an absurd size', async () => {
  const b = read('png_grey8.png').slice();
  new DataView(b.buffer).setUint32(16, 200000);
  new DataView(b.buffer).setUint32(20, 200000);
  await expect(decodeImage(b, 'big.png')).rejects.toThrow(
    /big\.png: this image would need 149 GB/
  );
});

/**
 * `predict <model> <image> -o <out.tif|npy> [--tile Y,X] [--axes yx] …`:
 * tiled prediction of an image of any size, with the same pipeline as the
 * browser worker (preprocessing on the whole image, blocks with the
 * declared halo, reflect padding, stitching, postprocessing).
 */
import { readFile, writeFile } from 'fs/promises';
import * as path from 'path';
import { writeNpy } from '../core/tensor/npy';
import { imageToInput, outputToImage } from '../core/inference/axes';
import { predict } from '../core/inference/pipeline';
import type { INDArray, ITensor } from '../core/tensor/tensor';
import type { ITilingOptions } from '../core/inference/tiling';
import { decodeImage, encodeTiff } from '../core/formats';
import { outputFileAt } from '../core/record/output-files';
import {
  EXIT_OK,
  ICliIO,
  ISessionOptions,
  openPackage,
  openSession,
  shapeText,
  UsageError
} from './common';

/** Options of {@link predictCommand}. */
export interface IPredictCommandOptions extends ISessionOptions {
  output: string;
  /** `--tile`: block shape per axis id, or false for one untiled block. */
  tiling?: ITilingOptions | false;
  /** `--axes`: image axis letters, overriding what the file says. */
  axes?: string;
}

/**
 * Parse `--tile`: "512,512" (Y,X), "32,256,256" (Z,Y,X), "y=256,x=512", or
 * "none" for an untiled run.
 */
export function parseTile(text: string): ITilingOptions | false {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === 'off') {
    return false;
  }
  const parts = t.split(',').map(p => p.trim());
  const blockShape: Record<string, number> = {};
  const positional = ['z', 'y', 'x'].slice(3 - parts.length);
  if (parts.length > 3 && !parts.every(p => p.includes('='))) {
    throw new UsageError(`--tile '${text}': give Y,X or Z,Y,X (or y=…,x=…)`);
  }
  parts.forEach((p, i) => {
    const m = /^(?:([a-z]\w*)=)?(\d+)$/.exec(p);
    if (!m) {
      throw new UsageError(
        `--tile '${text}': expected positive integers such as 512,512 or y=512,x=512`
      );
    }
    const value = Number(m[2]);
    if (value < 1) {
      throw new UsageError(`--tile '${text}': sizes must be positive`);
    }
    blockShape[m[1] ?? positional[i]] = value;
  });
  return { blockShape };
}

async function readImage(
  file: string,
  axes: string | undefined
): Promise<{ array: INDArray; axes: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`cannot read image '${file}': ${(e as Error).message}`);
  }
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isNpy = view[0] === 0x93 && file.toLowerCase().endsWith('.npy');
  const decoded = await decodeImage(view, path.basename(file), {
    axes: axes && isNpy ? axes.toUpperCase() : undefined
  });
  let letters = decoded.axes;
  if (axes) {
    if (axes.length !== decoded.array.shape.length) {
      throw new UsageError(
        `--axes '${axes}' names ${axes.length} axes but '${file}' has ` +
          `${decoded.array.shape.length} (shape ${shapeText(decoded.array.shape)}, read as '${decoded.axes}')`
      );
    }
    letters = axes;
  }
  return { array: decoded.array, axes: letters.toLowerCase() };
}

export async function predictCommand(
  modelLocation: string,
  imageFile: string,
  options: IPredictCommandOptions,
  io: ICliIO
): Promise<number> {
  const ext = path.extname(options.output).toLowerCase();
  if (!['.npy', '.tif', '.tiff'].includes(ext)) {
    throw new UsageError(
      `-o '${options.output}': the output must be a .npy, .tif or .tiff file`
    );
  }
  const started = Date.now();
  const image = await readImage(imageFile, options.axes);
  const pkg = await openPackage(modelLocation);
  const model = pkg.model;
  if (model.inputs.length !== 1) {
    throw new UsageError(
      `'${model.name}' takes ${model.inputs.length} inputs; the CLI feeds one image ` +
        '(use the Python bioimageio.core for multi-input models)'
    );
  }
  let mapped;
  try {
    mapped = imageToInput(image.array, image.axes, model.inputs[0]);
  } catch (e) {
    throw new UsageError(
      `${imageFile} (axes '${image.axes}', shape ${shapeText(image.array.shape)}): ${(e as Error).message}` +
        ' (override the axes with --axes)'
    );
  }
  const session = await openSession(pkg, options, io);
  let tiles = 0;
  let outputs;
  try {
    outputs = await predict(model, session, [mapped.tensor], {
      tiling: options.tiling ?? {},
      onPlan: plan => {
        tiles = plan.nTiles;
        const grids = plan.grids
          .filter(g => g.axisId !== 'batch')
          .map(
            g =>
              `${g.axisId}: ${g.size} px, block ${g.block}, halo ${g.halo}, ${g.starts.length} tile(s)`
          );
        io.err(`tiling: ${plan.nTiles} tile(s) — ${grids.join('; ')}`);
        for (const note of plan.notes) {
          io.err(`note: ${note}`);
        }
      }
    });
  } finally {
    await session.release();
  }
  for (const d of model.outputs) {
    const result = outputToImage(outputs.get(d.id) as ITensor, mapped.mapping);
    const file = outputFileAt(options.output, d.id, model.outputs.length);
    const array = {
      dtype: result.dtype,
      shape: result.shape,
      data: result.data
    };
    let bytes: Uint8Array;
    if (ext === '.npy') {
      bytes = writeNpy(array);
    } else {
      try {
        bytes = encodeTiff(array, result.axes.join('').toUpperCase());
      } catch (e) {
        throw new UsageError(
          `cannot write output '${d.id}' (axes ${result.axes.join('')}, ${result.dtype}) as TIFF: ` +
            `${(e as Error).message}; write .npy instead`
        );
      }
    }
    await writeFile(file, bytes);
    io.out(
      `wrote ${file}: output '${d.id}', axes ${result.axes.join('')}, shape ${shapeText(result.shape)}, ${result.dtype}`
    );
  }
  io.out(
    `${tiles} tile(s) on ${session.backend} in ${((Date.now() - started) / 1000).toFixed(1)} s`
  );
  return EXIT_OK;
}

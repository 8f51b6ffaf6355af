import * as path from 'path';

/** The shared bioimage.io fixtures, read in place (never copied into the repo). */
export const FIXTURES =
  process.env.BIOIMAGE_FIXTURES ?? path.resolve(__dirname, '../../../../shared/fixtures');

/** The Python of the development venv (numpy, tifffile) for making test data. */
export const PYTHON = process.env.BIOIMAGE_PYTHON ?? path.resolve(__dirname, '../../../.venv/bin/python');

/** Files of the runnable fixture model needed to test and run it. */
export const UNET_FILES = [
  'bioimageio.yaml',
  'v0_4_9.bioimageio.yaml',
  'v0_4_0.bioimageio.yaml',
  'weights.onnx',
  'test_input.npy',
  'test_output.npy'
];

export const UNET_DIR = path.join(FIXTURES, 'models', 'unet2d_nuclei_broad');

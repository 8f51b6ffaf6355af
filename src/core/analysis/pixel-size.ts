/**
 * Comparing the user's pixel size with the one a model was trained on. Used
 * both when ranking models (fit.ts) and when checking a chosen model's
 * domain shift (domain-shift.ts), so the two steps never disagree.
 */

/**
 * How far a pixel-size ratio (image ÷ model) is from 1.
 * - `close`: within [0.8, 1.25]; networks tolerate this much.
 * - `near`: within [0.5, 2]; objects are up to twice or half the size the
 *   model learnt, which usually still works but less well.
 * - `far`: beyond that; objects look like nothing in the training data.
 */
export type PixelSizeBand = 'close' | 'near' | 'far';

/** Lower and upper ratio of the `close` band. */
export const PIXEL_SIZE_CLOSE: readonly [number, number] = [0.8, 1.25];

/** Lower and upper ratio of the `near` band. */
export const PIXEL_SIZE_NEAR: readonly [number, number] = [0.5, 2];

/** The band of a pixel-size ratio (image ÷ model). */
export function pixelSizeBand(ratio: number): PixelSizeBand {
  if (ratio >= PIXEL_SIZE_CLOSE[0] && ratio <= PIXEL_SIZE_CLOSE[1]) {
    return 'close';
  }
  if (ratio >= PIXEL_SIZE_NEAR[0] && ratio <= PIXEL_SIZE_NEAR[1]) {
    return 'near';
  }
  return 'far';
}

/** A number with two significant digits and no trailing zeros: 0.65, 0.5, 12. */
export function twoDigits(v: number): string {
  return String(Number(v.toPrecision(2)));
}

/**
 * A sentence comparing the user's pixel size with the model's, e.g. "your
 * pixels are 2.1× larger than the model's training data (0.65 µm vs
 * 0.31 µm); rescale the image by 2.1 or expect poorer results".
 */
export function describePixelSizes(userUm: number, modelUm: number): string {
  const ratio = userUm / modelUm;
  const sizes = `${twoDigits(userUm)} µm vs ${twoDigits(modelUm)} µm`;
  if (pixelSizeBand(ratio) === 'close') {
    return `your pixel size matches the model's training data (${sizes})`;
  }
  // Rescaling by the ratio makes one new pixel as large as the model's.
  const advice = `rescale the image by ${twoDigits(ratio)} or expect poorer results`;
  return ratio > 1
    ? `your pixels are ${ratio.toFixed(1)}× larger than the model's training data (${sizes}); ${advice}`
    : `your pixels are ${(1 / ratio).toFixed(1)}× smaller than the model's training data (${sizes}); ${advice}`;
}

/**
 * Checks of how the image's shape fits the model input: dimensions, extra
 * axes, channels and size. They also collect the channel and plane choices
 * that make the image fit, in the conventions of `imageToInput`
 * (core/inference/axes.ts).
 */
import { admitsOne } from '../inference/axes';
import type { ICatalogEntry } from '../catalog/types';
import type { AxisSize, IAxis, ITensorDescr } from '../spec/types';
import type { IImageSummary } from './image-summary';
import {
  FIT_PENALTIES,
  IChoices,
  IScored,
  fail,
  notLoaded,
  ok,
  plural,
  warn
} from './fit-types';

/** Smallest length an input axis accepts, or null when it depends on another tensor. */
function minSize(size: AxisSize): number | null {
  switch (size.kind) {
    case 'fixed':
      return size.value;
    case 'parameterized':
      return size.min;
    case 'any':
      return 1;
    default:
      return null;
  }
}

/** Space axes that can hold more than one pixel (a fixed length-1 z is no z). */
function realSpaceAxes(input: ITensorDescr): IAxis[] {
  return input.axes.filter(
    a => a.type === 'space' && !(a.size.kind === 'fixed' && a.size.value === 1)
  );
}

/** A 2D/3D model against a single plane or a z-stack. */
export function checkDims(
  image: IImageSummary,
  entry: ICatalogEntry,
  input: ITensorDescr | undefined,
  choices: IChoices
): IScored {
  let dims: 2 | 3 | null;
  let zAdmitsOne = false;
  if (input) {
    const n = realSpaceAxes(input).length;
    dims = n === 2 || n === 3 ? n : null;
    const z = input.axes.find(a => a.type === 'space' && a.id === 'z');
    zAdmitsOne = z !== undefined && admitsOne(z.size);
  } else {
    dims = entry.dims === '2D' ? 2 : entry.dims === '3D' ? 3 : null;
  }
  const z = image.sizes.z;
  if (dims === null) {
    return warn(
      'dims',
      'cannot tell whether this is a 2D or a 3D model',
      FIT_PENALTIES.unknown
    );
  }
  if (dims === 2 && image.spatialDims === 3) {
    const middle = Math.floor(z / 2);
    choices.select.z = middle;
    return warn(
      'dims',
      `2D model; your image is a z-stack of ${z} planes — the middle plane ` +
        `(z=${middle}) is used; run it plane by plane to process the whole stack`,
      FIT_PENALTIES.planeOfStack
    );
  }
  if (dims === 3 && image.spatialDims === 2) {
    return zAdmitsOne
      ? warn(
          'dims',
          '3D model; your image is a single plane — it will run, but the model is made for z-stacks',
          FIT_PENALTIES.stackOfOnePlane
        )
      : fail(
          'dims',
          'this 3D model needs a z-stack; your image is a single plane'
        );
  }
  return ok(
    'dims',
    dims === 2
      ? '2D model, and your image is a single plane'
      : `3D model, and your image is a z-stack of ${z} planes`
  );
}

/** Time and index axes of the model input against the image. */
export function checkAxes(
  image: IImageSummary,
  input: ITensorDescr | undefined,
  choices: IChoices
): IScored {
  if (!input) {
    return notLoaded('axes', 'the axes');
  }
  const time = input.axes.find(a => a.type === 'time');
  const t = image.sizes.t;
  const problems: IScored[] = [];
  if (time && t === 1 && !admitsOne(time.size)) {
    problems.push(
      fail(
        'axes',
        'this model needs a time series; your image has a single time point'
      )
    );
  }
  for (const a of input.axes.filter(x => x.type === 'index')) {
    if (!admitsOne(a.size)) {
      problems.push(
        fail(
          'axes',
          `this model needs an extra '${a.id}' axis that your image does not have`
        )
      );
    }
  }
  if (problems.length > 0) {
    return problems[0];
  }
  if (!time && t > 1) {
    choices.select.t = 0;
    return warn(
      'axes',
      `this model has no time axis; your image has ${t} time points — the ` +
        'first (t=0) is used; run it frame by frame to process the whole series',
      FIT_PENALTIES.selectAxis
    );
  }
  return ok(
    'axes',
    `your image's axes (${image.axes}) map onto the model input ` +
      `(${input.axes.map(a => a.id).join(', ')})`
  );
}

/**
 * Image channel indices to feed `wanted` model channels: the image channels
 * named like the model's, when all are found, else the first ones.
 */
function suggestChannels(
  image: IImageSummary,
  wanted: number,
  modelNames: string[] | undefined
): number[] {
  const imageNames = image.channelNames?.map(n => n.toLowerCase());
  if (imageNames && modelNames && modelNames.length === wanted) {
    const found = modelNames.map(n => imageNames.indexOf(n.toLowerCase()));
    if (found.every(i => i >= 0) && new Set(found).size === found.length) {
      return found;
    }
  }
  return Array.from({ length: wanted }, (_, i) => i);
}

/** The channels the model expects against the image's. */
export function checkChannels(
  image: IImageSummary,
  entry: ICatalogEntry,
  input: ITensorDescr | undefined,
  choices: IChoices
): IScored {
  const axis = input?.axes.find(a => a.type === 'channel');
  let expected: number | null;
  if (input) {
    // No channel axis means one channel, as the catalog counts it.
    expected = !axis
      ? 1
      : axis.channelNames?.length
        ? axis.channelNames.length
        : axis.size.kind === 'fixed'
          ? axis.size.value
          : null;
  } else {
    expected = entry.inputChannels;
  }
  const have = image.sizes.c;
  if (expected === null) {
    return ok(
      'channels',
      `this model takes any number of channels; your image has ${have}`
    );
  }
  if (have === expected) {
    return ok('channels', `${plural(have, 'channel')}, as the model expects`);
  }
  if (have < expected) {
    return fail(
      'channels',
      `this model expects ${plural(expected, 'channel')}; your image has only ${have}`
    );
  }
  const picked = suggestChannels(image, expected, axis?.channelNames);
  choices.channels = picked;
  if (input && !axis) {
    // imageToInput drops an image channel axis only through `select`.
    choices.select.c = picked[0];
  }
  const names = picked.map(i => {
    const n = image.channelNames?.[i];
    return n ? `${i} (${n})` : `${i}`;
  });
  return warn(
    'channels',
    `this model expects ${plural(expected, 'channel')}; your image has ${have} — ` +
      `pick ${expected === 1 ? 'one' : expected} (suggested: ` +
      `${expected === 1 ? 'channel' : 'channels'} ${names.join(', ')})`,
    FIT_PENALTIES.pickChannels
  );
}

/** The image's spatial size against the model's smallest input. */
export function checkSize(
  image: IImageSummary,
  input: ITensorDescr | undefined
): IScored {
  if (!input) {
    return notLoaded('size', 'the input size');
  }
  const ids = (['z', 'y', 'x'] as const).filter(id =>
    input.axes.some(
      a =>
        a.type === 'space' &&
        a.id === id &&
        !(id === 'z' && image.spatialDims === 2)
    )
  );
  const have = ids.map(id => image.sizes[id]);
  // A size that follows another input cannot be too small on its own.
  const need = ids.map((id, i) => {
    const axis = input.axes.find(a => a.type === 'space' && a.id === id);
    return (axis && minSize(axis.size)) ?? have[i];
  });
  const dims = `(${ids.join('×')})`;
  if (need.some((m, i) => m > have[i])) {
    return warn(
      'size',
      `your image is ${have.join('×')} pixels ${dims}; this model needs at least ` +
        `${need.join('×')} — it will be padded, which can give poorer results at the edges`,
      FIT_PENALTIES.padded
    );
  }
  return ok(
    'size',
    `your image (${have.join('×')} pixels) is at least the model's smallest input (${need.join('×')})`
  );
}

/**
 * Mapping between a user's image (axes given as letters such as 'yx',
 * 'cyx', 'yxc', 'zyx', 'tczyx') and a model tensor's axis order, and back
 * for outputs. Errors say what to change ("pick one channel", "select a z
 * plane") because they are shown to people choosing a model.
 */
import type { AxisSize, ITensorDescr } from '../spec/types';
import type { INDArray, ITensor } from '../tensor/tensor';
import {
  expandAxis,
  squeezeAxis,
  takeAlong,
  transposeTo
} from '../tensor/ndarray';
import { axisIdToLetter, letterToAxisId } from '../spec/axis-ids';

/** Choices that make an image fit a model input. */
export interface IImageToInputOptions {
  /**
   * Image channel indices to feed, in the model's channel order (e.g. [1]
   * to feed only the second channel of an RGB image to a 1-channel model).
   */
  channels?: number[];
  /** Fix image axes to one index, by letter: `{ z: 12, t: 0 }`. */
  select?: Record<string, number>;
}

/** How an image was turned into a model input; needed to map outputs back. */
export interface IAxisMapping {
  /** The image's axis letters as given, e.g. 'yxc'. */
  imageAxes: string;
  /** Letters left after `select` (the frame outputs map back to). */
  keptAxes: string;
  /** Model input id and its axis ids in order. */
  inputId: string;
  modelAxes: string[];
  /** Channel indices used, when a selection was made. */
  channels?: number[];
  select?: Record<string, number>;
}

/** The result of mapping an output back to the image frame. */
export interface IImageResult extends INDArray {
  /** One letter (or custom axis id) per dimension, in image-like order. */
  axes: string[];
}

/** Axis id of an image letter. */
function idOf(letter: string): string {
  return letterToAxisId(letter);
}

/** Whether an axis of this size description can have length 1. */
export function admitsOne(size: AxisSize): boolean {
  switch (size.kind) {
    case 'fixed':
      return size.value === 1;
    case 'parameterized':
      return size.min <= 1;
    case 'any':
      return true;
    default:
      return false;
  }
}

/** Number of channels a channel axis expects, or null when unconstrained. */
function expectedChannels(descr: ITensorDescr): number | null {
  const ch = descr.axes.find(a => a.type === 'channel');
  if (!ch) {
    return null;
  }
  if (ch.channelNames && ch.channelNames.length > 0) {
    return ch.channelNames.length;
  }
  return ch.size.kind === 'fixed' ? ch.size.value : null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Turn an image with lettered axes into the tensor model input `descr`
 * expects: channels selected, axes fixed by `select` removed, missing
 * batch/singleton axes added, axes transposed to the model's order.
 */
export function imageToInput(
  image: INDArray,
  imageAxes: string,
  descr: ITensorDescr,
  options: IImageToInputOptions = {}
): { tensor: ITensor; mapping: IAxisMapping } {
  const letters = [...imageAxes.toLowerCase()];
  if (letters.length !== image.shape.length) {
    throw new Error(
      `axes '${imageAxes}' name ${letters.length} axes but the image has ` +
        `${image.shape.length} (shape ${image.shape.join('×')})`
    );
  }
  if (new Set(letters).size !== letters.length) {
    throw new Error(`axes '${imageAxes}' repeat a letter`);
  }
  let t: ITensor = { ...image, axes: letters.map(idOf) };
  for (const [letter, index] of Object.entries(options.select ?? {})) {
    const k = t.axes.indexOf(idOf(letter));
    if (k < 0) {
      throw new Error(`cannot select '${letter}': the image has no such axis`);
    }
    t = squeezeAxis(takeAlong(t, k, [index]), k);
  }
  const keptAxes = t.axes.map(axisIdToLetter).join('');
  const modelIds = descr.axes.map(a => a.id);
  const modelShape = modelIds.join(', ');

  // Channels: select, check the count, or add a singleton.
  const nExpected = expectedChannels(descr);
  const ck = t.axes.indexOf('channel');
  if (ck >= 0 && modelIds.includes('channel')) {
    const have = t.shape[ck];
    if (options.channels) {
      if (nExpected !== null && options.channels.length !== nExpected) {
        throw new Error(
          `this model expects ${plural(nExpected, 'channel')}; ` +
            `${options.channels.length} were selected`
        );
      }
      t = takeAlong(t, ck, options.channels);
    } else if (nExpected !== null && have !== nExpected) {
      throw new Error(
        `this model expects ${plural(nExpected, 'channel')}; your image has ` +
          `${have} — pick ${nExpected === 1 ? 'one' : nExpected}`
      );
    }
  } else if (ck < 0 && modelIds.includes('channel')) {
    if (nExpected !== null && nExpected !== 1) {
      throw new Error(
        `this model expects ${plural(nExpected, 'channel')}; your image has ` +
          `no channel axis (1 channel)`
      );
    }
  }

  // Image axes the model lacks: drop when length 1, else explain.
  for (let k = t.axes.length - 1; k >= 0; k--) {
    const id = t.axes[k];
    if (modelIds.includes(id)) {
      continue;
    }
    if (t.shape[k] === 1) {
      t = squeezeAxis(t, k);
      continue;
    }
    const letter = axisIdToLetter(id);
    const hint =
      id === 'channel'
        ? `this model has no channel axis; your image has ${t.shape[k]} channels — pick one`
        : `this model takes (${modelShape}) and has no '${letter}' axis; your ` +
          `image's '${letter}' axis has length ${t.shape[k]} — select one index ` +
          `(e.g. ${letter}=0)`;
    throw new Error(hint);
  }

  // Model axes the image lacks: add singletons where the model allows it.
  for (const a of descr.axes) {
    if (t.axes.includes(a.id)) {
      continue;
    }
    if (a.type !== 'batch' && !admitsOne(a.size) && a.type !== 'channel') {
      throw new Error(
        `this model expects a '${axisIdToLetter(a.id)}' axis (input axes: ` +
          `${modelShape}); your image axes are '${keptAxes}'`
      );
    }
    t = expandAxis(t, t.axes.length, a.id);
  }
  const tensor = transposeTo(t, modelIds);
  return {
    tensor,
    mapping: {
      imageAxes,
      keptAxes,
      inputId: descr.id,
      modelAxes: modelIds,
      channels: options.channels,
      select: options.select
    }
  };
}

/**
 * Map a model output back to the image's frame: axes the image had come in
 * the image's order, other axes (e.g. output channels of a 'yx' image) go
 * first, and length-1 axes the image did not have (batch, a single output
 * channel) are dropped.
 */
export function outputToImage(
  output: ITensor,
  mapping: IAxisMapping
): IImageResult {
  const imageLetters = [...mapping.keptAxes];
  let t = output;
  for (let k = t.axes.length - 1; k >= 0; k--) {
    if (t.shape[k] === 1 && !imageLetters.includes(axisIdToLetter(t.axes[k]))) {
      t = squeezeAxis(t, k);
    }
  }
  const extra = t.axes.filter(a => !imageLetters.includes(axisIdToLetter(a)));
  const inImage = imageLetters.map(idOf).filter(id => t.axes.includes(id));
  const ordered = transposeTo(t, [...extra, ...inImage]);
  return {
    dtype: ordered.dtype,
    shape: ordered.shape,
    data: ordered.data,
    axes: ordered.axes.map(axisIdToLetter)
  };
}

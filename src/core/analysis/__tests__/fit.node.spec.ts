/**
 * assessFit and rankModels (analysis/fit.ts) aspect by aspect, on image
 * summaries and the fixture descriptions. One cohesive suite, hence over
 * 400 lines.
 */
import { imageToInput } from '../../inference/axes';
import type { IImageInfo } from '../../formats/types';
import type { IModelDescription, ITensorDescr } from '../../spec/types';
import {
  assessFit,
  FIT_ASPECTS,
  FIT_PENALTIES,
  IFitCandidate,
  IFitReason,
  rankModels
} from '../fit';
import { IImageSummary, summariseImage } from '../image-summary';
import { candidate, DESCRIPTIONS, entryOf } from './fixtures';

/** An image summary from axes and shape (no pixels), as the wizard makes it. */
function image(
  axes: string,
  shape: number[],
  extra: Partial<IImageInfo> = {}
): IImageSummary {
  const info: IImageInfo = {
    axes,
    shape,
    dtype: 'uint16',
    source: { format: 'tiff', planeCount: 1, axesSource: 'test', warnings: [] },
    ...extra
  };
  return summariseImage(info, null, 'test.tif');
}

function reason(
  reasons: IFitReason[],
  aspect: IFitReason['aspect']
): IFitReason {
  const r = reasons.find(x => x.aspect === aspect);
  if (!r) {
    throw new Error(`no ${aspect} reason`);
  }
  return r;
}

/** The first input with its axes changed. */
function withAxes(
  model: IModelDescription,
  change: (input: ITensorDescr) => ITensorDescr['axes']
): IModelDescription {
  const input = model.inputs[0];
  return { ...model, inputs: [{ ...input, axes: change(input) }] };
}

const nuclei = candidate(DESCRIPTIONS.nucleiSeg, 'bioimage-nuclei-seg');
const denoise = candidate(DESCRIPTIONS.denoise, 'bioimage-denoise');
const broad = candidate(DESCRIPTIONS.broad, 'unet2d-nuclei-broad');
const shark = candidate(DESCRIPTIONS.affableShark, 'affable-shark');
const deer = candidate(DESCRIPTIONS.joyfulDeer, 'joyful-deer');

describe('assessFit: a 3-channel image and a 1-channel 2D model', () => {
  const rgb = image('CYX', [3, 512, 512]);
  const fit = assessFit(rgb, nuclei, 'segmentation');

  it('gives one reason per aspect, in the fixed order', () => {
    expect(fit.reasons.map(r => r.aspect)).toEqual(FIT_ASPECTS);
    expect(fit.key).toBe('test::bioimage-nuclei-seg');
    expect(fit.name).toBe('Bioimage Nuclei Segmentation 2D');
  });

  it('says what to do, level by level', () => {
    expect(fit.reasons).toEqual([
      {
        aspect: 'dims',
        level: 'ok',
        message: '2D model, and your image is a single plane'
      },
      {
        aspect: 'axes',
        level: 'ok',
        message:
          "your image's axes (CYX) map onto the model input (batch, channel, y, x)"
      },
      {
        aspect: 'channels',
        level: 'warn',
        message:
          'this model expects 1 channel; your image has 3 — pick one (suggested: channel 0)'
      },
      {
        aspect: 'pixel-size',
        level: 'warn',
        message:
          'the pixel size cannot be checked: neither your image file nor the model says what pixel size it has'
      },
      {
        aspect: 'browser',
        level: 'ok',
        message: 'has ONNX weights, so it runs in this browser'
      },
      { aspect: 'task', level: 'ok', message: 'made for segmentation' },
      {
        aspect: 'test',
        level: 'warn',
        message: 'not tested in this browser yet'
      },
      {
        aspect: 'size',
        level: 'ok',
        message:
          "your image (512×512 pixels) is at least the model's smallest input (64×64)"
      }
    ]);
  });

  it('suggests channel 0 and scores 100 − 10 − 5 − 5', () => {
    expect(fit.channels).toEqual([0]);
    expect(fit.select).toBeUndefined();
    expect(fit.runnable).toBe(true);
    expect(fit.score).toBe(80);
  });

  it('suggests the channels imageToInput accepts', () => {
    const data = new Float32Array(3 * 64 * 64);
    const { tensor } = imageToInput(
      { dtype: 'float32', shape: [3, 64, 64], data },
      'cyx',
      nuclei.model.inputs[0],
      { channels: fit.channels, select: fit.select }
    );
    expect(tensor.axes).toEqual(['batch', 'channel', 'y', 'x']);
    expect(tensor.shape).toEqual([1, 1, 64, 64]);
  });

  it('prefers an image channel named like the model channel', () => {
    const named = image('CYX', [3, 512, 512], {
      channelNames: ['Actin', 'Nuclei', 'GFP']
    });
    const f = assessFit(named, nuclei);
    expect(f.channels).toEqual([1]);
    expect(reason(f.reasons, 'channels').message).toBe(
      'this model expects 1 channel; your image has 3 — pick one (suggested: channel 1 (Nuclei))'
    );
    // Without a wanted task there is no task reason.
    expect(f.reasons.map(r => r.aspect)).not.toContain('task');
  });
});

describe('assessFit: dimensions and axes', () => {
  it('uses the middle plane of a z-stack for a 2D model', () => {
    const stack = image('ZYX', [25, 256, 256]);
    const fit = assessFit(stack, nuclei);
    expect(reason(fit.reasons, 'dims')).toEqual({
      aspect: 'dims',
      level: 'warn',
      message:
        '2D model; your image is a z-stack of 25 planes — the middle plane (z=12) is used; run it plane by plane to process the whole stack'
    });
    expect(fit.select).toEqual({ z: 12 });
    expect(fit.channels).toBeUndefined();
    expect(reason(fit.reasons, 'channels')).toEqual({
      aspect: 'channels',
      level: 'ok',
      message: '1 channel, as the model expects'
    });
    // 100 − 15 (plane of a stack) − 5 (pixel size unknown) − 5 (untested)
    expect(fit.score).toBe(75);
    expect(fit.runnable).toBe(true);
    const { tensor } = imageToInput(
      {
        dtype: 'float32',
        shape: [25, 64, 64],
        data: new Float32Array(25 * 64 * 64)
      },
      'zyx',
      nuclei.model.inputs[0],
      { select: fit.select }
    );
    expect(tensor.shape).toEqual([1, 1, 64, 64]);
  });

  it('rejects a 3D model for a single plane', () => {
    const fit = assessFit(image('YX', [512, 512]), deer);
    expect(reason(fit.reasons, 'dims')).toEqual({
      aspect: 'dims',
      level: 'fail',
      message: 'this 3D model needs a z-stack; your image is a single plane'
    });
    expect(fit.runnable).toBe(false);
    expect(fit.score).toBe(0);
  });

  it('accepts a 3D model for a z-stack, and warns when it is too thin', () => {
    const fit = assessFit(image('ZYX', [40, 128, 128]), deer);
    expect(reason(fit.reasons, 'dims')).toEqual({
      aspect: 'dims',
      level: 'ok',
      message: '3D model, and your image is a z-stack of 40 planes'
    });
    expect(reason(fit.reasons, 'size')).toEqual({
      aspect: 'size',
      level: 'warn',
      message:
        'your image is 40×128×128 pixels (z×y×x); this model needs at least 64×64×64 — it will be padded, which can give poorer results at the edges'
    });
    expect(fit.select).toBeUndefined();
  });

  it('uses the first time point when the model has no time axis', () => {
    const fit = assessFit(image('TYX', [10, 128, 128]), nuclei);
    expect(reason(fit.reasons, 'axes')).toEqual({
      aspect: 'axes',
      level: 'warn',
      message:
        'this model has no time axis; your image has 10 time points — the first (t=0) is used; run it frame by frame to process the whole series'
    });
    expect(fit.select).toEqual({ t: 0 });
    // 100 − 10 (time point) − 5 − 5
    expect(fit.score).toBe(80);
  });

  it('selects a channel when the model has no channel axis', () => {
    const noChannel = {
      entry: nuclei.entry,
      model: withAxes(nuclei.model, i =>
        i.axes.filter(a => a.type !== 'channel')
      )
    };
    const fit = assessFit(image('YXC', [64, 64, 3]), noChannel);
    expect(fit.channels).toEqual([0]);
    expect(fit.select).toEqual({ c: 0 });
    const { tensor } = imageToInput(
      { dtype: 'uint8', shape: [64, 64, 3], data: new Uint8Array(64 * 64 * 3) },
      'yxc',
      noChannel.model.inputs[0],
      { channels: fit.channels, select: fit.select }
    );
    expect(tensor.axes).toEqual(['batch', 'y', 'x']);
  });
});

describe('assessFit: channels, browser, test, size', () => {
  it('fails when the image has fewer channels than the model', () => {
    const two = {
      entry: nuclei.entry,
      model: withAxes(nuclei.model, i =>
        i.axes.map(a =>
          a.type === 'channel'
            ? { ...a, channelNames: ['nuclei', 'membrane'] }
            : a
        )
      )
    };
    const fit = assessFit(image('YX', [256, 256]), two);
    expect(reason(fit.reasons, 'channels')).toEqual({
      aspect: 'channels',
      level: 'fail',
      message: 'this model expects 2 channels; your image has only 1'
    });
    expect(fit.runnable).toBe(false);
  });

  it('names the weights a model without ONNX has', () => {
    const fit = assessFit(image('YX', [256, 256]), shark);
    expect(reason(fit.reasons, 'browser')).toEqual({
      aspect: 'browser',
      level: 'fail',
      message:
        'no ONNX weights (has: pytorch_state_dict, torchscript); it cannot run in this browser, only in the kernel'
    });
    expect(fit.runnable).toBe(false);
  });

  it('reports the test outcome without blocking on a failed test', () => {
    const img = image('YX', [256, 256]);
    const passed = assessFit(img, {
      ...nuclei,
      test: {
        passed: true,
        maxAbsDiff: 1.3e-6,
        backend: 'wasm',
        milliseconds: 80
      }
    });
    expect(reason(passed.reasons, 'test')).toEqual({
      aspect: 'test',
      level: 'ok',
      message: 'reproduces its own test here (max diff 1.3e-6)'
    });
    // 100 − 5 (pixel size unknown)
    expect(passed.score).toBe(95);

    const failed = assessFit(img, {
      ...nuclei,
      test: {
        passed: false,
        maxAbsDiff: 0.042,
        backend: 'webgpu',
        milliseconds: 80
      }
    });
    expect(reason(failed.reasons, 'test')).toEqual({
      aspect: 'test',
      level: 'fail',
      message: 'does not reproduce its own test here (max diff 0.042 on webgpu)'
    });
    expect(failed.runnable).toBe(true);
    expect(failed.score).toBe(100 - 5 - FIT_PENALTIES.testFailed);
  });

  it('warns that a small image is padded', () => {
    const fit = assessFit(image('YX', [40, 48]), nuclei);
    expect(reason(fit.reasons, 'size')).toEqual({
      aspect: 'size',
      level: 'warn',
      message:
        'your image is 40×48 pixels (y×x); this model needs at least 64×64 — it will be padded, which can give poorer results at the edges'
    });
    expect(fit.runnable).toBe(true);
    // A fixed 512 × 512 input needs 512 × 512.
    const fixed = assessFit(image('YX', [256, 256]), broad);
    expect(reason(fixed.reasons, 'size').message).toBe(
      'your image is 256×256 pixels (y×x); this model needs at least 512×512 — it will be padded, which can give poorer results at the edges'
    );
  });

  it('judges what it can from the catalog entry alone', () => {
    const fit = assessFit(image('CYX', [3, 256, 256]), { entry: nuclei.entry });
    expect(fit.reasons.map(r => [r.aspect, r.level])).toEqual([
      ['dims', 'ok'],
      ['axes', 'warn'],
      ['channels', 'warn'],
      ['pixel-size', 'warn'],
      ['browser', 'ok'],
      ['test', 'warn'],
      ['size', 'warn']
    ]);
    expect(reason(fit.reasons, 'axes').message).toBe(
      "the axes cannot be checked until the model's description is loaded"
    );
    expect(fit.channels).toEqual([0]);
    // 100 − 5 (axes) − 10 (channels) − 5 (pixel size) − 5 (test) − 5 (size)
    expect(fit.score).toBe(70);
  });
});

describe('assessFit: pixel size', () => {
  /** The nuclei model as if trained at `um` µm per pixel. */
  function at(um: number): IFitCandidate {
    return {
      entry: nuclei.entry,
      model: withAxes(nuclei.model, i =>
        i.axes.map(a =>
          a.type === 'space' ? { ...a, scale: um, unit: 'micrometer' } : a
        )
      )
    };
  }
  function sized(um: number): IImageSummary {
    return image('YX', [512, 512], {
      physicalSize: {
        x: { value: um, unit: 'µm' },
        y: { value: um, unit: 'µm' }
      }
    });
  }

  it('warns about pixels 2.1× larger, with the rescale factor', () => {
    const fit = assessFit(sized(0.65), at(0.31));
    expect(reason(fit.reasons, 'pixel-size')).toEqual({
      aspect: 'pixel-size',
      level: 'warn',
      message:
        "your pixels are 2.1× larger than the model's training data (0.65 µm vs 0.31 µm); rescale the image by 2.1 or expect poorer results"
    });
    // 2.1 is beyond 2: still a warning, at the larger penalty.
    // 100 − 35 (far) − 5 (untested)
    expect(fit.score).toBe(60);
    expect(fit.runnable).toBe(true);
  });

  it('costs less within half to twice the size', () => {
    const fit = assessFit(sized(0.9), at(0.5)); // ratio 1.8
    expect(reason(fit.reasons, 'pixel-size')).toEqual({
      aspect: 'pixel-size',
      level: 'warn',
      message:
        "your pixels are 1.8× larger than the model's training data (0.9 µm vs 0.5 µm); rescale the image by 1.8 or expect poorer results"
    });
    // 100 − 15 (near) − 5 (untested)
    expect(fit.score).toBe(80);
  });

  it('warns about smaller pixels', () => {
    const fit = assessFit(sized(0.25), at(0.5));
    expect(reason(fit.reasons, 'pixel-size').message).toBe(
      "your pixels are 2.0× smaller than the model's training data (0.25 µm vs 0.5 µm); rescale the image by 0.5 or expect poorer results"
    );
  });

  it('accepts ratios within [0.8, 1.25] and penalises far ones more', () => {
    const close = assessFit(sized(0.6), at(0.5)); // ratio 1.2
    expect(reason(close.reasons, 'pixel-size')).toEqual({
      aspect: 'pixel-size',
      level: 'ok',
      message:
        "your pixel size matches the model's training data (0.6 µm vs 0.5 µm)"
    });
    expect(close.score).toBe(95);
    const far = assessFit(sized(1.3), at(0.31)); // ratio 4.2
    expect(reason(far.reasons, 'pixel-size').level).toBe('warn');
    expect(far.score).toBe(100 - FIT_PENALTIES.pixelSizeFar - 5);
    expect(far.runnable).toBe(true);
  });

  it('reads the model scale of a real description (InstanSeg, 0.5 µm)', () => {
    const instanseg = candidate(DESCRIPTIONS.instanseg, 'instanseg');
    const fit = assessFit(
      image('CYX', [3, 256, 256], {
        physicalSize: {
          x: { value: 500, unit: 'nm' },
          y: { value: 500, unit: 'nm' }
        }
      }),
      instanseg
    );
    expect(reason(fit.reasons, 'pixel-size')).toEqual({
      aspect: 'pixel-size',
      level: 'ok',
      message:
        "your pixel size matches the model's training data (0.5 µm vs 0.5 µm)"
    });
    expect(reason(fit.reasons, 'channels').message).toBe(
      '3 channels, as the model expects'
    );
  });

  it('says which side lacks a pixel size', () => {
    expect(
      reason(assessFit(sized(0.5), nuclei).reasons, 'pixel-size').message
    ).toBe(
      'the pixel size cannot be checked: the model does not say what pixel size it was trained on'
    );
    expect(
      reason(assessFit(image('YX', [64, 64]), at(0.5)).reasons, 'pixel-size')
        .message
    ).toBe(
      'the pixel size cannot be checked: your image file does not say its pixel size'
    );
  });
});

describe('rankModels', () => {
  const rgb = image('CYX', [3, 512, 512]);
  const tested: IFitCandidate = {
    ...nuclei,
    test: { passed: true, maxAbsDiff: 2e-7, backend: 'wasm', milliseconds: 50 }
  };

  it('orders by fit, unrunnable models last', () => {
    const ranked = rankModels(
      rgb,
      [shark, denoise, broad, tested],
      'segmentation'
    );
    expect(ranked.map(f => [f.key, f.score, f.runnable])).toEqual([
      // 100 − 10 (channels) − 5 (pixel size)
      ['test::bioimage-nuclei-seg', 85, true],
      // 100 − 10 − 5 − 5 (untested); its fixed 512 × 512 input fits exactly
      ['test::unet2d-nuclei-broad', 80, true],
      // 100 − 10 − 5 − 5 − 20 (a denoiser, not a segmenter)
      ['test::bioimage-denoise', 60, true],
      ['test::affable-shark', 0, false]
    ]);
    expect(reason(ranked[2].reasons, 'task')).toEqual({
      aspect: 'task',
      level: 'warn',
      message: 'made for restoration, not segmentation'
    });
  });

  it('breaks ties by name, case-insensitively', () => {
    const renamed = (name: string, id: string): IFitCandidate => ({
      model: nuclei.model,
      entry: { ...entryOf(nuclei.model, id), name }
    });
    const ranked = rankModels(rgb, [
      renamed('beta', 'b'),
      renamed('Gamma', 'g'),
      renamed('Alpha', 'a')
    ]);
    expect(ranked.map(f => f.name)).toEqual(['Alpha', 'beta', 'Gamma']);
    expect(new Set(ranked.map(f => f.score)).size).toBe(1);
  });
});

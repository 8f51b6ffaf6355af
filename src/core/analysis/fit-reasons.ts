/**
 * The checks of a model fit that need no knowledge of tensor shapes: pixel
 * size, browser support, task and test outcome (the scale they score on is
 * in fit-types.ts).
 */
import type { ICatalogEntry, ITestStatus, ZooTask } from '../catalog/types';
import type { IModelDescription, ITensorDescr } from '../spec/types';
import { FIT_PENALTIES, IScored, fail, notLoaded, ok, warn } from './fit-types';
import type { IImageSummary } from './image-summary';
import { toMicrometres } from './image-summary';
import { describePixelSizes, pixelSizeBand, twoDigits } from './pixel-size';

/** Pixel size of the image against the model's declared scale. */
export function checkPixelSize(
  image: IImageSummary,
  input: ITensorDescr | undefined
): IScored {
  if (!input) {
    return notLoaded('pixel-size', 'the pixel size');
  }
  const model: Record<string, number> = {};
  for (const a of input.axes) {
    if (a.type === 'space' && a.unit) {
      const um = toMicrometres(a.scale, a.unit);
      if (um !== undefined && um > 0) {
        model[a.id] = um;
      }
    }
  }
  const user = image.pixelSizeUm ?? {};
  const pairs: Array<{ user: number; model: number }> = [];
  for (const k of ['x', 'y', 'z'] as const) {
    const u = user[k];
    if (
      u !== undefined &&
      model[k] !== undefined &&
      (k !== 'z' || image.spatialDims === 3)
    ) {
      pairs.push({ user: u, model: model[k] });
    }
  }
  if (pairs.length === 0) {
    const noModel = Object.keys(model).length === 0;
    const noImage = Object.keys(user).length === 0;
    const why =
      noModel && noImage
        ? 'neither your image file nor the model says what pixel size it has'
        : noModel
          ? 'the model does not say what pixel size it was trained on'
          : noImage
            ? 'your image file does not say its pixel size'
            : 'your image and the model give pixel sizes along different axes';
    return warn(
      'pixel-size',
      `the pixel size cannot be checked: ${why}`,
      FIT_PENALTIES.unknown
    );
  }
  // Judge by the axis furthest from the model's, in either direction.
  const off = (p: { user: number; model: number }): number =>
    Math.abs(Math.log(p.user / p.model));
  const worst = pairs.reduce((a, b) => (off(b) > off(a) ? b : a));
  const message = describePixelSizes(worst.user, worst.model);
  switch (pixelSizeBand(worst.user / worst.model)) {
    case 'close':
      return ok('pixel-size', message);
    case 'near':
      return warn('pixel-size', message, FIT_PENALTIES.pixelSizeNear);
    case 'far':
      return warn('pixel-size', message, FIT_PENALTIES.pixelSizeFar);
  }
}

/** Whether the model has weights this browser can run. */
export function checkBrowser(
  entry: ICatalogEntry,
  model: IModelDescription | undefined
): IScored {
  if (entry.runsInBrowser) {
    return ok('browser', 'has ONNX weights, so it runs in this browser');
  }
  const formats = model ? [...new Set(model.weights.map(w => w.format))] : [];
  const has = formats.length > 0 ? ` (has: ${formats.join(', ')})` : '';
  return fail(
    'browser',
    `no ONNX weights${has}; it cannot run in this browser, only in the kernel`
  );
}

/** Whether the model is made for the task the user asked for. */
export function checkTask(entry: ICatalogEntry, wanted: ZooTask): IScored {
  if (entry.tasks.includes(wanted)) {
    return ok('task', `made for ${wanted}`);
  }
  const made = entry.tasks.filter(t => t !== 'other');
  return warn(
    'task',
    made.length > 0
      ? `made for ${made.join(' and ')}, not ${wanted}`
      : `its description does not say it is made for ${wanted}`,
    FIT_PENALTIES.otherTask
  );
}

/** A difference as people read it: 1.3e-6, 0.0042, 0. */
function formatDiff(d: number): string {
  if (d === 0) {
    return '0';
  }
  return Math.abs(d) < 1e-3 || Math.abs(d) >= 1e4
    ? d.toExponential(1)
    : twoDigits(d);
}

/** The outcome of the model's own test in this browser. */
export function checkTest(test: ITestStatus | undefined): IScored {
  if (!test) {
    return warn(
      'test',
      'not tested in this browser yet',
      FIT_PENALTIES.unknown
    );
  }
  // A failed test makes the results doubtful, not impossible: 'fail' level
  // but not a blocker, so it costs less than one.
  const failed = (message: string): IScored => ({
    aspect: 'test',
    level: 'fail',
    message,
    penalty: FIT_PENALTIES.testFailed
  });
  if (test.error) {
    return failed(`its own test could not run here: ${test.error}`);
  }
  if (!test.passed) {
    return failed(
      `does not reproduce its own test here (max diff ${formatDiff(test.maxAbsDiff)} on ${test.backend})`
    );
  }
  return ok(
    'test',
    `reproduces its own test here (max diff ${formatDiff(test.maxAbsDiff)})`
  );
}

/**
 * Commands that run models in the browser: the model's own test, prediction
 * on an image file, and cancellation. Progress shows in a notification with
 * a Cancel button; results are reported with the backend that produced them.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs } from '../commands';
import type { IInferenceService } from '../tokens';
import { decodeImage, encodeTiff } from '../core/formats';
import { writeNpy } from '../core/tensor/npy';
import {
  outputFileFormat,
  outputFileNextToImage
} from '../core/record/output-files';
import { CancelledError, IRunningRequest } from './client';
import {
  descriptionUrl,
  readFileBytes,
  writeFileBytes
} from '../jupyter/files';
import type {
  BackendChoice,
  IOpenReport,
  IPredictReport,
  ITestReport
} from '../core/inference/protocol';

/** Show progress of a running request in a notification with a Cancel button. */
async function withProgress<T>(
  service: IInferenceService,
  running: IRunningRequest<T>,
  title: string,
  trans: TranslationBundle,
  active: Set<IRunningRequest<unknown>>
): Promise<T> {
  const id = Notification.emit(title, 'in-progress', {
    autoClose: false,
    actions: [{ label: trans.__('Cancel'), callback: () => running.cancel() }]
  });
  const onProgress = (
    _: unknown,
    p: { id: number; done: number; total: number }
  ) => {
    if (p.id === running.id) {
      Notification.update({
        id,
        message: trans.__('%1 — tile %2 of %3', title, p.done, p.total)
      });
    }
  };
  service.client.progress.connect(onProgress);
  active.add(running as IRunningRequest<unknown>);
  try {
    return await running.result;
  } finally {
    active.delete(running as IRunningRequest<unknown>);
    service.client.progress.disconnect(onProgress);
    Notification.dismiss(id);
  }
}

function backendArg(args: ReadonlyPartialJSONObject): BackendChoice {
  const b = args.backend;
  return b === 'webgpu' || b === 'webnn' || b === 'wasm' ? b : 'auto';
}

/** `numThreads` (wasm threads to ask for); undefined: the worker's default. */
function threadsArg(args: ReadonlyPartialJSONObject): number | undefined {
  const n = args.numThreads;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** `wasm, 2 threads`: the backend and thread count, for messages. */
function runsOn(
  report: { backend: string; threads: number },
  trans: TranslationBundle
): string {
  return trans._n(
    '%2, %1 thread',
    '%2, %1 threads',
    report.threads,
    report.backend
  );
}

async function locationArg(
  args: ReadonlyPartialJSONObject,
  key: string,
  label: string
): Promise<string | null> {
  if (typeof args[key] === 'string' && args[key]) {
    return args[key] as string;
  }
  const answer = await InputDialog.getText({ title: label });
  return answer.button.accept && answer.value ? answer.value : null;
}

/** Register the inference commands. */
export function registerInferenceCommands(
  app: JupyterFrontEnd,
  service: IInferenceService,
  trans: TranslationBundle
): void {
  const active = new Set<IRunningRequest<unknown>>();

  app.commands.addCommand(CommandIDs.testModel, {
    label: trans.__('Test a Model in This Browser'),
    caption: trans.__(
      "Reproduce a model's own test outputs with onnxruntime-web"
    ),
    execute: async args => {
      const location = await locationArg(
        args,
        'location',
        trans.__('Model description (path in the file browser or URL)')
      );
      if (!location) {
        return null;
      }
      const url = descriptionUrl(location, app.serviceManager);
      try {
        const open: IOpenReport = await service.client.open(
          { kind: 'url', url },
          backendArg(args),
          threadsArg(args)
        );
        const running = service.client.test(open.modelKey);
        const report: ITestReport = await withProgress(
          service,
          running,
          trans.__('Testing %1', open.name),
          trans,
          active
        );
        void service.client.close(open.modelKey);
        const worst = Math.max(...report.outputs.map(o => o.maxAbsDiff));
        Notification.emit(
          report.passed
            ? trans.__(
                '%1 reproduces its test outputs (max abs diff %2, %3, %4 ms)',
                open.name,
                worst.toExponential(2),
                runsOn(report, trans),
                Math.round(report.milliseconds)
              )
            : trans.__(
                '%1 does NOT reproduce its test outputs (max abs diff %2, %3)',
                open.name,
                worst.toExponential(2),
                runsOn(report, trans)
              ),
          report.passed ? 'success' : 'error',
          { autoClose: report.passed ? 8000 : false }
        );
        return {
          ...report,
          name: open.name,
          threadsRequested: open.threadsRequested,
          ...(open.threadsReason ? { threadsReason: open.threadsReason } : {})
        } as unknown as ReadonlyPartialJSONObject;
      } catch (error) {
        if (!(error instanceof CancelledError)) {
          Notification.error(
            trans.__('Model test failed to run: %1', (error as Error).message),
            { autoClose: false }
          );
        }
        throw error;
      }
    }
  });

  app.commands.addCommand(CommandIDs.predictFile, {
    label: trans.__('Run a Model on an Image File'),
    caption: trans.__(
      'Predict in this browser and save the outputs as TIFF next to the image'
    ),
    execute: async args => {
      const model = await locationArg(
        args,
        'model',
        trans.__('Model description (path or URL)')
      );
      const image = model
        ? await locationArg(args, 'image', trans.__('Image file (path)'))
        : null;
      if (!model || !image) {
        return null;
      }
      const contents = app.serviceManager.contents;
      const decoded = await decodeImage(
        await readFileBytes(contents, image),
        image,
        {
          axes: typeof args.axes === 'string' ? args.axes : undefined
        }
      );
      const open = await service.client.open(
        { kind: 'url', url: descriptionUrl(model, app.serviceManager) },
        backendArg(args),
        threadsArg(args)
      );
      try {
        const blockShape = args.blockShape as
          Record<string, number> | undefined;
        const running = service.client.predict(
          open.modelKey,
          [{ array: decoded.array, axes: decoded.axes.toLowerCase() }],
          blockShape
        );
        const report: IPredictReport = await withProgress(
          service,
          running,
          trans.__('Running %1 on %2', open.name, PathExt.basename(image)),
          trans,
          active
        );
        const saved: string[] = [];
        for (const out of report.outputs) {
          const format = outputFileFormat(out.axes);
          const path = outputFileNextToImage(image, out.id, format);
          const bytes =
            format === 'tif'
              ? encodeTiff(out.array, out.axes.join('').toUpperCase())
              : writeNpy(out.array);
          await writeFileBytes(contents, path, bytes);
          saved.push(path);
        }
        Notification.success(
          trans.__(
            '%1 ran on %2 in %3 s (%4, %5 tiles); saved %6',
            open.name,
            PathExt.basename(image),
            (report.milliseconds / 1000).toFixed(1),
            runsOn(report, trans),
            report.tiles,
            saved.join(', ')
          ),
          { autoClose: 8000 }
        );
        return {
          backend: report.backend,
          threads: report.threads,
          ...(open.threadsReason ? { threadsReason: open.threadsReason } : {}),
          tiles: report.tiles,
          saved,
          milliseconds: report.milliseconds
        };
      } catch (error) {
        if (error instanceof CancelledError) {
          Notification.info(
            trans.__('Prediction cancelled; nothing was saved.'),
            { autoClose: 5000 }
          );
        } else {
          Notification.error(
            trans.__('Prediction failed: %1', (error as Error).message),
            { autoClose: false }
          );
        }
        throw error;
      } finally {
        void service.client.close(open.modelKey);
      }
    }
  });

  app.commands.addCommand(CommandIDs.cancelInference, {
    label: trans.__('Cancel Running Inference'),
    isEnabled: () => active.size > 0,
    execute: () => {
      for (const running of active) {
        running.cancel();
      }
    }
  });
}

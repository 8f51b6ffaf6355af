import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs, PALETTE_CATEGORY } from '../commands';
import { IInferenceService } from '../tokens';
import { InferenceClient } from './client';
import { registerInferenceCommands } from './commands';
import { registerBenchmarkCommand } from './bench-command';

/** Provides the shared inference worker and the run/test commands. */
export const runtimePlugin: JupyterFrontEndPlugin<IInferenceService> = {
  id: 'jupyterlab-bioimage:runtime',
  description: 'Client-side inference of bioimage.io models in a Web Worker.',
  autoStart: true,
  provides: IInferenceService,
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IInferenceService => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_bioimage');
    // The worker (and onnxruntime-web with its wasm) loads only when first used.
    let client: InferenceClient | null = null;
    const service: IInferenceService = {
      get client() {
        if (!client || client.isDisposed) {
          client = new InferenceClient();
        }
        return client;
      }
    };
    registerInferenceCommands(app, service, trans);
    registerBenchmarkCommand(app);
    for (const command of [
      CommandIDs.testModel,
      CommandIDs.predictFile,
      CommandIDs.cancelInference
    ]) {
      palette?.addItem({ command, category: PALETTE_CATEGORY });
    }
    return service;
  }
};

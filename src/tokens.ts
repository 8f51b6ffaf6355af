import { Token } from '@lumino/coreutils';

import type { InferenceClient } from './inference/client';

/**
 * Client-side inference: one shared Web Worker running onnxruntime-web.
 * Other features (model card, wizard) run models through it.
 */
export interface IInferenceService {
  /** The client of the shared inference worker. */
  readonly client: InferenceClient;
}

export const IInferenceService = new Token<IInferenceService>(
  'jupyterlab-bioimage:IInferenceService',
  'Runs bioimage.io models client-side in a Web Worker.'
);

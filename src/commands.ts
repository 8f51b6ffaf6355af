/**
 * Command ids of the extension. Each feature registers its own commands; they
 * all appear in the command palette under the "BioImage" category.
 */
export namespace CommandIDs {
  /** Show the model zoo sidebar. */
  export const openZoo = 'bioimage:open-zoo';
  /** Re-check the server extension and show its version. */
  export const checkServer = 'bioimage:check-server';
  /** Run a model's own test in this browser (args: location, backend). */
  export const testModel = 'bioimage:test-model';
  /** Predict on an image file and save the outputs (args: model, image, ...). */
  export const predictFile = 'bioimage:predict-file';
  /** Cancel every running inference. */
  export const cancelInference = 'bioimage:cancel-inference';
}

/** Palette category for every command of this extension. */
export const PALETTE_CATEGORY = 'BioImage';

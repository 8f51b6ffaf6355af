/**
 * Every command id of the extension, in one place. Each feature registers its
 * own commands; they all appear in the command palette under the "BioImage"
 * category, and their keyboard shortcuts and context-menu entries are
 * declared in `schema/`, not in code.
 */
export namespace CommandIDs {
  // ------------------------------------------------------------ inference
  /** Run a model's own test in this browser (args: location, backend). */
  export const testModel = 'bioimage:test-model';
  /** Predict on an image file and save the outputs (args: model, image, ...). */
  export const predictFile = 'bioimage:predict-file';
  /** Cancel every running inference. */
  export const cancelInference = 'bioimage:cancel-inference';
  /** Time a model in the inference worker (make bench). */
  export const benchmarkModel = 'bioimage:benchmark-model';

  // ------------------------------------------------------------ zoo
  /** Show the model zoo sidebar. */
  export const openZoo = 'bioimage:open-zoo';
  /** Re-check the server extension and show its version. */
  export const checkServer = 'bioimage:check-server';
  /** Open a model card (args: key, or id). */
  export const openModelCard = 'bioimage:open-model-card';
  /** Add a source (args: kind = index | description | folder, location). */
  export const addZooSource = 'bioimage:add-zoo-source';
  /** Reload every source of the zoo. */
  export const reloadZoo = 'bioimage:reload-zoo';
  /**
   * Import a `.zip` model package into `bioimage-models/` and add it as a
   * source (args: `path` of the zip in the workspace; `fromBrowser` (context
   * menu): the zip selected in the file browser; neither: a file dialog).
   * Resolves to an `ImportZipResult` (src/zoo).
   */
  export const importModelZip = 'bioimage:import-model-zip';

  // ------------------------------------------------------------ viewer
  /** Zoom the current viewer in. */
  export const viewerZoomIn = 'bioimage:viewer-zoom-in';
  /** Zoom the current viewer out. */
  export const viewerZoomOut = 'bioimage:viewer-zoom-out';
  /** Fit the image to the viewer. */
  export const viewerFit = 'bioimage:viewer-fit';
  /** Show one image pixel per screen pixel. */
  export const viewerActualSize = 'bioimage:viewer-actual-size';
  /** Next / previous Z plane. */
  export const viewerNextPlane = 'bioimage:viewer-next-plane';
  export const viewerPreviousPlane = 'bioimage:viewer-previous-plane';
  /** Auto-contrast every channel on the current plane. */
  export const viewerAutoContrast = 'bioimage:viewer-auto-contrast';
  /** Add an overlay (args: path, kind 'labels' | 'heatmap'). */
  export const viewerAddOverlay = 'bioimage:viewer-add-overlay';
  /** Save the current view as PNG next to the image. */
  export const viewerExportPng = 'bioimage:viewer-export-png';
  /** Open a file in the BioImage viewer (args: path). */
  export const viewerOpen = 'bioimage:viewer-open';
  /** Time viewer redraws (make bench). */
  export const benchmarkViewer = 'bioimage:benchmark-viewer';

  // ------------------------------------------------------------ wizard
  /** Open the wizard (args: path of the image, modelKey). */
  export const openWizard = 'bioimage:open-wizard';

  // ------------------------------------------------------------ notebook
  /** Insert the cells that redo a browser run (args: record, style, ...). */
  export const insertAnalysisCells = 'bioimage:insert-analysis-cells';
}

/** Palette category for every command of this extension. */
export const PALETTE_CATEGORY = 'BioImage';

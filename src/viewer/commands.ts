/**
 * Command ids of the image viewer (palette category 'BioImage').
 */
export namespace ViewerCommandIDs {
  /** Zoom the current viewer in. */
  export const zoomIn = 'bioimage:viewer-zoom-in';
  /** Zoom the current viewer out. */
  export const zoomOut = 'bioimage:viewer-zoom-out';
  /** Fit the image to the viewer. */
  export const fit = 'bioimage:viewer-fit';
  /** Show one image pixel per screen pixel. */
  export const actualSize = 'bioimage:viewer-actual-size';
  /** Next / previous Z plane. */
  export const nextPlane = 'bioimage:viewer-next-plane';
  export const previousPlane = 'bioimage:viewer-previous-plane';
  /** Auto-contrast every channel on the current plane. */
  export const autoContrast = 'bioimage:viewer-auto-contrast';
  /** Add an overlay (args: path, kind 'labels' | 'heatmap'). */
  export const addOverlay = 'bioimage:viewer-add-overlay';
  /** Save the current view as PNG next to the image. */
  export const exportPng = 'bioimage:viewer-export-png';
  /** Open a file in the BioImage viewer (args: path). */
  export const open = 'bioimage:viewer-open';
}

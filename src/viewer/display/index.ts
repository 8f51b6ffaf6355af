/**
 * Pure display math for the image viewer (no DOM): contrast, colour maps,
 * multi-channel composites, label and heatmap overlays.
 */
export * from './contrast';
export * from './lut';
export * from './render';
export * from './overlay';
export {
  benchmarkPlaneData,
  benchmarkRender,
  type IRenderBenchmark
} from './bench';

/**
 * QC metrics for deep-learning results in microscopy: pixel overlap,
 * StarDist-compatible instance matching, scikit-image-compatible restoration
 * metrics, label post-processing and test-time-augmentation helpers.
 *
 * Pure TypeScript (no DOM, no Node APIs): usable from a Web Worker, jest and
 * the CLI. Definitions: ../shared/docs/metrics-digest.md.
 */
export { pixelOverlap } from './pixel';
export type { IPixelOverlap } from './pixel';
export { linearSumAssignment } from './assignment';
export type { IAssignment } from './assignment';
export {
  STARDIST_THRESHOLDS,
  aggregateMatching,
  labelOverlap,
  matching,
  matchingDataset,
  matchingFromScores,
  matchingScores
} from './matching';
export type {
  IDatasetMatchingStats,
  ILabelOverlap,
  IMatchingOptions,
  IMatchingStats,
  ISparseScores,
  MatchingCriterion
} from './matching';
export {
  meanSquaredError,
  nrmse,
  psnr,
  skimageDefaultDataRange,
  ssim,
  ssimMap
} from './restoration';
export type {
  ISSIMOptions,
  ISSIMResult,
  NRMSENormalization
} from './restoration';
export {
  connectedComponents,
  objectSizes,
  relabelSequential,
  removeSmallObjects,
  threshold
} from './labels';
export type { ILabelResult } from './labels';
export { seededWatershed, watershedFromMarkers } from './watershed';
export type { IWatershedOptions } from './watershed';
export {
  D4_TRANSFORMS,
  applyPlaneTransform,
  consistencyScore,
  disagreementMap,
  flipPlane,
  invertPlaneTransform,
  meanPrediction,
  rot90Plane
} from './tta';
export type { IPlaneTransform, ITtaConsistency } from './tta';

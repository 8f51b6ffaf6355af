/**
 * Pre- and postprocessing of bioimage.io models (digest section 6).
 *
 * The processing/ folder (this index is what the rest of core imports):
 * stage.ts runs a list of steps on a stage's tensors, ops.ts prepares one
 * step from its kwargs (kwargs.ts), kernels.ts holds the element-wise
 * arithmetic and statistics.ts the per-sample and per-dataset statistics.
 * It imports only core/tensor and core/spec.
 */
export { runPostprocessing, runPreprocessing } from './stage';
export { prepareOp } from './ops';
export type { PreparedOp } from './ops';
export {
  alignStat,
  meanStd,
  percentileOf,
  percentiles,
  StageStatistics
} from './statistics';
export type { IGroupStat, PercentileMethod } from './statistics';

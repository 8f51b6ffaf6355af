/**
 * Pre- and postprocessing of bioimage.io models (digest section 6).
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

/**
 * The wizard session, split by concern (one file each, each with its own
 * signal): the state store, the activity, the image and model choice, the
 * preview, run, validation and compare controllers, and the facade that
 * wires them. Everything here but `jupyter-services.ts` runs in plain Node.
 */
export { WizardSession } from './wizard-session';
export {
  jupyterSessionServices,
  type IWizardServices
} from './jupyter-services';
export type { ISessionServices, IWizardFiles, ShowOverlay } from './services';
export type {
  ICandidatePreview,
  ICropPreview,
  IInputPreview,
  IWizardMetrics,
  IWizardResult
} from '../results';
export { initialState } from '../state';

/**
 * JupyterLab's services as the session's interfaces: the contents manager
 * as file access, the zoo's runnable location as a URL the inference
 * worker fetches. The only module of the session that uses JupyterLab.
 *
 * May import `src/core`, `src/jupyter`, `src/tokens.ts` and this folder.
 */
import type { Contents, ServiceManager } from '@jupyterlab/services';

import {
  descriptionUrl,
  readFileBytes,
  writeFileBytes
} from '../../jupyter/files';
import type {
  IInferenceClient,
  IInferenceService,
  IZooCatalog
} from '../../tokens';
import type { IWizardState } from '../state';
import type { ISessionServices, ShowOverlay } from './services';

/** What the plugin hands the session. */
export interface IWizardServices {
  contents: Contents.IManager;
  serviceManager?: ServiceManager.IManager;
  inference: IInferenceService;
  zoo: IZooCatalog;
  /** Show result arrays over the image in the viewer. */
  showOverlay?: ShowOverlay;
  /** Keep the user's choices (e.g. in the state database). */
  saveState?(state: IWizardState): void;
  extensionVersion: string;
}

/**
 * The service's client, looked up on every call: the service makes it on
 * first use and makes a new one when the worker was stopped.
 */
function currentClient(service: IInferenceService): IInferenceClient {
  return {
    get progress() {
      return service.client.progress;
    },
    probe: () => service.client.probe(),
    open: (source, backend, numThreads) =>
      service.client.open(source, backend, numThreads),
    test: modelKey => service.client.test(modelKey),
    predict: (modelKey, inputs, blockShape, preprocessing) =>
      service.client.predict(modelKey, inputs, blockShape, preprocessing),
    close: modelKey => service.client.close(modelKey)
  };
}

/** The session's services on JupyterLab's. */
export function jupyterSessionServices(
  services: IWizardServices
): ISessionServices {
  const { contents, serviceManager, zoo } = services;
  return {
    files: {
      readFileBytes: path => readFileBytes(contents, path),
      writeFileBytes: (path, bytes) => writeFileBytes(contents, path, bytes)
    },
    inference: currentClient(services.inference),
    catalog: zoo.catalog,
    packageSource: async entry => ({
      kind: 'url',
      url: descriptionUrl(await zoo.runnableLocation(entry), serviceManager)
    }),
    showOverlay: services.showOverlay,
    saveState: services.saveState,
    extensionVersion: services.extensionVersion
  };
}

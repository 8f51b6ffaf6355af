import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { notebookPlugin } from './notebook/plugin';
import { runtimePlugin } from './inference/plugin';
import { viewerPlugin } from './viewer/plugin';
import { wizardPlugin } from './wizard/plugin';
import { zooPlugin } from './zoo/plugin';

/** Plugin wiring only: every feature lives in its own folder. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [
  runtimePlugin,
  zooPlugin,
  viewerPlugin,
  notebookPlugin,
  wizardPlugin
];

export default plugins;

import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { runtimePlugin } from './runtime/plugin';
import { zooPlugin } from './zoo/plugin';

/** Plugin wiring only: every feature lives in its own folder. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [runtimePlugin, zooPlugin];

export default plugins;

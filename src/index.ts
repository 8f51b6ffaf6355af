import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { zooPlugin } from './zoo/plugin';

/** Plugin wiring only: every feature lives in its own folder. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [zooPlugin];

export default plugins;

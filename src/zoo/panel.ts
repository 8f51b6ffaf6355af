import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { bioimageIcon } from '../icons';
import { IServerHealth } from '../server/request';

/** The left sidebar panel: home of the model zoo browser. */
export class ZooPanel extends SidePanel {
  constructor(options: ZooPanel.IOptions = {}) {
    const translator = options.translator ?? nullTranslator;
    super({ translator });
    const trans = translator.load('jupyterlab_bioimage');
    this.id = 'jp-bioimage-zoo';
    this.addClass('jp-BioImage-zooPanel');
    this.title.icon = bioimageIcon;
    this.title.caption = trans.__('BioImage Model Zoo');
    this.node.setAttribute('aria-label', trans.__('BioImage Model Zoo'));
    this._bioTrans = trans;

    this._status = new Widget();
    this._status.addClass('jp-BioImage-zooStatus');
    this._status.node.setAttribute('role', 'status');
    this._status.node.textContent = trans.__('Connecting to the server…');
    this._list = new Widget({ node: document.createElement('ul') });
    this._list.addClass('jp-BioImage-zooList');
    this._list.node.setAttribute('aria-label', trans.__('Models'));
    this.addWidget(this._status);
    this.addWidget(this._list);
  }

  /** Show what the server extension reported (or why it could not). */
  showHealth(health: IServerHealth | Error): void {
    const status = this._status.node;
    const list = this._list.node;
    list.replaceChildren();
    if (health instanceof Error) {
      status.classList.add('jp-mod-error');
      status.textContent = this._bioTrans.__(
        'The jupyterlab-bioimage server extension did not answer (%1). Is the Python package installed in the environment running JupyterLab?',
        health.message
      );
      return;
    }
    status.classList.remove('jp-mod-error');
    status.textContent = this._bioTrans.__(
      'Server extension %1 · %2 bundled models',
      health.version,
      health.bundled_models.length
    );
    for (const id of health.bundled_models) {
      const item = document.createElement('li');
      item.className = 'jp-BioImage-zooItem';
      const name = document.createElement('div');
      name.className = 'jp-BioImage-zooItemName';
      name.textContent = id;
      item.appendChild(name);
      list.appendChild(item);
    }
  }

  private _bioTrans: ReturnType<ITranslator['load']>;
  private _status: Widget;
  private _list: Widget;
}

export namespace ZooPanel {
  export interface IOptions {
    translator?: ITranslator;
  }
}

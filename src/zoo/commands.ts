/**
 * The zoo's commands, except the zip import (import/flow.ts): show the
 * sidebar, check the server extension, open a model card, add and reload
 * sources; the sidebar's + and × buttons go through them, and they are in
 * the command palette.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { type ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';

import { CommandIDs, PALETTE_CATEGORY } from '../commands';
import type { IUserSource, ModelCatalog } from './catalog/catalog';
import type { CardOpener } from './card/open';
import { checkServer } from './health';
import type { ZooPanel } from './panel';
import type { ZooSettings } from './settings';

/** What the zoo's commands act on. */
export interface IZooCommandContext {
  app: JupyterFrontEnd;
  catalog: ModelCatalog;
  panel: ZooPanel;
  settings: ZooSettings;
  cards: CardOpener;
  trans: TranslationBundle;
}

/** Register the zoo's commands and connect the sidebar's source buttons to them. */
export function registerZooCommands(context: IZooCommandContext): void {
  const { app, catalog, panel, settings, cards, trans } = context;
  app.commands.addCommand(CommandIDs.openZoo, {
    label: trans.__('Open Model Zoo'),
    caption: trans.__('Show the BioImage Model Zoo sidebar'),
    execute: () => app.shell.activateById(panel.id)
  });
  app.commands.addCommand(CommandIDs.checkServer, {
    label: trans.__('Check BioImage Server Extension'),
    execute: () => checkServer(panel)
  });
  app.commands.addCommand(CommandIDs.openModelCard, {
    label: trans.__('Open Model Card'),
    execute: args => {
      const key = typeof args.key === 'string' ? args.key : '';
      const id = typeof args.id === 'string' ? args.id : '';
      const entry =
        catalog.entry(key) ?? catalog.entries.find(e => e.id === id);
      if (!entry) {
        throw new Error(`no model '${key || id}' in the zoo catalog`);
      }
      const widget = cards.open(entry);
      return widget ? widget.id : null;
    }
  });
  app.commands.addCommand(CommandIDs.addZooSource, {
    label: trans.__('Add Model Zoo Source…'),
    caption: trans.__(
      'Another collection index, a description URL or a workspace folder'
    ),
    execute: async args => {
      let kind = typeof args.kind === 'string' ? args.kind : '';
      let location = typeof args.location === 'string' ? args.location : '';
      const kinds: Record<string, IUserSource['kind']> = {
        [trans.__('A collection index (index.json URL)')]: 'index',
        [trans.__('One model description (rdf.yaml URL)')]: 'description',
        [trans.__('A workspace folder holding a model package')]: 'folder'
      };
      if (!kind) {
        const choice = await InputDialog.getItem({
          title: trans.__('Add a model source'),
          items: Object.keys(kinds)
        });
        if (!choice.button.accept || !choice.value) {
          return;
        }
        kind = kinds[choice.value];
      }
      if (!location) {
        const answer = await InputDialog.getText({
          title:
            kind === 'folder'
              ? trans.__('Folder (path in the file browser)')
              : trans.__('URL'),
          placeholder: kind === 'folder' ? 'models/my-model' : 'https://…'
        });
        if (!answer.button.accept || !answer.value) {
          return;
        }
        location = answer.value.trim();
      }
      if (kind !== 'index' && kind !== 'description' && kind !== 'folder') {
        throw new Error(`unknown source kind '${kind}'`);
      }
      await settings.addSource(kind, location);
    }
  });
  app.commands.addCommand(CommandIDs.reloadZoo, {
    label: trans.__('Reload Model Zoo'),
    execute: () => catalog.reload()
  });
  panel.addSourceRequested.connect(
    () => void app.commands.execute(CommandIDs.addZooSource)
  );
  panel.removeSourceRequested.connect(
    (_, id) => void settings.removeSource(id)
  );
}

/** The zoo's commands in the palette (the zip import included). */
export function addZooPaletteItems(palette: ICommandPalette | null): void {
  for (const command of [
    CommandIDs.openZoo,
    CommandIDs.checkServer,
    CommandIDs.addZooSource,
    CommandIDs.importModelZip,
    CommandIDs.reloadZoo
  ]) {
    palette?.addItem({ command, category: PALETTE_CATEGORY });
  }
}

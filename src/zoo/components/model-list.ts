/**
 * A virtualised list of catalog entries: only the rows in view (plus a few)
 * exist in the DOM, so thousands of entries scroll smoothly. It is a listbox:
 * arrow keys, Home/End and Page Up/Down move the active row, Enter opens it.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import type { ICatalogEntry, ITestStatus } from '../../core/catalog/types';

const ROW_HEIGHT = 72;
const OVERSCAN = 4;
const LIST_CLASS = 'jp-BioImage-zooList';
const ROW_CLASS = 'jp-BioImage-zooItem';

let instances = 0;

/** Human words for a task id. */
export function taskLabel(task: string, trans: TranslationBundle): string {
  switch (task) {
    case 'segmentation':
      return trans.__('segmentation');
    case 'restoration':
      return trans.__('restoration');
    case 'classification':
      return trans.__('classification');
    case 'detection':
      return trans.__('detection');
    default:
      return trans.__('other');
  }
}

/** The virtualised model list. */
export class ModelList extends Widget {
  constructor(options: ModelList.IOptions) {
    super();
    this._trans = options.trans;
    this._testStatus = options.testStatus;
    this._prefix = `jp-BioImage-zooRow-${++instances}-`;
    this.addClass(LIST_CLASS);
    const node = this.node;
    node.tabIndex = 0;
    node.setAttribute('role', 'listbox');
    node.setAttribute('aria-label', this._trans.__('Models'));
    this._spacer = document.createElement('div');
    this._spacer.className = 'jp-BioImage-zooListSpacer';
    node.appendChild(this._spacer);
  }

  /** Emits the entry the user opened (click, Enter). */
  get opened(): ISignal<this, ICatalogEntry> {
    return this._opened;
  }

  /** The entries shown, in order. */
  get items(): readonly ICatalogEntry[] {
    return this._items;
  }

  set items(items: readonly ICatalogEntry[]) {
    const activeKey = this._items[this._active]?.key;
    this._items = items;
    const kept = activeKey ? items.findIndex(e => e.key === activeKey) : -1;
    this._active = kept >= 0 ? kept : items.length ? 0 : -1;
    this._spacer.style.height = `${items.length * ROW_HEIGHT}px`;
    this._render(true);
  }

  /** Redraw the rows (e.g. when a test status changed). */
  refresh(): void {
    this._render(true);
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case 'scroll':
        this._scheduleRender();
        break;
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
      case 'click':
        this._onClick(event as MouseEvent);
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('scroll', this);
    this.node.addEventListener('keydown', this);
    this.node.addEventListener('click', this);
    this._render(true);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('scroll', this);
    this.node.removeEventListener('keydown', this);
    this.node.removeEventListener('click', this);
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._scheduleRender();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._render(true);
  }

  private _scheduleRender(): void {
    if (this._frame) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._render(false);
    });
  }

  /** Create the rows in view; reuse those already drawn unless `force`. */
  private _render(force: boolean): void {
    const height = this.node.clientHeight || 600;
    const first = Math.max(
      0,
      Math.floor(this.node.scrollTop / ROW_HEIGHT) - OVERSCAN
    );
    const last = Math.min(
      this._items.length,
      Math.ceil((this.node.scrollTop + height) / ROW_HEIGHT) + OVERSCAN
    );
    if (!force && first === this._first && last === this._last) {
      return;
    }
    this._first = first;
    this._last = last;
    const rows: HTMLElement[] = [];
    const drawn = new Map<string, HTMLElement>();
    for (let i = first; i < last; i++) {
      const entry = this._items[i];
      let row = force ? undefined : this._rendered.get(entry.key);
      if (!row) {
        row = this._row(entry, i);
      }
      drawn.set(entry.key, row);
      row.style.top = `${i * ROW_HEIGHT}px`;
      row.classList.toggle('jp-mod-active', i === this._active);
      row.setAttribute('aria-selected', String(i === this._active));
      row.setAttribute('aria-posinset', String(i + 1));
      row.setAttribute('aria-setsize', String(this._items.length));
      rows.push(row);
    }
    this._rendered = drawn;
    this._spacer.replaceChildren(...rows);
    if (this._active >= 0) {
      this.node.setAttribute(
        'aria-activedescendant',
        this._rowId(this._items[this._active])
      );
    } else {
      this.node.removeAttribute('aria-activedescendant');
    }
  }

  private _rowId(entry: ICatalogEntry): string {
    return this._prefix + entry.key.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  private _row(entry: ICatalogEntry, index: number): HTMLElement {
    const trans = this._trans;
    const row = document.createElement('div');
    row.className = ROW_CLASS;
    row.id = this._rowId(entry);
    row.setAttribute('role', 'option');
    row.dataset.index = String(index);
    row.dataset.key = entry.key;
    row.style.height = `${ROW_HEIGHT}px`;

    const thumb = document.createElement('div');
    thumb.className = 'jp-BioImage-zooThumb';
    if (entry.cover) {
      const img = document.createElement('img');
      img.loading = 'lazy';
      img.decoding = 'async';
      img.alt = '';
      img.src = entry.cover;
      img.addEventListener('error', () => img.remove());
      thumb.appendChild(img);
    }
    row.appendChild(thumb);

    const body = document.createElement('div');
    body.className = 'jp-BioImage-zooItemBody';
    const name = document.createElement('div');
    name.className = 'jp-BioImage-zooItemName';
    name.textContent = entry.name;
    const id = document.createElement('div');
    id.className = 'jp-BioImage-zooItemId';
    id.textContent = entry.version
      ? `${entry.id} · ${entry.version}`
      : entry.id;
    const description = document.createElement('div');
    description.className = 'jp-BioImage-zooItemDescription';
    description.textContent = entry.description;
    const badges = document.createElement('div');
    badges.className = 'jp-BioImage-zooBadges';
    const badge = (text: string, mod: string, title?: string) => {
      const b = document.createElement('span');
      b.className = `jp-BioImage-zooBadge ${mod}`;
      b.textContent = text;
      if (title) {
        b.title = title;
      }
      badges.appendChild(b);
    };
    if (entry.dims) {
      badge(entry.dims, 'jp-mod-dims');
    }
    for (const task of entry.tasks.filter(t => t !== 'other')) {
      badge(taskLabel(task, trans), 'jp-mod-task');
    }
    if (entry.runsInBrowser) {
      badge(
        trans.__('runs in browser'),
        'jp-mod-browser',
        trans.__('Has ONNX weights')
      );
    }
    if (entry.origin.kind === 'bundled') {
      badge(trans.__('bundled'), 'jp-mod-origin');
    } else if (entry.origin.kind === 'user') {
      badge(trans.__('my source'), 'jp-mod-origin', entry.origin.label);
    }
    const test = this._testStatus(entry.key);
    if (test) {
      badge(
        test.passed ? trans.__('test passed') : trans.__('test failed'),
        test.passed ? 'jp-mod-pass' : 'jp-mod-fail',
        test.error ??
          trans.__('max abs diff %1', test.maxAbsDiff.toExponential(2))
      );
    }
    body.append(name, id, description, badges);
    row.appendChild(body);

    const label = [
      entry.name,
      entry.id,
      entry.version,
      entry.dims,
      ...entry.tasks.filter(t => t !== 'other'),
      entry.runsInBrowser ? trans.__('runs in browser') : '',
      test
        ? test.passed
          ? trans.__('test passed')
          : trans.__('test failed')
        : ''
    ]
      .filter(Boolean)
      .join(', ');
    row.setAttribute('aria-label', label);
    return row;
  }

  private _setActive(index: number): void {
    if (!this._items.length) {
      return;
    }
    this._active = Math.max(0, Math.min(this._items.length - 1, index));
    const top = this._active * ROW_HEIGHT;
    const view = this.node.clientHeight || ROW_HEIGHT;
    if (top < this.node.scrollTop) {
      this.node.scrollTop = top;
    } else if (top + ROW_HEIGHT > this.node.scrollTop + view) {
      this.node.scrollTop = top + ROW_HEIGHT - view;
    }
    this._render(true);
  }

  private _onKeyDown(event: KeyboardEvent): void {
    const page = Math.max(
      1,
      Math.floor((this.node.clientHeight || 400) / ROW_HEIGHT) - 1
    );
    const moves: Record<string, number> = {
      ArrowDown: this._active + 1,
      ArrowUp: this._active - 1,
      PageDown: this._active + page,
      PageUp: this._active - page,
      Home: 0,
      End: this._items.length - 1
    };
    if (event.key in moves) {
      event.preventDefault();
      this._setActive(moves[event.key]);
    } else if (
      (event.key === 'Enter' || event.key === ' ') &&
      this._active >= 0
    ) {
      event.preventDefault();
      this._opened.emit(this._items[this._active]);
    }
  }

  private _onClick(event: MouseEvent): void {
    const row = (event.target as HTMLElement).closest(
      `.${ROW_CLASS}`
    ) as HTMLElement | null;
    if (!row) {
      return;
    }
    const index = Number(row.dataset.index);
    this._active = index;
    this._render(true);
    this.node.focus();
    this._opened.emit(this._items[index]);
  }

  private _trans: TranslationBundle;
  private _testStatus: (key: string) => ITestStatus | undefined;
  private _prefix: string;
  private _spacer: HTMLDivElement;
  private _items: readonly ICatalogEntry[] = [];
  private _active = -1;
  private _first = -1;
  private _last = -1;
  private _frame = 0;
  private _rendered = new Map<string, HTMLElement>();
  private _opened = new Signal<this, ICatalogEntry>(this);
}

/** Options of the list. */
export namespace ModelList {
  export interface IOptions {
    trans: TranslationBundle;
    /** The known test result of an entry. */
    testStatus: (key: string) => ITestStatus | undefined;
  }
}

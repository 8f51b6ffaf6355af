/**
 * The viewer's keys, pressed on the image (not in its controls): arrows and
 * Page Up/Down step through Z and T, Home/End go to the first/last plane,
 * + / - zoom, 0 fits and 1 shows the actual size. They are handled on the
 * viewer's node rather than as JupyterLab shortcuts, so that keys typed into
 * the sidebar's inputs stay there.
 */
import type { ImageModel } from './model';

/** What the keys act on. */
export interface IKeyboardTarget {
  readonly model: ImageModel;
  step(axis: 'z' | 't', delta: number): void;
  zoomBy(factor: number): void;
  fit(): void;
  actualSize(): void;
}

/** Run the action of `key` on `viewer`; false when the key is not one of the viewer's. */
export function handleViewerKey(key: string, viewer: IKeyboardTarget): boolean {
  const m = viewer.model;
  const hasZ = m.sizeZ > 1;
  switch (key) {
    case 'ArrowUp':
    case 'PageUp':
      viewer.step(hasZ ? 'z' : 't', key === 'PageUp' ? 10 : 1);
      return true;
    case 'ArrowDown':
    case 'PageDown':
      viewer.step(hasZ ? 'z' : 't', key === 'PageDown' ? -10 : -1);
      return true;
    case 'ArrowRight':
      viewer.step(m.sizeT > 1 ? 't' : 'z', 1);
      return true;
    case 'ArrowLeft':
      viewer.step(m.sizeT > 1 ? 't' : 'z', -1);
      return true;
    case 'Home':
      void m.setPosition({ z: 0 });
      return true;
    case 'End':
      void m.setPosition({ z: m.sizeZ - 1 });
      return true;
    case '+':
    case '=':
      viewer.zoomBy(1.25);
      return true;
    case '-':
      viewer.zoomBy(0.8);
      return true;
    case '0':
      viewer.fit();
      return true;
    case '1':
      viewer.actualSize();
      return true;
    default:
      return false;
  }
}

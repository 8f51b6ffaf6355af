/**
 * A tiny element builder for the viewer's plain-DOM controls.
 */

/** Attributes and properties for {@link h}. */
export type Props = Record<string, string | number | boolean | undefined>;

/**
 * Create an element: `className` and `textContent` set the properties, other
 * keys become attributes (false/undefined are skipped).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) {
      continue;
    }
    if (key === 'className') {
      el.className = String(value);
    } else if (key === 'textContent') {
      el.textContent = String(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  el.append(...children);
  return el;
}

/** A titled section of the sidebar. */
export function section(
  title: string,
  className: string
): {
  node: HTMLElement;
  body: HTMLElement;
} {
  const body = h('div', { className: 'jp-BioImage-sectionBody' });
  const node = h(
    'section',
    { className: `jp-BioImage-section ${className}`, 'aria-label': title },
    h('h3', { className: 'jp-BioImage-sectionTitle', textContent: title }),
    body
  );
  return { node, body };
}

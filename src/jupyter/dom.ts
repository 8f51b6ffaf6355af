/**
 * The one element builder of the extension's plain-DOM views (the viewer's
 * controls, the zoo's model card): `h(tag, props, ...children)`, and the
 * viewer sidebar's titled `section`.
 *
 * This folder, `src/jupyter/`, is the JupyterLab glue the features share:
 * request.ts (the server extension's REST calls), files.ts (the Jupyter file
 * tree), dom.ts (this builder) and icons.ts. It imports only `src/core`, never
 * a feature, so every feature may import it.
 */

/** Attributes and properties for {@link h}. */
export type Props = Record<
  string,
  string | number | boolean | null | undefined
>;

/**
 * Create an element: `className` and `textContent` set the properties, other
 * keys become attributes (false, null and undefined are skipped, so text
 * that a parsed description leaves out adds nothing).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) {
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

/**
 * DOM builders for the sections of the model card, on the shared element
 * builder `h` (src/jupyter/dom.ts). Every text from the description goes in
 * through `textContent`: descriptions are untrusted.
 * Only the documentation is markdown, rendered by the card through
 * JupyterLab's sanitizing renderer.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { h } from '../../jupyter/dom';
import { runsInBrowserStatic } from '../../core/package/browser-support';
import { describeProcessing } from '../../core/spec/describe';
import type {
  AxisSize,
  IAuthor,
  ITensorDescr,
  IModelDescription
} from '../../core/spec/types';

/** A link opening in a new tab, only for http(s) URLs. */
export function link(href: string, text: string): HTMLElement {
  if (!/^https?:\/\//i.test(href)) {
    return h('span', { textContent: text });
  }
  const a = h('a', { textContent: text });
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

/** A titled section. */
export function section(
  title: string,
  className: string,
  ...children: Node[]
): HTMLElement {
  return h(
    'section',
    {
      className: `jp-BioImage-cardSection ${className}`,
      'aria-label': title
    },
    h('h2', { textContent: title }),
    ...children
  );
}

function sizeText(size: AxisSize, trans: TranslationBundle): string {
  switch (size.kind) {
    case 'fixed':
      return String(size.value);
    case 'parameterized':
      return size.step
        ? trans.__('%1 + n×%2', size.min, size.step)
        : String(size.min);
    case 'reference':
      return trans.__(
        'same as %1.%2%3',
        size.tensorId,
        size.axisId,
        size.offset ? ` ${size.offset > 0 ? '+' : ''}${size.offset}` : ''
      );
    case 'data-dependent':
      return trans.__('data-dependent');
    default:
      return trans.__('any');
  }
}

/** Name, affiliation and ORCID of people. */
export function people(list: IAuthor[]): HTMLElement {
  const ul = h('ul', { className: 'jp-BioImage-cardPeople' });
  for (const a of list) {
    const li = h('li', { textContent: a.name ?? a.githubUser ?? '' });
    if (a.affiliation) {
      li.append(
        h('span', {
          className: 'jp-BioImage-cardMuted',
          textContent: ` — ${a.affiliation}`
        })
      );
    }
    if (a.orcid) {
      li.append(' ', link(`https://orcid.org/${a.orcid}`, 'ORCID'));
    }
    if (a.githubUser) {
      li.append(
        ' ',
        link(`https://github.com/${a.githubUser}`, `@${a.githubUser}`)
      );
    }
    ul.appendChild(li);
  }
  return ul;
}

/** Citations with DOI links. */
export function citations(model: IModelDescription): HTMLElement {
  const ul = h('ul', { className: 'jp-BioImage-cardCitations' });
  for (const c of model.cite) {
    const li = h('li', { textContent: c.text });
    if (c.doi) {
      const doi = c.doi.replace(/^https?:\/\/(dx\.)?doi\.org\//, '');
      li.append(' ', link(`https://doi.org/${doi}`, `doi:${doi}`));
    } else if (c.url) {
      li.append(' ', link(c.url, c.url));
    }
    ul.appendChild(li);
  }
  return ul;
}

/** One tensor: axes table, data type and range, channel names, processing in words. */
export function tensor(
  t: ITensorDescr,
  kind: 'input' | 'output',
  trans: TranslationBundle
): HTMLElement {
  const box = h('div', { className: 'jp-BioImage-cardTensor' });
  box.dataset.tensor = t.id;
  box.append(
    h('h3', {
      textContent:
        kind === 'input'
          ? trans.__('Input “%1”', t.id)
          : trans.__('Output “%1”', t.id)
    })
  );
  if (t.description) {
    box.append(h('p', { textContent: t.description }));
  }
  const table = h('table', { className: 'jp-BioImage-cardAxes' });
  const head = h('tr');
  for (const heading of [
    trans.__('Axis'),
    trans.__('Type'),
    trans.__('Size'),
    trans.__('Pixel size'),
    trans.__('Halo')
  ]) {
    head.append(h('th', { textContent: heading }));
  }
  table.append(head);
  for (const a of t.axes) {
    const tr = h('tr');
    const physical =
      a.type === 'space' || a.type === 'time'
        ? `${a.scale}${a.unit ? ` ${a.unit}` : ''}`
        : '';
    for (const v of [
      a.id,
      a.type,
      sizeText(a.size, trans),
      physical,
      a.halo ? String(a.halo) : ''
    ]) {
      tr.append(h('td', { textContent: v }));
    }
    table.append(tr);
  }
  box.append(table);
  const [lo, hi] = t.data.range;
  const range =
    lo === null && hi === null
      ? trans.__('any value of the type')
      : `[${lo ?? '−∞'}, ${hi ?? '∞'}]`;
  box.append(
    h('p', {
      className: 'jp-BioImage-cardData',
      textContent: trans.__(
        'Data: %1, range %2%3',
        t.data.type,
        range,
        t.data.unit ? ` (${t.data.unit})` : ''
      )
    })
  );
  const channel = t.axes.find(a => a.channelNames?.length);
  if (channel?.channelNames) {
    box.append(
      h('p', {
        textContent: trans.__('Channels: %1', channel.channelNames.join(', '))
      })
    );
  }
  const steps = t.processing;
  const title =
    kind === 'input' ? trans.__('Preprocessing') : trans.__('Postprocessing');
  if (steps.length) {
    const ol = h('ol', { className: 'jp-BioImage-cardProcessing' });
    ol.setAttribute('aria-label', title);
    for (const step of steps) {
      const li = h('li', { textContent: describeProcessing(step, t) });
      li.dataset.step = step.id;
      ol.append(li);
    }
    box.append(h('h4', { textContent: title }), ol);
  } else {
    box.append(
      h('p', {
        className: 'jp-BioImage-cardMuted',
        textContent:
          kind === 'input'
            ? trans.__('No preprocessing.')
            : trans.__('No postprocessing.')
      })
    );
  }
  return box;
}

/** Weight formats with the runs-in-browser verdict and its reason. */
export function weights(
  model: IModelDescription,
  trans: TranslationBundle
): HTMLElement {
  const box = h('div', { className: 'jp-BioImage-cardWeights' });
  const support = runsInBrowserStatic(model);
  const verdict = h('p', {
    className: `jp-BioImage-cardVerdict ${support.hasOnnx ? 'jp-mod-yes' : 'jp-mod-no'}`,
    textContent: support.hasOnnx
      ? trans.__('Runs in this browser: yes — %1.', support.reason)
      : trans.__('Runs in this browser: no — %1', support.reason)
  });
  const ul = h('ul');
  for (const w of model.weights) {
    const li = h('li', { textContent: w.format });
    if (w.opsetVersion) {
      li.append(
        h('span', {
          className: 'jp-BioImage-cardMuted',
          textContent: trans.__(' (opset %1)', w.opsetVersion)
        })
      );
    }
    if (w.parent) {
      li.append(
        h('span', {
          className: 'jp-BioImage-cardMuted',
          textContent: trans.__(' converted from %1', w.parent)
        })
      );
    }
    ul.append(li);
  }
  box.append(verdict, ul);
  return box;
}

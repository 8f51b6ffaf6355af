/**
 * Step 1, Choose: what the image is, and every catalog model ranked by how
 * well it fits, each mismatch said in plain words. Any model can be picked.
 */
import type { ZooTask } from '../../zoo/catalog-types';
import {
  block,
  button,
  field,
  h,
  IStepContext,
  select,
  verdict
} from './common';

const TASKS: ZooTask[] = [
  'segmentation',
  'restoration',
  'classification',
  'detection'
];

function fmtUm(v: number | undefined): string {
  return v === undefined ? '?' : `${v.toPrecision(3)} µm`;
}

/** The Choose step. */
export function renderChoose(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const s = session.summary;
  const root = h('div', { className: 'jp-BioImage-wizardStep jp-mod-choose' });
  if (!s) {
    root.append(h('p', { textContent: trans.__('Reading the image…') }));
    return root;
  }
  const sizes = s.sizes;
  const facts = [
    [trans.__('Axes'), `${s.axes} (${s.shape.join(' × ')})`],
    [trans.__('Type'), s.dtype],
    [
      trans.__('Dimensions'),
      s.spatialDims === 3 ? trans.__('3D, %1 planes', sizes.z) : '2D'
    ],
    [
      trans.__('Channels'),
      String(sizes.c) +
        (s.channelNames?.length ? ` (${s.channelNames.join(', ')})` : '')
    ],
    [
      trans.__('Pixel size'),
      s.pixelSizeUm
        ? `${fmtUm(s.pixelSizeUm.x)} × ${fmtUm(s.pixelSizeUm.y)}`
        : trans.__('not in the file')
    ],
    [
      trans.__('Intensities'),
      s.stats
        ? trans.__(
            '%1 … %2 (1st–99th percentile %3 … %4)',
            s.stats.min,
            s.stats.max,
            s.stats.p1.toPrecision(4),
            s.stats.p99.toPrecision(4)
          )
        : '?'
    ]
  ];
  const dl = h('dl', { className: 'jp-BioImage-facts' });
  for (const [k, v] of facts) {
    dl.append(h('dt', { textContent: k }), h('dd', { textContent: v }));
  }
  root.append(block(trans.__('Your image: %1', s.name), 'jp-mod-image', dl));

  const task = select(
    [['', trans.__('any task')], ...TASKS.map(t => [t, t] as [string, string])],
    session.state.wantedTask,
    v => {
      session.update({ wantedTask: v as ZooTask | '' });
      void session.loadImage();
    },
    'jp-BioImage-wizardTask'
  );
  const list = h('ol', {
    className: 'jp-BioImage-fitList',
    'aria-label': trans.__('Models ranked by fit')
  });
  for (const fit of session.fits) {
    const chosen = fit.key === session.state.modelKey;
    const reasons = h('ul', { className: 'jp-BioImage-fitReasons' });
    for (const r of fit.reasons) {
      reasons.append(verdict(r.level, r.message));
    }
    list.append(
      h(
        'li',
        {
          className: `jp-BioImage-fit ${chosen ? 'jp-mod-selected' : ''} ${fit.runnable ? '' : 'jp-mod-unrunnable'}`,
          'data-key': fit.key
        },
        h(
          'div',
          { className: 'jp-BioImage-fitHead' },
          h('span', {
            className: 'jp-BioImage-fitScore',
            title: trans.__('fit score, 0–100'),
            textContent: String(Math.round(fit.score))
          }),
          h('span', {
            className: 'jp-BioImage-fitName',
            textContent: fit.name
          }),
          button(
            trans.__('Card'),
            'jp-BioImage-fitCard',
            () => ctx.openCard(fit.key),
            { title: trans.__('Open the model card') }
          ),
          button(
            chosen ? trans.__('Chosen') : trans.__('Choose'),
            'jp-BioImage-fitChoose',
            () => session.chooseModel(fit.key),
            {
              accept: fit.runnable,
              title: fit.runnable
                ? undefined
                : trans.__(
                    'This model cannot run in the browser on this image; you may still choose it to read why'
                  )
            }
          )
        ),
        reasons
      )
    );
  }
  root.append(
    block(
      trans.__('Models that fit this image'),
      'jp-mod-models',
      field(trans.__('I want to do'), task),
      session.fits.length
        ? list
        : h('p', {
            textContent: trans.__(
              'The model zoo has no models yet (still loading?).'
            )
          })
    )
  );
  return root;
}

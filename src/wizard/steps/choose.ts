/**
 * Step 1, Choose: what the image is, and every catalog model ranked by how
 * well it fits, each mismatch said in plain words. Any model can be picked.
 */
import type { ZooTask } from '../../core/catalog/types';
import { thumbnail } from '../charts';
import {
  block,
  button,
  field,
  h,
  IStepContext,
  select,
  type StepSignal,
  verdict
} from './common';

/** Models listed before "Show all". */
const TOP = 10;

const TASKS: ZooTask[] = [
  'segmentation',
  'restoration',
  'classification',
  'detection'
];

function fmtUm(v: number | undefined): string {
  return v === undefined ? '?' : `${v.toPrecision(3)} µm`;
}

/** What Choose shows: the choices, the image and ranked models, the comparison. */
export function chooseSignals(session: IStepContext['session']): StepSignal[] {
  return [
    session.store.stateChanged,
    session.activity.activityChanged,
    session.choice.choiceChanged,
    session.compare.compareChanged
  ];
}

/** The Choose step. */
export function renderChoose(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const s = session.choice.summary;
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
    v => session.update({ wantedTask: v as ZooTask | '' }),
    'jp-BioImage-wizardTask'
  );
  const list = h('ol', {
    className: 'jp-BioImage-wizardFitList',
    'aria-label': trans.__('Models ranked by fit')
  });
  // A long list (the live zoo has thousands) stays fast: the best first.
  const shown = session.choice.showAllModels
    ? session.choice.fits
    : session.choice.fits.slice(0, TOP);
  for (const fit of shown) {
    const chosen = fit.key === session.state.modelKey;
    const reasons = h('ul', { className: 'jp-BioImage-wizardFitReasons' });
    for (const r of fit.reasons) {
      reasons.append(verdict(r.level, r.message));
    }
    list.append(
      h(
        'li',
        {
          className: `jp-BioImage-wizardFit ${chosen ? 'jp-mod-selected' : ''} ${fit.runnable ? '' : 'jp-mod-unrunnable'}`,
          'data-key': fit.key
        },
        h(
          'div',
          { className: 'jp-BioImage-wizardFitHead' },
          h('span', {
            className: 'jp-BioImage-wizardFitScore',
            title: trans.__('fit score, 0–100'),
            textContent: String(Math.round(fit.score))
          }),
          h('span', {
            className: 'jp-BioImage-wizardFitName',
            textContent: fit.name
          }),
          button(
            trans.__('Card'),
            'jp-BioImage-wizardFitCard',
            () => ctx.openCard(fit.key),
            { title: trans.__('Open the model card') }
          ),
          button(
            chosen ? trans.__('Chosen') : trans.__('Choose'),
            'jp-BioImage-wizardFitChoose',
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
  const more =
    session.choice.fits.length > TOP
      ? button(
          session.choice.showAllModels
            ? trans.__('Show the best %1 only', TOP)
            : trans.__('Show all %1 models', session.choice.fits.length),
          'jp-BioImage-wizardShowAll',
          () => session.choice.setShowAllModels(!session.choice.showAllModels)
        )
      : '';
  root.append(
    comparisonBlock(ctx),
    block(
      trans.__('Models that fit this image'),
      'jp-mod-models',
      field(trans.__('I want to do'), task),
      session.choice.fits.length
        ? list
        : h('p', {
            textContent: trans.__(
              'The model zoo has no models yet (still loading?).'
            )
          }),
      more
    )
  );
  return root;
}

/** Label-free comparison of the top candidates on a crop. */
function comparisonBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const nodes: Node[] = [
    h('p', {
      className: 'jp-BioImage-hint',
      textContent: trans.__(
        'No labels yet? Run the three best models on a crop of your image, and on flipped and rotated copies of it: a model whose outputs change when the image is only turned is not stable on these data.'
      )
    }),
    button(
      trans.__('Compare the top 3 on a crop'),
      'jp-BioImage-wizardCompare',
      () => void session.compare.compareCandidates(),
      {
        disabled:
          !!session.activity.busy || !session.choice.fits.some(f => f.runnable)
      }
    )
  ];
  const previews = session.compare.comparison;
  if (previews?.length) {
    const row = h('div', { className: 'jp-BioImage-wizardCompareRow' });
    row.append(
      h(
        'figure',
        {},
        thumbnail(previews[0].input, trans.__('the crop of your image')),
        h('figcaption', { textContent: trans.__('your image (crop)') })
      )
    );
    for (const p of previews) {
      const c = p.consistency;
      row.append(
        h(
          'figure',
          { 'data-key': p.key, className: 'jp-BioImage-wizardCandidate' },
          thumbnail(p.output, trans.__('output of %1', p.name)),
          h(
            'figcaption',
            {},
            h('strong', { textContent: p.name }),
            h('br'),
            p.segmentation
              ? trans.__(
                  'stability: mean pairwise IoU %1',
                  c.meanPairwiseIoU.toFixed(3)
                )
              : trans.__(
                  'stability: mean disagreement %1',
                  c.meanStd.toExponential(2)
                ),
            h('br'),
            button(
              trans.__('Choose'),
              'jp-BioImage-wizardCandidateChoose',
              () => session.chooseModel(p.key)
            )
          )
        )
      );
    }
    nodes.push(row);
  }
  return block(
    trans.__('Not sure? Compare on a crop'),
    'jp-mod-compare',
    ...nodes
  );
}

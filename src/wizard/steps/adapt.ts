/**
 * Step 2, Adapt: map the image onto the model input (channels, plane), see
 * and adjust the model's own preprocessing, compare the normalised input
 * with the model's test input, set tiling and post-processing, then run.
 */
import { describeProcessing } from '../../core/spec/describe';
import type { InstanceMethod } from '../../core/record/run-record';
import { histogramChart, thumbnail } from '../charts';
import { rescaledSize } from '../../core/analysis/rescale';
import { modelPixelUm } from '../../core/analysis/planes';
import {
  block,
  button,
  field,
  h,
  IStepContext,
  numberInput,
  select,
  type StepSignal,
  verdict
} from './common';

/** Number of channels the model input takes (1 when it has no channel axis). */
function modelChannels(ctx: IStepContext): number {
  const axis = ctx.session.choice.model?.inputs[0]?.axes.find(
    a => a.type === 'channel'
  );
  if (!axis) {
    return 1;
  }
  return axis.size.kind === 'fixed'
    ? axis.size.value
    : (axis.channelNames?.length ?? 1);
}

function channelBlock(ctx: IStepContext): HTMLElement | null {
  const { session, trans } = ctx;
  const s = session.choice.summary;
  if (!s || s.sizes.c <= 1) {
    return null;
  }
  const n = modelChannels(ctx);
  const current =
    session.state.channels ??
    Array.from({ length: n }, (_, i) => Math.min(i, s.sizes.c - 1));
  const options: Array<[string, string]> = Array.from(
    { length: s.sizes.c },
    (_, c) => [
      String(c),
      s.channelNames?.[c]
        ? `${c}: ${s.channelNames[c]}`
        : trans.__('channel %1', c)
    ]
  );
  const names = session.choice.model?.inputs[0]?.axes.find(
    a => a.type === 'channel'
  )?.channelNames;
  const fields = Array.from({ length: n }, (_, k) =>
    field(
      trans.__('Model channel %1 (%2)', k, names?.[k] ?? trans.__('unnamed')),
      select(
        options,
        String(current[k] ?? 0),
        v => {
          const next = [...current];
          next[k] = Number(v);
          session.update({ channels: next });
        },
        'jp-BioImage-wizardChannel'
      )
    )
  );
  return block(trans.__('Channels'), 'jp-mod-channels', ...fields);
}

function planeBlock(ctx: IStepContext): HTMLElement | null {
  const { session, trans } = ctx;
  const s = session.choice.summary;
  const z = session.choice.selection().z;
  if (!s || z === undefined) {
    return null;
  }
  return block(
    trans.__('Plane'),
    'jp-mod-plane',
    h('p', {
      textContent: trans.__(
        'This is a 2D model and your image is a z-stack: it runs on one plane.'
      )
    }),
    field(
      trans.__('Z plane'),
      numberInput(
        z,
        v => session.update({ zPlane: v === null ? null : Math.round(v) }),
        { min: 0, max: s.sizes.z - 1, step: 1 }
      )
    )
  );
}

/** Resampling to the model's pixel size, offered when both sizes are known. */
function pixelSizeBlock(ctx: IStepContext): HTMLElement | null {
  const { session, trans } = ctx;
  const um = session.choice.summary?.pixelSizeUm?.x;
  const model = session.choice.model;
  const modelUm = model ? modelPixelUm(model) : undefined;
  const sizes = session.choice.summary?.sizes;
  if (!um || !modelUm || !sizes) {
    return null;
  }
  const factor = um / modelUm;
  const box = h('input', {
    type: 'checkbox',
    className: 'jp-BioImage-wizardRescale'
  });
  box.checked = session.state.rescale;
  box.addEventListener('change', () =>
    session.update({ rescale: box.checked })
  );
  return block(
    trans.__('Pixel size'),
    'jp-mod-pixelsize',
    h('p', {
      textContent: trans.__(
        'Your pixels are %1 µm, the model’s %2 µm (ratio %3).',
        um.toPrecision(3),
        modelUm.toPrecision(3),
        factor.toFixed(2)
      )
    }),
    field(
      trans.__(
        'Resample the image to the model’s pixel size (%1 × %2 → %3 × %4) and the result back',
        sizes.x,
        sizes.y,
        rescaledSize(sizes.x, factor),
        rescaledSize(sizes.y, factor)
      ),
      box
    )
  );
}

function preprocessingBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const model = session.choice.model;
  const input = model?.inputs[0];
  const steps = h('ol', { className: 'jp-BioImage-steps' });
  if (input) {
    for (const step of session.choice.preprocessing()) {
      steps.append(h('li', { textContent: describeProcessing(step, input) }));
    }
    if (!steps.childElementCount) {
      steps.append(
        h('li', { textContent: trans.__('none: the image goes in as it is') })
      );
    }
  }
  const range = input?.processing.find(p => p.id === 'scale_range');
  const controls: HTMLElement[] = [];
  if (range) {
    const p = session.state.percentiles ?? {
      min: Number(range.kwargs.min_percentile ?? 0),
      max: Number(range.kwargs.max_percentile ?? 100)
    };
    controls.push(
      field(
        trans.__('Low percentile'),
        numberInput(
          p.min,
          v =>
            v !== null &&
            v < p.max &&
            session.update({ percentiles: { min: v, max: p.max } }),
          { min: 0, max: 100, step: 0.1 }
        )
      ),
      field(
        trans.__('High percentile'),
        numberInput(
          p.max,
          v =>
            v !== null &&
            v > p.min &&
            session.update({ percentiles: { min: p.min, max: v } }),
          { min: 0, max: 100, step: 0.1 }
        )
      )
    );
  }
  const preview = session.preview.inputPreview;
  const previewNodes: Node[] = [];
  if (preview) {
    previewNodes.push(
      histogramChart(
        [
          {
            name: trans.__('your image'),
            values: preview.user,
            className: 'jp-mod-user'
          },
          ...(preview.reference
            ? [
                {
                  name: trans.__("model's test input"),
                  values: preview.reference,
                  className: 'jp-mod-reference'
                }
              ]
            : [])
        ],
        trans.__(
          'Histogram of the normalised input next to the model test input'
        )
      )
    );
    if (preview.shift) {
      const list = h('ul', { className: 'jp-BioImage-verdicts jp-mod-shift' });
      for (const c of preview.shift.checks) {
        list.append(verdict(c.level, c.message));
      }
      previewNodes.push(list);
    }
  }
  return block(
    trans.__("The model's preprocessing"),
    'jp-mod-preprocessing',
    steps,
    ...controls,
    button(
      trans.__('Preview the normalised input'),
      'jp-BioImage-wizardPreview',
      () => void session.preview.computePreview(),
      { disabled: !!session.activity.busy }
    ),
    ...previewNodes
  );
}

function postprocessingBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const model = session.choice.model;
  const st = session.state;
  const segmentation =
    session.choice.entry?.tasks.includes('segmentation') ?? false;
  const outputs: Array<[string, string]> = (model?.outputs ?? []).map(o => [
    o.id,
    o.id
  ]);
  const nodes: HTMLElement[] = [
    field(
      trans.__('Tile size (pixels, empty = automatic)'),
      numberInput(
        st.tile,
        v => session.update({ tile: v === null ? null : Math.round(v) }),
        {
          min: 16,
          step: 16,
          className: 'jp-BioImage-wizardTile',
          placeholder: trans.__('auto')
        }
      )
    ),
    field(
      trans.__('Output'),
      select(outputs, st.outputId ?? outputs[0]?.[0] ?? '', v =>
        session.update({ outputId: v })
      )
    )
  ];
  const outAxis = model?.outputs
    .find(o => o.id === st.outputId)
    ?.axes.find(a => a.type === 'channel');
  if (outAxis && outAxis.size.kind === 'fixed' && outAxis.size.value > 1) {
    const names = outAxis.channelNames;
    nodes.push(
      field(
        trans.__('Output channel'),
        select(
          Array.from(
            { length: outAxis.size.value },
            (_, c) =>
              [String(c), names?.[c] ? `${c}: ${names[c]}` : String(c)] as [
                string,
                string
              ]
          ),
          String(st.outputChannel),
          v => session.update({ outputChannel: Number(v) })
        )
      )
    );
  }
  if (segmentation) {
    nodes.push(
      field(
        trans.__('Threshold'),
        numberInput(
          st.threshold,
          v => v !== null && session.update({ threshold: v }),
          {
            min: 0,
            max: 1,
            step: 0.05,
            className: 'jp-BioImage-wizardThreshold'
          }
        )
      ),
      field(
        trans.__('Objects'),
        select(
          [
            ['connected_components', trans.__('connected components')],
            [
              'watershed',
              trans.__('seeded watershed (splits touching objects)')
            ],
            ['none', trans.__('none: a foreground mask')]
          ],
          st.instanceMethod,
          v => session.update({ instanceMethod: v as InstanceMethod })
        )
      ),
      field(
        trans.__('Minimum object size (pixels)'),
        numberInput(
          st.minSize,
          v => session.update({ minSize: v === null ? 0 : Math.round(v) }),
          { min: 0, step: 1 }
        )
      )
    );
  }
  return block(
    trans.__('Tiling and post-processing'),
    'jp-mod-postprocessing',
    ...nodes
  );
}

function runBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const r = session.runner.result;
  const crop = session.preview.cropPreview;
  const nodes: Node[] = [
    button(
      trans.__('Preview on a crop'),
      'jp-BioImage-wizardCropPreview',
      () => void session.preview.previewCrop(),
      {
        disabled: !!session.activity.busy,
        title: trans.__(
          'Runs the model on the centre of the image (256 × 256) with these settings'
        )
      }
    ),
    ...(crop
      ? [
          h(
            'div',
            { className: 'jp-BioImage-wizardCompareRow' },
            thumbnail(crop.input, trans.__('the crop of your image')),
            thumbnail(crop.output, trans.__('the model output on the crop')),
            ...(crop.labels
              ? [
                  thumbnail(crop.labels, trans.__('objects on the crop'), {
                    labels: true
                  })
                ]
              : [])
          )
        ]
      : []),
    button(
      trans.__('Run on the whole image'),
      'jp-BioImage-wizardRun',
      () => void session.runner.run(),
      { accept: true, disabled: !!session.activity.busy }
    )
  ];
  if (r) {
    nodes.push(
      h('p', {
        className: 'jp-BioImage-wizardRunResult',
        textContent: trans.__(
          'Done in %1 s on %2 (%3 tiles)%4. The result is shown over the image in the viewer.',
          (r.report.milliseconds / 1000).toFixed(1),
          r.report.backend,
          r.report.tiles,
          r.labels ? trans.__('; %1 objects', r.objectCount) : ''
        )
      }),
      button(
        trans.__('Save as TIFF next to the image'),
        'jp-BioImage-wizardSave',
        () => {
          void session.runner.saveResult().then(paths => {
            saved.textContent = paths.length
              ? trans.__('Saved %1', paths.join(', '))
              : '';
          });
        }
      )
    );
  }
  const saved = h('span', { className: 'jp-BioImage-hint', role: 'status' });
  nodes.push(saved);
  return block(trans.__('Run'), 'jp-mod-run', ...nodes);
}

/** What Adapt shows: the choices, the chosen model, the previews, the run. */
export function adaptSignals(session: IStepContext['session']): StepSignal[] {
  return [
    session.store.stateChanged,
    session.activity.activityChanged,
    session.choice.choiceChanged,
    session.preview.previewChanged,
    session.runner.runChanged
  ];
}

/** The Adapt step. */
export function renderAdapt(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const root = h('div', { className: 'jp-BioImage-wizardStep jp-mod-adapt' });
  const model = session.choice.model;
  if (!model) {
    root.append(h('p', { textContent: trans.__('Choose a model first.') }));
    return root;
  }
  root.append(
    h('p', {
      className: 'jp-BioImage-wizardModel',
      textContent: trans.__('Model: %1', model.name)
    })
  );
  for (const part of [
    channelBlock(ctx),
    planeBlock(ctx),
    pixelSizeBlock(ctx),
    preprocessingBlock(ctx),
    postprocessingBlock(ctx),
    runBlock(ctx)
  ]) {
    if (part) {
      root.append(part);
    }
  }
  return root;
}

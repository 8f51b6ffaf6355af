/**
 * Adapt, second part: the processing around the model. The model's own
 * preprocessing (its steps, the percentiles of a range normalisation, and a
 * preview comparing the normalised input with the model's test input), then
 * tiling, which output (and channel) to show, and for segmentation models
 * the threshold and how objects are separated.
 */
import { describeProcessing } from '../../core/spec/describe';
import type { InstanceMethod } from '../../core/record/run-record';
import { histogramChart } from '../charts';
import {
  block,
  button,
  field,
  h,
  IStepContext,
  numberInput,
  select,
  verdict
} from './common';

/** The model's preprocessing, its percentiles and the input preview. */
export function preprocessingBlock(ctx: IStepContext): HTMLElement {
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

/** Tile size, the output shown, and a segmentation's threshold and objects. */
export function postprocessingBlock(ctx: IStepContext): HTMLElement {
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

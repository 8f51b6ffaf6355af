/**
 * Step 2, Adapt: map the image onto the model input (channels, plane), see
 * and adjust the model's own preprocessing, compare the normalised input
 * with the model's test input, set tiling and post-processing, then run.
 *
 * This module puts the step together, block by block in their order; the
 * blocks live beside it: adapt-input.ts (channels, plane, pixel size),
 * adapt-processing.ts (preprocessing, tiling and post-processing) and
 * adapt-run.ts (preview on a crop, run, save).
 */
import { channelBlock, pixelSizeBlock, planeBlock } from './adapt-input';
import { postprocessingBlock, preprocessingBlock } from './adapt-processing';
import { runBlock } from './adapt-run';
import { h, IStepContext, type StepSignal } from './common';

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

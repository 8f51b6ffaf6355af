/**
 * Step 3, Validate: does the model reproduce here, do my data look like its
 * data, is the result right (against ground truth), and where is it unsure.
 *
 * This module puts the step together and holds its short blocks (1. the
 * model's own test, 2. domain shift, 4. test-time augmentation); the long
 * ones live beside it: validate-metrics.ts (3. metrics and threshold
 * calibration) and validate-limitations.ts (5. the report: warnings and the
 * model's limitations).
 */
import {
  block,
  button,
  h,
  IStepContext,
  type StepSignal,
  verdict
} from './common';
import { limitationsBlock } from './validate-limitations';
import { metricsBlock } from './validate-metrics';

/** 1. The model's own test, run in this browser. */
function testBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const t = session.validation.testReport;
  const nodes: Node[] = [
    button(
      trans.__("Run the model's own test here"),
      'jp-BioImage-wizardTest',
      () => void session.validation.testModel(),
      { disabled: !!session.activity.busy }
    )
  ];
  if (t) {
    const worst = Math.max(...t.outputs.map(o => o.maxAbsDiff));
    nodes.push(
      h(
        'ul',
        { className: 'jp-BioImage-verdicts' },
        verdict(
          t.passed ? 'ok' : 'fail',
          t.passed
            ? trans.__(
                'Reproduces its test outputs in this browser: max abs diff %1 (%2, %3 ms).',
                worst.toExponential(2),
                t.backend,
                Math.round(t.milliseconds)
              )
            : trans.__(
                'Does NOT reproduce its test outputs here: max abs diff %1 (%2). Do not trust its results.',
                worst.toExponential(2),
                t.backend
              )
        )
      )
    );
  }
  const node = block(
    trans.__('1. Does the model reproduce here?'),
    'jp-mod-test',
    ...nodes
  );
  if (t) {
    node.dataset.passed = String(t.passed);
  }
  return node;
}

/** 2. The input preview's domain-shift checks against the test input. */
function shiftBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const shift = session.preview.inputPreview?.shift;
  const nodes: Node[] = [];
  if (!session.preview.inputPreview) {
    nodes.push(
      button(
        trans.__('Compare my image with its test input'),
        'jp-BioImage-wizardShift',
        () => void session.preview.computePreview(),
        { disabled: !!session.activity.busy }
      )
    );
  } else if (!shift) {
    nodes.push(
      h('p', {
        textContent: trans.__('The model has no test input to compare with.')
      })
    );
  } else {
    const list = h('ul', { className: 'jp-BioImage-verdicts jp-mod-shift' });
    for (const c of shift.checks) {
      list.append(verdict(c.level, c.message));
    }
    nodes.push(
      list,
      h('p', {
        className: shift.doubtful ? 'jp-BioImage-warning' : 'jp-BioImage-hint',
        textContent: shift.doubtful
          ? trans.__(
              'Your data differ from what the model was tested on: treat its results with caution and check them against ground truth.'
            )
          : trans.__('Your data look like the data the model was tested on.')
      })
    );
  }
  return block(
    trans.__('2. Do my data look like its data?'),
    'jp-mod-shift',
    ...nodes
  );
}

/** 4. Where the model is unsure: agreement under flips and rotations. */
function ttaBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const nodes: Node[] = [
    h('p', {
      className: 'jp-BioImage-hint',
      textContent: trans.__(
        'Runs the model on the 8 flips and rotations of the image and shows where the predictions disagree (a heat map over the image). No labels needed.'
      )
    }),
    button(
      trans.__('Show where the model is unsure'),
      'jp-BioImage-wizardTta',
      () => void session.validation.runTta(),
      { disabled: !session.choice.model || !!session.activity.busy }
    )
  ];
  const t = session.validation.tta;
  if (t) {
    nodes.push(
      h(
        'ul',
        { className: 'jp-BioImage-verdicts' },
        verdict(
          t.meanPairwiseIoU >= 0.9
            ? 'ok'
            : t.meanPairwiseIoU >= 0.75
              ? 'warn'
              : 'fail',
          trans.__(
            'Consistency under flips/rotations: mean pairwise IoU %1, mean disagreement %2, max %3.',
            t.meanPairwiseIoU.toFixed(3),
            t.meanStd.toExponential(2),
            t.maxStd.toFixed(3)
          )
        )
      )
    );
  }
  return block(trans.__('4. Where is it unsure?'), 'jp-mod-tta', ...nodes);
}

/**
 * What Validate shows: the choices, the model and its limitations, the
 * domain shift (with the input preview), the result, the validation.
 */
export function validateSignals(
  session: IStepContext['session']
): StepSignal[] {
  return [
    session.store.stateChanged,
    session.activity.activityChanged,
    session.choice.choiceChanged,
    session.preview.previewChanged,
    session.runner.runChanged,
    session.validation.validationChanged
  ];
}

/** The Validate step. */
export function renderValidate(ctx: IStepContext): HTMLElement {
  const root = h('div', {
    className: 'jp-BioImage-wizardStep jp-mod-validate'
  });
  if (!ctx.session.choice.model) {
    root.append(h('p', { textContent: ctx.trans.__('Choose a model first.') }));
    return root;
  }
  root.append(
    testBlock(ctx),
    shiftBlock(ctx),
    metricsBlock(ctx),
    ttaBlock(ctx),
    limitationsBlock(ctx)
  );
  return root;
}

/**
 * Step 3, Validate: does the model reproduce here, do my data look like its
 * data, is the result right (against ground truth), and where is it unsure.
 */
import { thresholdChart } from '../charts';
import {
  block,
  button,
  field,
  formatMetric,
  h,
  IStepContext,
  type StepSignal,
  verdict
} from './common';

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

function metricsBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const gt = h('input', {
    type: 'text',
    className: 'jp-mod-styled jp-BioImage-wizardGroundTruth',
    placeholder: 'images/mask.tif'
  });
  gt.value = session.state.groundTruthPath;
  gt.addEventListener('change', () =>
    session.update({ groundTruthPath: gt.value.trim() })
  );
  const nodes: Node[] = [
    field(trans.__('Ground truth (label image or clean target)'), gt),
    button(
      trans.__('Use the file selected in the file browser'),
      'jp-BioImage-wizardPickGt',
      () => {
        const path = ctx.selectedFile();
        if (path) {
          session.update({ groundTruthPath: path });
        }
      }
    ),
    button(
      trans.__('Compute metrics'),
      'jp-BioImage-wizardMetrics',
      () => {
        session.update({ groundTruthPath: gt.value.trim() });
        void session.validation.evaluate();
      },
      {
        accept: true,
        disabled: !session.runner.result || !!session.activity.busy,
        title: session.runner.result
          ? undefined
          : trans.__('Run the model first (Adapt step)')
      }
    )
  ];
  const m = session.validation.metrics;
  if (m) {
    const table = h('table', { className: 'jp-BioImage-metrics' });
    table.append(
      h(
        'tr',
        {},
        h('th', { textContent: trans.__('metric') }),
        h('th', { textContent: trans.__('value') })
      )
    );
    for (const [k, v] of Object.entries(m.values)) {
      table.append(
        h(
          'tr',
          { 'data-metric': k },
          h('td', { textContent: k }),
          h('td', { textContent: formatMetric(v) })
        )
      );
    }
    nodes.push(table);
    if (m.matching.length) {
      const t2 = h('table', { className: 'jp-BioImage-matching' });
      t2.append(
        h(
          'tr',
          {},
          ...[
            'IoU ≥',
            'TP',
            'FP',
            'FN',
            'precision',
            'recall',
            'F1',
            trans.__('mean matched IoU'),
            'AP'
          ].map(x => h('th', { textContent: x }))
        )
      );
      for (const s of m.matching) {
        t2.append(
          h(
            'tr',
            {},
            ...[
              s.thresh.toFixed(2),
              String(s.tp),
              String(s.fp),
              String(s.fn),
              formatMetric(s.precision),
              formatMetric(s.recall),
              formatMetric(s.f1),
              formatMetric(s.meanMatchedScore),
              formatMetric(s.accuracy)
            ].map(x => h('td', { textContent: x }))
          )
        );
      }
      nodes.push(
        h('p', {
          className: 'jp-BioImage-hint',
          textContent: trans.__(
            'Objects matched one-to-one at each IoU threshold (StarDist’s matching); AP = TP/(TP+FP+FN).'
          )
        }),
        t2,
        thresholdChart(
          m.matching.map(s => ({ x: s.thresh, y: s.f1 })),
          trans.__('F1 against the IoU threshold'),
          { x: trans.__('IoU threshold'), y: 'F1' }
        )
      );
    }
  }
  if (session.runner.result?.labels) {
    nodes.push(calibrationNodes(ctx));
  }
  return block(trans.__('3. Is the result right?'), 'jp-mod-metrics', ...nodes);
}

/** Threshold calibration on the ground truth. */
function calibrationNodes(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const c = session.validation.calibration;
  const wrap = h('div', { className: 'jp-BioImage-wizardCalibration' });
  wrap.append(
    button(
      trans.__('Calibrate the threshold on this ground truth'),
      'jp-BioImage-wizardCalibrate',
      () => void session.validation.calibrate(),
      { disabled: !session.state.groundTruthPath || !!session.activity.busy }
    )
  );
  if (c) {
    const current = session.state.threshold;
    wrap.append(
      thresholdChart(
        c.points.map(p => ({ x: p.threshold, y: p.f1 })),
        trans.__('F1 at IoU 0.5 against the foreground threshold'),
        { x: trans.__('foreground threshold'), y: trans.__('F1 at IoU 0.5') }
      ),
      h('p', {
        className: 'jp-BioImage-wizardCalibrationBest',
        textContent: trans.__(
          'Best threshold %1 (F1 %2 at IoU 0.5); now %3. Calibrating and judging on the same image is optimistic: check the chosen threshold on another labelled image.',
          c.best.threshold.toFixed(2),
          c.best.f1.toFixed(3),
          current.toFixed(2)
        )
      }),
      button(
        trans.__('Use threshold %1', c.best.threshold.toFixed(2)),
        'jp-BioImage-wizardUseThreshold',
        () => {
          session.update({ threshold: c.best.threshold });
          void session.validation.evaluate();
        },
        { disabled: c.best.threshold === current || !!session.activity.busy }
      )
    );
  }
  return wrap;
}

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

function limitationsBlock(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const entry = session.choice.entry;
  const warnings = [
    ...(session.choice.fit?.reasons
      .filter(r => r.level !== 'ok')
      .map(r => r.message) ?? []),
    ...(session.preview.inputPreview?.shift?.checks
      .filter(c => c.level !== 'ok')
      .map(c => c.message) ?? []),
    ...(session.validation.testReport && !session.validation.testReport.passed
      ? [trans.__('The model does not reproduce its own test here.')]
      : [])
  ];
  const list = h('ul', { className: 'jp-BioImage-warnings' });
  for (const w of warnings) {
    list.append(h('li', { textContent: w }));
  }
  return block(
    trans.__('5. Report'),
    'jp-mod-summary',
    warnings.length
      ? list
      : h('p', { textContent: trans.__('No warnings so far.') }),
    ...limitationNodes(ctx),
    ...(entry
      ? [
          button(
            trans.__('Open the model card'),
            'jp-BioImage-wizardCard',
            () => ctx.openCard(entry.key)
          )
        ]
      : [])
  );
}

/** The model's own words on intended use and limitations (plain text). */
function limitationNodes(ctx: IStepContext): Node[] {
  const { session, trans } = ctx;
  const sections = session.choice.limitations;
  if (sections === null) {
    void session.choice.loadLimitations();
    return [];
  }
  if (!sections.length) {
    return [
      h('p', {
        className: 'jp-BioImage-hint',
        textContent: trans.__(
          'The model’s documentation has no section on intended use or limitations: ask its authors, or read its card before publishing results.'
        )
      })
    ];
  }
  return sections.map(s =>
    h(
      'div',
      { className: 'jp-BioImage-wizardLimitations' },
      h('h4', { textContent: trans.__('The authors: %1', s.heading) }),
      h('p', {
        className: 'jp-BioImage-wizardLimitationsText',
        textContent: s.text
      })
    )
  );
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

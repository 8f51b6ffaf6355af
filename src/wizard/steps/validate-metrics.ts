/**
 * Validate, question 3: is the result right? Metrics of the result against
 * a ground truth the user names (a table of values, and for instance
 * segmentations the one-to-one object matching at each IoU threshold with
 * its F1 chart), and calibrating the foreground threshold on that ground
 * truth.
 */
import { thresholdChart } from '../charts';
import { block, button, field, formatMetric, h, IStepContext } from './common';

/** Ground truth, metrics, matching and (for labels) calibration. */
export function metricsBlock(ctx: IStepContext): HTMLElement {
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

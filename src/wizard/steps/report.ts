/**
 * Step 4, Report: write code cells that redo this analysis in the kernel,
 * pinned by model id, version and sha256, with a methods paragraph.
 */
import {
  block,
  button,
  field,
  h,
  IStepContext,
  select,
  type StepSignal
} from './common';

/** What Report shows: the choices, and whether a run (and its metrics) can be recorded. */
export function reportSignals(session: IStepContext['session']): StepSignal[] {
  return [
    session.store.stateChanged,
    session.activity.activityChanged,
    session.choice.choiceChanged,
    session.runner.runChanged,
    session.validation.validationChanged
  ];
}

/** The Report step. */
export function renderReport(ctx: IStepContext): HTMLElement {
  const { session, trans } = ctx;
  const st = session.state;
  const root = h('div', { className: 'jp-BioImage-wizardStep jp-mod-report' });
  const status = h('p', {
    className: 'jp-BioImage-wizardInserted',
    role: 'status'
  });
  const batch = h('input', {
    type: 'checkbox',
    className: 'jp-BioImage-wizardBatch'
  });
  batch.checked = st.includeBatch;
  batch.addEventListener('change', () =>
    session.update({ includeBatch: batch.checked })
  );
  const fineTune = h('input', {
    type: 'checkbox',
    className: 'jp-BioImage-wizardFineTune',
    disabled: !session.canFineTune()
  });
  fineTune.checked = st.includeFineTune && session.canFineTune();
  fineTune.addEventListener('change', () =>
    session.update({ includeFineTune: fineTune.checked })
  );
  let ready = '';
  try {
    session.runRecord();
  } catch (error) {
    ready = (error as Error).message;
  }
  root.append(
    block(
      trans.__('Reproducible code cells'),
      'jp-mod-cells',
      h('p', {
        textContent: trans.__(
          'Inserts cells below the active cell of the current notebook (or into a new notebook next to the image) that load the image, fetch the model pinned by id, version and sha256, preprocess, predict tiled, post-process, compute the metrics and show the result — plus a methods paragraph for your paper. One undo removes them all.'
        )
      }),
      field(
        trans.__('Code style'),
        select(
          [
            [
              'core',
              trans.__('bioimageio.core (the community reference library)')
            ],
            [
              'numpy',
              trans.__('NumPy + onnxruntime, every step visible (for teaching)')
            ]
          ],
          st.style,
          v => session.update({ style: v === 'numpy' ? 'numpy' : 'core' }),
          'jp-BioImage-wizardStyle'
        )
      ),
      field(
        trans.__('Add a Dask batch cell (folders of images, large volumes)'),
        batch
      ),
      field(
        trans.__(
          'Add a fine-tuning cell (PyTorch, early layers frozen, held-out split, QC before and after)'
        ),
        fineTune,
        session.canFineTune()
          ? undefined
          : trans.__(
              'needs a model with TorchScript weights, a run and a ground truth (Validate)'
            )
      ),
      button(
        trans.__('Insert the cells'),
        'jp-BioImage-wizardInsert',
        () => {
          status.textContent = trans.__('Inserting…');
          ctx.insertCells().then(
            message => (status.textContent = message),
            error =>
              (status.textContent = trans.__(
                'Nothing was inserted: %1',
                (error as Error).message
              ))
          );
        },
        { accept: true, disabled: !!ready, title: ready || undefined }
      ),
      ready
        ? h('p', {
            className: 'jp-BioImage-hint',
            textContent: trans.__('Not ready: %1', ready)
          })
        : '',
      status
    )
  );
  return root;
}

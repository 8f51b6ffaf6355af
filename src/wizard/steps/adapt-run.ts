/**
 * Adapt, last part: running the model. A preview on a crop of the image,
 * the run on the whole image, what it gave, and saving the result.
 */
import { thumbnail } from '../charts';
import { block, button, h, IStepContext } from './common';

/** Preview on a crop, run on the whole image, save the result. */
export function runBlock(ctx: IStepContext): HTMLElement {
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

/**
 * Adapt, first part: mapping the image onto the model input. Which image
 * channel feeds which model channel, which plane of a z-stack a 2D model
 * runs on, and resampling to the model's pixel size. Each block is left out
 * (null) when the image and model leave nothing to choose.
 */
import { rescaledSize } from '../../core/analysis/rescale';
import { modelPixelUm } from '../../core/analysis/planes';
import { block, field, h, IStepContext, numberInput, select } from './common';

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

/** Which image channel goes into each model channel (multi-channel images). */
export function channelBlock(ctx: IStepContext): HTMLElement | null {
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

/** The z plane a 2D model runs on (z-stacks). */
export function planeBlock(ctx: IStepContext): HTMLElement | null {
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
export function pixelSizeBlock(ctx: IStepContext): HTMLElement | null {
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

/**
 * The methods paragraph (Markdown) for a paper: model, pinned weights,
 * processing parameters, tiling, thresholds, metrics and software. Every
 * string from the record goes through {@link mdText}.
 */
import { describeProcessing } from '../../core/spec/describe';
import type { ITensorDescr } from '../../core/spec/types';
import { mdText } from './python-literal';
import type { IRunRecord } from '../../core/record/run-record';

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

/** Processing in plain words; falls back to the step ids. */
function processingWords(
  r: IRunRecord,
  which: 'preprocessing' | 'postprocessing'
): string {
  const steps = r.model[which].filter(s => s.id !== 'ensure_dtype');
  if (!steps.length) {
    return 'none';
  }
  const ids =
    which === 'preprocessing' ? r.model.inputAxes : r.model.outputAxes;
  const tensor = {
    id: which === 'preprocessing' ? r.model.inputId : r.model.outputId,
    axes: ids.map(id => ({
      id,
      type:
        id === 'batch' || id === 'channel' || id === 'index' || id === 'time'
          ? id
          : 'space'
    }))
  } as unknown as ITensorDescr;
  try {
    return steps
      .map(s => mdText(describeProcessing(s, tensor)))
      .join('; then ');
  } catch {
    // fall through to the plain listing
  }
  return steps
    .map(s => `${mdText(s.id)} (${mdText(JSON.stringify(s.kwargs))})`)
    .join(', ');
}

/** The Markdown methods paragraph for `r` generated in `style`. */
export function methodsParagraph(r: IRunRecord, style: string): string {
  const m = r.model;
  const cites = (m.cite ?? [])
    .map(c => {
      const ref = c.doi
        ? ` doi:${mdText(c.doi)}`
        : c.url
          ? ` ${mdText(c.url)}`
          : '';
      return `${mdText(c.text)}${ref}`;
    })
    .join('; ');
  const tiling = r.tiling
    ? `in blocks of ${Object.entries(r.tiling.blockShape)
        .map(([a, n]) => `${mdText(a)}=${n}`)
        .join(', ')} px (halo ${
        Object.entries(r.tiling.halo)
          .map(([a, n]) => `${mdText(a)}=${n}`)
          .join(', ') || '0'
      } px per side, symmetric padding at the image border, inner regions stitched)`
    : 'on the whole image at once (no tiling)';
  const p = r.postprocessing;
  const metrics = Object.entries(r.metrics.values)
    .map(([k, v]) => `${mdText(k)} = ${fmt(v)}`)
    .join(', ');
  const channels = r.image.channels?.length
    ? ` (channels ${r.image.channels.join(', ')})`
    : '';
  return [
    '### Methods',
    '',
    `Images were analysed with the bioimage.io model ${mdText(m.name)} ` +
      `(id ${mdText(m.id)}, version ${mdText(m.version)}` +
      (cites ? `; ${cites}` : '') +
      `), using its ONNX weights (sha256 ${m.weightsSha256})` +
      (m.descriptionSha256
        ? ` and the model description with sha256 ${m.descriptionSha256}`
        : '') +
      `. The input image ${mdText(r.image.path)} (axes ${mdText(r.image.axes)}${channels}) ` +
      `was preprocessed as the model specifies: ${processingWords(r, 'preprocessing')}. ` +
      `The network was run ${tiling}; its output was postprocessed with: ` +
      `${processingWords(r, 'postprocessing')}. ` +
      `Objects were obtained from output channel ${p.channel ?? 0} with threshold ` +
      `${fmt(p.threshold ?? 0.5)}, ${mdText(p.instanceMethod ?? 'connected_components')} ` +
      `and a minimum size of ${fmt(p.minSize ?? 0)} px.` +
      (metrics
        ? ` Against the ground truth ${mdText(r.metrics.groundTruthPath ?? '')}: ${metrics}.`
        : '') +
      ` Inference ran in the browser with jupyterlab-bioimage ${mdText(r.extensionVersion)} ` +
      `(onnxruntime-web, ${mdText(r.backend)} backend) on ${mdText(r.timestamp)} and was ` +
      `reproduced in Python (${style === 'numpy' ? 'NumPy and onnxruntime' : 'bioimageio.core with onnxruntime'}).`,
    '',
    '*Software versions in the kernel:* run `bia.software_versions()`.'
  ].join('\n');
}

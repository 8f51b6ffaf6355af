/**
 * The methods paragraph (Markdown) for a paper: model, pinned weights,
 * processing parameters, tiling, thresholds, metrics and software. Every
 * string from the record goes through {@link mdText}.
 */
import { describeProcessing } from '../../core/spec/describe';
import type { ITensorDescr } from '../../core/spec/types';
import { mdText, pyStr } from './python-literal';
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

const METHOD_WORDS: Record<string, string> = {
  connected_components: 'connected components (8\\-connected)',
  watershed:
    'a seeded watershed (seeds: foreground above the threshold and boundary ' +
    'below 0\\.5, flooded over the boundary probability)'
};

/**
 * What the run was, in Markdown (model, pinned weights, processing, tiling,
 * post-processing): the part of the Methods paragraph known when the cells
 * are written. Citations, the numbers and whether Python reproduced the
 * browser are added by the kernel when the notebook runs ({@link methodsCell}),
 * so the paragraph never claims what was not measured.
 */
export function methodsDescription(r: IRunRecord): string {
  const m = r.model;
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
  const channels = r.image.channels?.length
    ? ` (channels ${r.image.channels.join(', ')})`
    : '';
  const method = p.instanceMethod ?? 'connected_components';
  const objects =
    method === 'none'
      ? `The foreground was output channel ${p.channel ?? 0} above ${fmt(p.threshold ?? 0.5)}.`
      : `Objects were obtained from output channel ${p.channel ?? 0} with threshold ` +
        `${fmt(p.threshold ?? 0.5)}, ${METHOD_WORDS[method] ?? mdText(method)} ` +
        `and a minimum size of ${fmt(p.minSize ?? 0)} px.`;
  return (
    `Images were analysed with the bioimage.io model ${mdText(m.name)} ` +
    `(id ${mdText(m.id)}, version ${mdText(m.version)}), using its ONNX weights ` +
    `(sha256 ${m.weightsSha256})` +
    (m.descriptionSha256
      ? ` and the model description with sha256 ${m.descriptionSha256}`
      : '') +
    `. The input image ${mdText(r.image.path)} (axes ${mdText(r.image.axes)}${channels}) ` +
    `was preprocessed as the model specifies: ${processingWords(r, 'preprocessing')}. ` +
    `The network was run ${tiling}; its output was postprocessed with: ` +
    `${processingWords(r, 'postprocessing')}. ${objects}` +
    (r.metrics.requested.length
      ? ` Metrics were computed against the ground truth ${mdText(r.metrics.groundTruthPath ?? '')}.`
      : '')
  );
}

/**
 * The code cell that writes the Methods paragraph when the notebook runs:
 * `description` plus citations, the metrics measured in the kernel and the
 * measured comparison with the browser (`comparison` of the compare cell),
 * displayed as Markdown and kept in `METHODS`.
 */
export function methodsCell(description: string): string {
  return [
    'from IPython.display import Markdown, display',
    '',
    '# Written from what this notebook measured (the comparison cell above), at run time.',
    `METHODS = bia.methods_markdown(${pyStr(description)},`,
    '                               comparison, style=PROVENANCE["style"],',
    '                               extension_version=PROVENANCE["extension_version"],',
    '                               backend=PROVENANCE["backend_browser"],',
    '                               run_time=PROVENANCE["run_time"], cite=CITATIONS,',
    '                               kernel_metrics=metrics)',
    'display(Markdown(METHODS))'
  ].join('\n');
}

/**
 * `inspect <…>`: a readable summary of a model description: tensors with
 * axes and sizes, processing in plain words, weights formats, the
 * runs-in-browser verdict and the test tolerance.
 */
import { describeProcessing } from '../core/spec/describe';
import { runsInBrowserStatic } from '../core/package/browser-support';
import { toleranceFor } from '../core/spec/tolerance';
import type {
  IAxis,
  IModelDescription,
  ITensorDescr
} from '../core/spec/types';
import { EXIT_OK, ICliIO, openPackage } from './common';

/** "512", "min 64, step 16", "= raw.y + 4", … */
export function sizeText(axis: IAxis): string {
  const s = axis.size;
  switch (s.kind) {
    case 'fixed':
      return String(s.value);
    case 'parameterized':
      return s.step > 0 ? `${s.min} + n·${s.step} (any n ≥ 0)` : String(s.min);
    case 'reference': {
      const off =
        s.offset > 0 ? ` + ${s.offset}` : s.offset < 0 ? ` − ${-s.offset}` : '';
      return `same as ${s.tensorId}.${s.axisId}${off}`;
    }
    case 'data-dependent':
      return `known after inference (${s.min}…${s.max ?? '∞'})`;
    default:
      return 'any';
  }
}

function axisLine(axis: IAxis): string {
  const parts = [`${axis.id} (${axis.type}): ${sizeText(axis)}`];
  if (axis.channelNames && axis.channelNames.length > 0) {
    parts.push(`channels ${axis.channelNames.join(', ')}`);
  }
  if (axis.halo > 0) {
    parts.push(`halo ${axis.halo}`);
  }
  if ((axis.type === 'space' || axis.type === 'time') && axis.scale !== 1) {
    parts.push(`scale ${axis.scale}${axis.unit ? ` ${axis.unit}` : ''}`);
  }
  return parts.join('; ');
}

function tensorLines(
  t: ITensorDescr,
  kind: 'input' | 'output',
  out: string[]
): void {
  const range = t.data.range;
  const rangeText =
    range[0] !== null || range[1] !== null
      ? `, range [${range[0] ?? '−∞'}, ${range[1] ?? '∞'}]`
      : '';
  out.push(
    `  ${t.id}${t.optional ? ' (optional)' : ''}: ${t.data.type}${rangeText}` +
      (t.description ? ` — ${t.description}` : '')
  );
  out.push(`    axes (${t.axes.map(a => a.id).join(', ')}):`);
  for (const a of t.axes) {
    out.push(`      ${axisLine(a)}`);
  }
  const label = kind === 'input' ? 'preprocessing' : 'postprocessing';
  if (t.processing.length === 0) {
    out.push(`    ${label}: none`);
  } else {
    out.push(`    ${label}:`);
    t.processing.forEach((step, i) =>
      out.push(`      ${i + 1}. ${describeProcessing(step, t)}`)
    );
  }
  if (t.testTensor) {
    out.push(`    test tensor: ${t.testTensor.source}`);
  }
}

/** The summary lines for `model`. */
export function summarize(
  model: IModelDescription,
  descriptionName: string
): string[] {
  const out: string[] = [];
  out.push(
    `${model.name}${model.id ? ` (${model.id})` : ''}${model.version ? ` version ${model.version}` : ''}`
  );
  out.push(`  format ${model.formatVersion}, described in ${descriptionName}`);
  if (model.description) {
    out.push(`  ${model.description.replace(/\s+/g, ' ').trim()}`);
  }
  if (model.license) {
    out.push(`  license: ${model.license}`);
  }
  out.push('');
  out.push(`Inputs (${model.inputs.length}):`);
  model.inputs.forEach(t => tensorLines(t, 'input', out));
  out.push('');
  out.push(`Outputs (${model.outputs.length}):`);
  model.outputs.forEach(t => tensorLines(t, 'output', out));
  out.push('');
  out.push('Weights:');
  for (const w of model.weights) {
    const extra = [
      w.opsetVersion !== undefined ? `opset ${w.opsetVersion}` : '',
      w.parent ? `converted from ${w.parent}` : '',
      w.externalData ? `external data ${w.externalData.source}` : ''
    ].filter(Boolean);
    out.push(
      `  ${w.format}: ${w.source}${extra.length ? ` (${extra.join(', ')})` : ''}`
    );
  }
  const support = runsInBrowserStatic(model);
  out.push('');
  out.push(
    support.hasOnnx
      ? `Verdict: runs in the browser — ${support.reason} (onnxruntime-web still has to load the graph; \`test\` checks that)`
      : `Verdict: does not run in the browser — ${support.reason}`
  );
  if (support.hasOnnx) {
    out.push('Test tolerance (onnx weights):');
    for (const o of model.outputs) {
      const t = toleranceFor(model, o.id, 'onnx');
      out.push(
        `  ${o.id}: |actual − expected| ≤ ${t.atol} + ${t.rtol}·|expected|, ` +
          `up to ${t.mismatchedPerMillion} mismatched elements per million`
      );
    }
  }
  if (model.warnings.length > 0) {
    out.push('');
    out.push('Warnings:');
    for (const w of model.warnings) {
      out.push(`  ${w}`);
    }
  }
  return out;
}

export async function inspectCommand(
  location: string,
  io: ICliIO
): Promise<number> {
  const pkg = await openPackage(location);
  for (const line of summarize(pkg.model, pkg.descriptionName)) {
    io.out(line);
  }
  return EXIT_OK;
}

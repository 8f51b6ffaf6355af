/**
 * Format 0.5.x model descriptions → the unified form, with the spec's
 * cross-field rules (digest 3.2, 3.3, 6.1).
 *
 * The v05/ folder (this file is its entry) holds what only format 0.5 has:
 * tensor descriptions with axes (tensor.ts) and data descriptions
 * (data.ts), and the cross-tensor checks here. It imports the shared spec
 * modules only (v04/ imports from it, not the other way round).
 */
import type { IModelDescription, ITensorDescr } from '../types';
import { field, IssueLog } from '../errors';
import type { RawMap } from '../read';
import { readMetadata } from '../common';
import { readWeights } from '../weights';
import { checkTensorIds, finishProcessing, readTensors } from '../tensors';
import { IParsedTensor, readTensor05, UNREADABLE_SIZE } from './tensor';
import { readTolerances } from '../tolerance';

/** Parse a 0.5 model description; problems go to `log`. */
export function parseModel05(
  raw: RawMap,
  formatVersion: string,
  log: IssueLog
): IModelDescription {
  const meta = readMetadata(raw, '0.5', log);
  const inputs = readTensors(raw, 'inputs', 'input', log, readTensor05);
  const outputs = readTensors(raw, 'outputs', 'output', log, readTensor05);
  checkTensorIds(inputs, log);
  checkTensorIds(outputs, log);
  warnSharedIds(inputs, outputs, log);
  for (const t of [...inputs, ...outputs]) {
    checkAxisIds(t, log);
  }
  const inputTensors = inputs.map(t => t.tensor);
  const outputTensors = outputs.map(t => t.tensor);
  inputs.forEach(t => checkSizeReferences(t, inputTensors, log));
  outputs.forEach(t =>
    checkSizeReferences(t, [...inputTensors, ...outputTensors], log)
  );
  finishProcessing(inputs, outputs, '0.5', log);
  return {
    ...meta,
    formatVersion,
    formatFamily: '0.5',
    inputs: inputTensors,
    outputs: outputTensors,
    weights: readWeights(raw, '0.5', log),
    tolerances: readTolerances(meta.config, '0.5', log),
    warnings: log.warnings
  };
}

/**
 * An id used by an input and an output. The reference's docstring forbids
 * it, but its check does not run (it accepts the zoo model
 * live/diplomatic-bug, whose input and output are both 'embeddings'), so
 * this is a warning, as the oracle test's allow-list documents.
 */
function warnSharedIds(
  inputs: IParsedTensor[],
  outputs: IParsedTensor[],
  log: IssueLog
): void {
  for (const out of outputs) {
    const input = inputs.find(i => i.tensor.id === out.tensor.id);
    if (input) {
      log.warn(
        field(out.path, 'id'),
        `'${out.tensor.id}' is also the id of ${input.path}; tensor ids should be unique across inputs and outputs (tools that key by id may mix them up), so rename one`
      );
    }
  }
}

function checkAxisIds({ tensor, path }: IParsedTensor, log: IssueLog): void {
  const seen = new Map<string, number>();
  let batches = 0;
  tensor.axes.forEach((axis, i) => {
    const p = `${path}.axes[${i}]`;
    const first = seen.get(axis.id);
    if (first !== undefined) {
      const hint =
        axis.type === 'space'
          ? '; a space axis without an id gets the id "x", so give each one an id'
          : '';
      log.error(
        field(p, 'id'),
        `duplicate axis id '${axis.id}' (also axes[${first}])${hint}`
      );
    } else {
      seen.set(axis.id, i);
    }
    if (axis.type === 'batch' && ++batches === 2) {
      log.error(field(p, 'type'), 'a tensor can have at most one batch axis');
    }
  });
}

/** SizeReference rules of the spec (digest 3.3) plus the halo constraints. */
function checkSizeReferences(
  { tensor, path }: IParsedTensor,
  candidates: ITensorDescr[],
  log: IssueLog
): void {
  tensor.axes.forEach((axis, i) => {
    if (axis.size.kind !== 'reference') {
      return;
    }
    const p = `${path}.axes[${i}].size`;
    const { tensorId, axisId, offset } = axis.size;
    if (tensorId === tensor.id && axisId === axis.id) {
      // As the reference compares them: by ids (so an output named like an
      // input cannot reference that input's axis of the same id).
      log.error(
        p,
        `an axis cannot reference its own size ('${tensorId}.${axisId}'); reference another tensor's axis, or give the tensor its own id`
      );
      return;
    }
    const target = candidates.find(t => t.id === tensorId);
    if (!target) {
      const kind =
        candidates.length === 0
          ? ''
          : ` (valid: ${candidates.map(t => t.id).join(', ')})`;
      log.error(
        field(p, 'tensor_id'),
        `tensor '${tensorId}' does not exist or cannot be referenced from here${kind}`
      );
      return;
    }
    const refAxis = target.axes.find(a => a.id === axisId);
    if (!refAxis) {
      log.error(
        field(p, 'axis_id'),
        `tensor '${tensorId}' has no axis '${axisId}' (axes: ${target.axes.map(a => a.id).join(', ')})`
      );
      return;
    }
    if (refAxis.type === 'batch') {
      log.error(
        field(p, 'axis_id'),
        `'${tensorId}.${axisId}' is a batch axis; batch axes cannot be referenced`
      );
      return;
    }
    if (UNREADABLE_SIZE.has(refAxis)) {
      return;
    }
    if (
      refAxis.size.kind !== 'fixed' &&
      refAxis.size.kind !== 'parameterized'
    ) {
      log.error(
        field(p, 'axis_id'),
        `'${tensorId}.${axisId}' has a ${refAxis.size.kind} size; only axes with a fixed or {min, step} size can be referenced`
      );
      return;
    }
    if ((axis.unit ?? null) !== (refAxis.unit ?? null)) {
      log.error(
        p,
        `unit '${axis.unit ?? 'none'}' differs from the referenced axis unit '${refAxis.unit ?? 'none'}'`
      );
    }
    if (axis.halo > 0) {
      const refMin =
        refAxis.size.kind === 'fixed' ? refAxis.size.value : refAxis.size.min;
      const minSize =
        Math.floor((refMin * refAxis.scale) / axis.scale) + offset;
      const hp = `${path}.axes[${i}].halo`;
      if (minSize - 2 * axis.halo < 1) {
        log.error(
          hp,
          `halo ${axis.halo} leaves nothing of the minimum size ${minSize} (needs size - 2*halo >= 1)`
        );
      }
      const inputHalo = (axis.halo * axis.scale) / refAxis.scale;
      if (!Number.isInteger(inputHalo)) {
        log.error(
          hp,
          `halo ${axis.halo} corresponds to ${inputHalo} input pixels, which must be a whole number; choose a halo that times scale ${axis.scale} / ${refAxis.scale} is whole`
        );
      } else if (inputHalo % 2 === 1) {
        // Not a rule of the reference; tiling then crops unevenly.
        log.warn(
          hp,
          `halo ${axis.halo} corresponds to ${inputHalo} input pixels, an odd number; an even halo tiles symmetrically`
        );
      }
    }
  });
}

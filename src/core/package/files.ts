/**
 * Which files of a model package a description references: the ones a test
 * needs and all of them. Pure TypeScript (no JupyterLab imports), shared by
 * the model card, the zip import and the tests.
 */
import { runsInBrowserStatic } from './browser-support';
import type { IFileRef, IModelDescription } from '../spec/types';

/** Files a test needs: ONNX weights (+ external data) and the test tensors. */
export function testFiles(model: IModelDescription): IFileRef[] {
  const onnx = runsInBrowserStatic(model).onnx;
  const refs: IFileRef[] = [];
  if (onnx) {
    refs.push(onnx);
    if (onnx.externalData) {
      refs.push(onnx.externalData);
    }
  }
  for (const t of [...model.inputs, ...model.outputs]) {
    if (t.testTensor) {
      refs.push(t.testTensor);
    }
  }
  return refs;
}

/** Every file of the package: weights, tensors, covers, documentation, attachments. */
export function packageFiles(model: IModelDescription): IFileRef[] {
  const refs: IFileRef[] = [...model.weights];
  for (const w of model.weights) {
    if (w.externalData) {
      refs.push(w.externalData);
    }
  }
  for (const t of [...model.inputs, ...model.outputs]) {
    for (const ref of [t.testTensor, t.sampleTensor]) {
      if (ref) {
        refs.push(ref);
      }
    }
  }
  refs.push(...model.attachments);
  // Covers and documentation carry a sha256 since format 0.5.11
  // ({source, sha256}); bare file names have none.
  refs.push(...(model.coverFiles ?? model.covers.map(source => ({ source }))));
  const documentation =
    model.documentationFile ??
    (model.documentation ? { source: model.documentation } : undefined);
  if (documentation) {
    refs.push(documentation);
  }
  const seen = new Set<string>();
  return refs.filter(r => !seen.has(r.source) && (seen.add(r.source), true));
}

/**
 * Cutting input blocks out of a sample (symmetric padding where a block
 * reaches outside) and stitching output blocks back (each block writes
 * only its inner region; later blocks overwrite overlaps, like core).
 * Works one tile at a time so memory stays bounded by the sample plus one
 * block.
 */
import type { IModelDescription } from '../spec/types';
import {
  allocate,
  ITensor,
  sizeOf,
  stridesOf,
  TypedArray
} from '../tensor/tensor';
import { copyRange, symmetricIndex } from '../tensor/ndarray';
import { AxisRole, ITileGeometry, ITilePlan, tileGeometry } from './tiling';

/** One tile's input blocks, ready to feed. */
export interface ITile {
  index: number;
  total: number;
  geometry: ITileGeometry;
  /** One block per input, description order, model axis order. */
  inputs: ITensor[];
}

/** Element-wise view used for copies between arrays of one dtype. */
type Indexable = { [i: number]: number };

/**
 * Gather `src` at the per-axis source indices `maps` (an outer product):
 * out[i0, i1, …] = src[maps[0][i0], maps[1][i1], …]. The innermost axis
 * is copied as one block when its indices are consecutive.
 */
export function gatherBlock(src: ITensor, maps: Int32Array[]): ITensor {
  const shape = maps.map(m => m.length);
  const nd = shape.length;
  const out = allocate(src.dtype, sizeOf(shape));
  if (out.length === 0) {
    return { dtype: src.dtype, shape, axes: src.axes.slice(), data: out };
  }
  if (nd === 0) {
    copyRange(out, 0, src.data, 0, 1);
    return { dtype: src.dtype, shape, axes: [], data: out };
  }
  const strides = stridesOf(src.shape);
  const last = maps[nd - 1];
  const len = last.length;
  let consecutive = true;
  for (let j = 1; j < len; j++) {
    if (last[j] !== last[0] + j) {
      consecutive = false;
      break;
    }
  }
  const lastStride = strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  let base = 0;
  for (let d = 0; d < nd - 1; d++) {
    base += maps[d][0] * strides[d];
  }
  const s = src.data as unknown as Indexable;
  const o = out as unknown as Indexable;
  for (let w = 0; w < out.length; w += len) {
    if (consecutive && lastStride === 1) {
      copyRange(out, w, src.data, base + last[0], len);
    } else {
      for (let j = 0; j < len; j++) {
        o[w + j] = s[base + last[j] * lastStride];
      }
    }
    for (let d = nd - 2; d >= 0; d--) {
      const m = maps[d];
      base -= m[idx[d]] * strides[d];
      idx[d]++;
      if (idx[d] < m.length) {
        base += m[idx[d]] * strides[d];
        break;
      }
      idx[d] = 0;
      base += m[0] * strides[d];
    }
  }
  return { dtype: src.dtype, shape, axes: src.axes.slice(), data: out };
}

/**
 * Source indices of a block of `len` starting at `start`; outside the sample
 * the edge is mirrored with the edge pixel repeated (bioimageio.core's default
 * `symmetric` padding), so tiled runs agree with core's blockwise prediction.
 */
function rangeMap(start: number, len: number, size: number): Int32Array {
  const m = new Int32Array(len);
  for (let j = 0; j < len; j++) {
    const p = start + j;
    m[j] = p >= 0 && p < size ? p : symmetricIndex(p, size);
  }
  return m;
}

/** Cut one input block for tile `geom`. */
export function extractBlock(
  input: ITensor,
  roles: AxisRole[],
  blockShape: number[],
  plan: ITilePlan,
  geom: ITileGeometry
): ITensor {
  const maps = roles.map((role, k) => {
    const size = input.shape[k];
    switch (role.kind) {
      case 'batch': {
        const g = plan.grids.findIndex(x => x.axisId === 'batch');
        return Int32Array.of(geom.innerStart[g]);
      }
      case 'grid': {
        const g = plan.grids.findIndex(x => x.axisId === role.grid);
        return rangeMap(geom.blockStart[g], blockShape[k], size);
      }
      case 'derived': {
        const g = plan.grids.findIndex(x => x.axisId === role.grid);
        const start = Math.floor(geom.blockStart[g] * role.ratio);
        return rangeMap(start, blockShape[k], size);
      }
      default:
        return rangeMap(0, size, size);
    }
  });
  const block = gatherBlock(input, maps);
  block.axes = input.axes.slice();
  return block;
}

/**
 * Plan and iterate tiles lazily: each step cuts only that tile's blocks.
 * `inputs` are the preprocessed sample tensors in description order and
 * model axis order.
 */
export function* iterateTiles(
  plan: ITilePlan,
  inputs: readonly ITensor[]
): Generator<ITile> {
  for (let i = 0; i < plan.nTiles; i++) {
    const geometry = tileGeometry(plan, i);
    yield {
      index: i,
      total: plan.nTiles,
      geometry,
      inputs: inputs.map((t, k) =>
        extractBlock(
          t,
          plan.inputRoles[k],
          plan.inputBlockShapes[k],
          plan,
          geometry
        )
      )
    };
  }
}

/** Copy a box: dst[dstStart + i] = src[srcStart + i] for i < len per axis. */
function copyBox(
  dst: TypedArray,
  dstShape: number[],
  dstStart: number[],
  src: TypedArray,
  srcShape: number[],
  srcStart: number[],
  len: number[]
): void {
  const nd = len.length;
  if (len.some(l => l <= 0)) {
    return;
  }
  const ds = stridesOf(dstShape);
  const ss = stridesOf(srcShape);
  let d0 = 0;
  let s0 = 0;
  for (let d = 0; d < nd; d++) {
    d0 += dstStart[d] * ds[d];
    s0 += srcStart[d] * ss[d];
  }
  const inner = nd ? len[nd - 1] : 1;
  const rows = nd > 1 ? sizeOf(len.slice(0, nd - 1)) : 1;
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  for (let r = 0; r < rows; r++) {
    copyRange(dst, d0, src, s0, inner);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      d0 += ds[d];
      s0 += ss[d];
      if (idx[d] < len[d]) {
        break;
      }
      d0 -= ds[d] * len[d];
      s0 -= ss[d] * len[d];
      idx[d] = 0;
    }
  }
}

/**
 * Accepts one tile's outputs at a time and writes their inner regions into
 * full-size output arrays (float outputs start as NaN, as in core).
 */
export class Stitcher {
  private _outputs: ITensor[] | null = null;

  constructor(
    private readonly _model: IModelDescription,
    private readonly _plan: ITilePlan
  ) {}

  /** Write the outputs of tile `geom` (description order, model axes). */
  add(geom: ITileGeometry, outputs: readonly ITensor[]): void {
    const plan = this._plan;
    if (outputs.length < this._model.outputs.length) {
      throw new Error(
        `the network returned ${outputs.length} outputs, the model describes ` +
          `${this._model.outputs.length}`
      );
    }
    if (!this._outputs) {
      this._outputs = this._model.outputs.map((d, o) =>
        this._allocate(d.id, plan.outputRoles[o], outputs[o])
      );
    }
    this._model.outputs.forEach((d, o) => {
      const block = outputs[o];
      const full = this._outputs![o];
      const srcStart: number[] = [];
      const dstStart: number[] = [];
      const len: number[] = [];
      plan.outputRoles[o].forEach((role, k) => {
        const gridId =
          role.kind === 'batch'
            ? 'batch'
            : role.kind === 'derived'
              ? role.grid
              : '';
        const g = plan.grids.findIndex(x => x.axisId === gridId);
        if (role.kind === 'batch') {
          srcStart.push(0);
          dstStart.push(geom.innerStart[g]);
          len.push(1);
        } else if (role.kind === 'derived') {
          const grid = plan.grids[g];
          const expected = Math.floor(grid.block * role.ratio) + role.offset;
          if (block.shape[k] !== expected) {
            throw new Error(
              `output '${d.id}' axis '${d.axes[k].id}': the network returned ` +
                `${block.shape[k]}, the description implies ${expected}`
            );
          }
          const q0 = Math.floor(geom.blockStart[g] * role.ratio);
          const shift = role.offset / 2;
          // Edge tiles also own the output pixels beyond the input range.
          let lo =
            geom.innerStart[g] === 0
              ? 0
              : Math.floor(geom.innerStart[g] * role.ratio + shift);
          let hi =
            geom.innerEnd[g] === grid.size
              ? full.shape[k]
              : Math.floor(geom.innerEnd[g] * role.ratio + shift);
          lo = Math.max(lo, q0, 0);
          hi = Math.min(hi, q0 + block.shape[k], full.shape[k]);
          srcStart.push(lo - q0);
          dstStart.push(lo);
          len.push(hi - lo);
        } else {
          if (block.shape[k] !== full.shape[k]) {
            throw new Error(
              `output '${d.id}' axis '${d.axes[k].id}' changed length between ` +
                `tiles (${full.shape[k]} → ${block.shape[k]})`
            );
          }
          srcStart.push(0);
          dstStart.push(0);
          len.push(block.shape[k]);
        }
      });
      copyBox(
        full.data,
        full.shape,
        dstStart,
        block.data,
        block.shape,
        srcStart,
        len
      );
    });
  }

  /** The stitched outputs by id (valid after the last tile). */
  result(): Map<string, ITensor> {
    if (!this._outputs) {
      throw new Error('no tile was stitched');
    }
    const out = new Map<string, ITensor>();
    this._model.outputs.forEach((d, o) => out.set(d.id, this._outputs![o]));
    return out;
  }

  private _allocate(id: string, roles: AxisRole[], first: ITensor): ITensor {
    const descr = this._model.outputs.find(d => d.id === id)!;
    if (first.shape.length !== roles.length) {
      throw new Error(
        `output '${id}' has ${first.shape.length} axes, the model describes ` +
          `${roles.length} (${descr.axes.map(a => a.id).join(', ')})`
      );
    }
    const shape = roles.map((role, k) => {
      if (role.kind === 'batch') {
        const batch = this._plan.grids.find(g => g.axisId === 'batch');
        return batch ? batch.size : first.shape[k];
      }
      if (role.kind === 'derived') {
        const grid = this._plan.grids.find(g => g.axisId === role.grid)!;
        return Math.floor(grid.size * role.ratio) + role.offset;
      }
      return first.shape[k];
    });
    const data = allocate(first.dtype, sizeOf(shape));
    if (data instanceof Float32Array || data instanceof Float64Array) {
      data.fill(NaN);
    }
    return { dtype: first.dtype, shape, axes: descr.axes.map(a => a.id), data };
  }
}

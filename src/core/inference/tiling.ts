/**
 * Tile planning, following bioimageio.core's blocking (digest section 7):
 * a block includes the halo, inner = block − 2·halo, inner starts at
 * 0, inner, 2·inner, … with the last clamped to sample − inner, and the
 * halo outside the sample symmetric-padded (as bioimageio.core does). Unlike core, a sample smaller than
 * one block is padded (symmetric) up to the block and cropped back, and an
 * axis that fits in one block is run whole without halo (exactly what an
 * untiled run sees).
 *
 * Axes are tiled per axis id ("grid"), shared by all inputs with that id.
 * Tensor axes relate to a grid as: the batch grid (one tile per sample),
 * a root axis (its own grid), a derived axis (a SizeReference to a grid
 * axis: coordinates scale by r = ref.scale / scale, lengths add `offset`) or
 * a whole axis (channel/index/fixed: never split).
 *
 * One cohesive thing (the plan of grids and tiles), hence just over 400
 * lines; blocks.ts cuts and stitches what it plans.
 */
import type { IAxis, IModelDescription, ITensorDescr } from '../spec/types';
import type { ITensor } from '../tensor/tensor';

/** Tiling choices; `false` in the pipeline means "one block per sample". */
export interface ITilingOptions {
  /** Wanted block size (input pixels, halo included) per axis id. */
  blockShape?: Record<string, number>;
  /** Extra halo (input pixels per side) per axis id, added to the declared. */
  halo?: Record<string, number>;
  /**
   * Auto mode (no blockShape entry): an axis whose smallest valid block
   * covering the sample is at most this many pixels is run whole. Default:
   * 1024, and 128 for `z`.
   */
  maxAutoBlock?: Record<string, number>;
}

/** One tiled axis id (or `batch`) of the plan. */
export interface IAxisGrid {
  axisId: string;
  /** Sample length along this axis. */
  size: number;
  /** Block length fed to the network (halo included). */
  block: number;
  /** Halo per side in input pixels (0 when the axis is run whole). */
  halo: number;
  /** Inner starts (sample coordinates). */
  starts: number[];
  /** Inner length (the last block may overlap the previous one). */
  inner: number;
}

/** How one tensor axis follows the grids. */
export type AxisRole =
  | { kind: 'batch' }
  | { kind: 'grid'; grid: string }
  | { kind: 'derived'; grid: string; ratio: number; offset: number }
  | { kind: 'whole' };

/** The full plan: grids, axis roles and tile count. */
export interface ITilePlan {
  grids: IAxisGrid[];
  /** Per input (description order), per axis. */
  inputRoles: AxisRole[][];
  /** Per output (description order), per axis. */
  outputRoles: AxisRole[][];
  /** Block shape of each input (description order). */
  inputBlockShapes: number[][];
  nTiles: number;
  /** Human-readable notes (ignored requests, padding). */
  notes: string[];
}

/** Position of one tile along each grid. */
export interface ITileGeometry {
  index: number;
  /** Per grid (plan order): where the block starts (may be negative). */
  blockStart: number[];
  /** Per grid: inner region [innerStart, innerEnd) in sample coordinates. */
  innerStart: number[];
  innerEnd: number[];
}

const DEFAULT_MAX_BLOCK = 1024;
const DEFAULT_MAX_BLOCK_Z = 128;

/** Smallest `min + n·step` ≥ `want`. */
function validAtLeast(min: number, step: number, want: number): number {
  if (want <= min || step <= 0) {
    return min;
  }
  return min + Math.ceil((want - min) / step) * step;
}

/** Largest `min + n·step` ≤ `want` (at least min). */
function validAtMost(min: number, step: number, want: number): number {
  if (want <= min || step <= 0) {
    return min;
  }
  return min + Math.floor((want - min) / step) * step;
}

function tensorById(
  model: IModelDescription,
  id: string
): ITensorDescr | undefined {
  return [...model.inputs, ...model.outputs].find(t => t.id === id);
}

/**
 * Follow SizeReferences from `axis` to a non-reference input axis,
 * composing ratio and offset. Returns null when the chain ends elsewhere.
 */
function resolveReference(
  model: IModelDescription,
  axis: IAxis
): { tensor: string; axis: IAxis; ratio: number; offset: number } | null {
  let ratio = 1;
  let offset = 0;
  let cur = axis;
  for (let depth = 0; depth < 8 && cur.size.kind === 'reference'; depth++) {
    const ref = cur.size;
    const t = tensorById(model, ref.tensorId);
    const refAxis = t?.axes.find(a => a.id === ref.axisId);
    if (!t || !refAxis) {
      throw new Error(
        `axis '${cur.id}' refers to missing axis '${ref.tensorId}.${ref.axisId}'`
      );
    }
    const r = refAxis.scale / cur.scale;
    // size = floor(refSize·r) + offset, composed along the chain.
    offset = offset * r + ref.offset;
    ratio *= r;
    cur = refAxis;
    if (cur.size.kind !== 'reference') {
      const isInput = model.inputs.some(i => i.id === t.id);
      return isInput ? { tensor: t.id, axis: cur, ratio, offset } : null;
    }
  }
  return null;
}

function isSpatial(a: IAxis): boolean {
  return a.type === 'space' || a.type === 'time';
}

/**
 * Plan the blocks for `inputs` (description order, each in its model axis
 * order, already preprocessed). `graphShapes` are static ONNX input dims by
 * position (null/negative = dynamic) and win over the description.
 * `tiling === false` runs each sample as one block (padded to a valid size).
 */
export function planTiles(
  model: IModelDescription,
  inputs: readonly ITensor[],
  tiling: ITilingOptions | false,
  graphShapes?: ReadonlyArray<ReadonlyArray<number | null>>
): ITilePlan {
  const notes: string[] = [];
  interface ICandidate {
    size: number;
    fixed: number | null;
    min: number;
    step: number;
    where: string;
  }
  const candidates = new Map<string, ICandidate[]>();
  let batch: number | null = null;
  const inputRoles: AxisRole[][] = model.inputs.map((d, i) => {
    const t = inputs[i];
    if (!t) {
      throw new Error(`input '${d.id}' is missing`);
    }
    if (t.shape.length !== d.axes.length) {
      throw new Error(
        `input '${d.id}' has ${t.shape.length} axes, the model expects ` +
          `${d.axes.length} (${d.axes.map(a => a.id).join(', ')})`
      );
    }
    return d.axes.map((a, k): AxisRole => {
      const size = t.shape[k];
      const gdim = graphShapes?.[i]?.[k];
      const staticDim = typeof gdim === 'number' && gdim > 0 ? gdim : null;
      const where = `input '${d.id}' axis '${a.id}'`;
      if (a.type === 'batch') {
        if (batch !== null && batch !== size) {
          throw new Error(
            `inputs have different batch sizes (${batch}, ${size})`
          );
        }
        batch = size;
        if (staticDim !== null && staticDim !== 1) {
          throw new Error(
            `${where}: graph batch size ${staticDim} is not supported`
          );
        }
        return { kind: 'batch' };
      }
      if (a.size.kind === 'reference') {
        const root = resolveReference(model, a);
        if (root && isSpatial(root.axis)) {
          return {
            kind: 'derived',
            grid: root.axis.id,
            ratio: root.ratio,
            offset: root.offset
          };
        }
        return { kind: 'whole' };
      }
      const fixed =
        staticDim ?? (a.size.kind === 'fixed' ? a.size.value : null);
      if (!isSpatial(a)) {
        if (fixed !== null && fixed !== size) {
          throw new Error(
            `${where} must have length ${fixed}, the image gives ${size}`
          );
        }
        return { kind: 'whole' };
      }
      const min = a.size.kind === 'parameterized' ? a.size.min : 1;
      const step = a.size.kind === 'parameterized' ? a.size.step : 1;
      const list = candidates.get(a.id) ?? [];
      list.push({ size, fixed, min, step, where });
      candidates.set(a.id, list);
      return { kind: 'grid', grid: a.id };
    });
  });

  // Halo per grid: the largest declared output halo mapped to input pixels.
  const declaredHalo = new Map<string, number>();
  const outputRoles: AxisRole[][] = model.outputs.map(d =>
    d.axes.map((a): AxisRole => {
      if (a.type === 'batch') {
        return { kind: 'batch' };
      }
      const root =
        a.size.kind === 'reference' ? resolveReference(model, a) : null;
      if (root && isSpatial(root.axis) && candidates.has(root.axis.id)) {
        // A negative offset means the network crops its border itself:
        // that border needs input context just like a declared halo.
        const cropped = root.offset < 0 ? -root.offset / 2 : 0;
        const h = Math.ceil((a.halo + cropped) / root.ratio);
        const id = root.axis.id;
        declaredHalo.set(id, Math.max(declaredHalo.get(id) ?? 0, h));
        return {
          kind: 'derived',
          grid: id,
          ratio: root.ratio,
          offset: root.offset
        };
      }
      return { kind: 'whole' };
    })
  );

  const grids: IAxisGrid[] = [];
  for (const [id, list] of candidates) {
    const size = list[0].size;
    for (const c of list) {
      if (c.size !== size) {
        throw new Error(
          `${c.where} has length ${c.size} but ${list[0].where} has ${size}; ` +
            'inputs sharing an axis id must match'
        );
      }
    }
    const fixedOnes = list.filter(c => c.fixed !== null);
    const fixed = fixedOnes.length ? fixedOnes[0].fixed : null;
    if (fixedOnes.some(c => c.fixed !== fixed)) {
      throw new Error(`inputs disagree on the fixed length of axis '${id}'`);
    }
    const { min, step } = list.find(c => c.fixed === null) ?? list[0];
    const whole = fixed ?? validAtLeast(min, step, size);
    const halo =
      (declaredHalo.get(id) ?? 0) + (tiling ? (tiling.halo?.[id] ?? 0) : 0);
    let block: number;
    if (!tiling) {
      if (size > whole) {
        throw new Error(
          `the image is ${size} px along '${id}' but the model takes exactly ` +
            `${whole}; enable tiling`
        );
      }
      block = whole;
    } else if (fixed !== null) {
      block = fixed;
      if (
        tiling.blockShape?.[id] !== undefined &&
        tiling.blockShape[id] !== fixed
      ) {
        notes.push(`axis '${id}': block fixed at ${fixed} by the model`);
      }
    } else {
      const want = tiling.blockShape?.[id];
      const limit =
        tiling.maxAutoBlock?.[id] ??
        (id === 'z' ? DEFAULT_MAX_BLOCK_Z : DEFAULT_MAX_BLOCK);
      if (want !== undefined) {
        block = Math.min(validAtLeast(min, step, want), whole);
      } else {
        block = whole <= limit ? whole : validAtMost(min, step, limit);
      }
    }
    // Check every parameterized input with this axis accepts the block.
    for (const c of list) {
      if (
        c.fixed === null &&
        (block < c.min || (block - c.min) % c.step !== 0)
      ) {
        throw new Error(`${c.where}: block ${block} is not min + n·step`);
      }
    }
    if (size <= block) {
      if (size < block) {
        notes.push(`axis '${id}': ${size} px padded (symmetric) to ${block}`);
      }
      grids.push({
        axisId: id,
        size,
        block,
        halo: 0,
        starts: [0],
        inner: size
      });
      continue;
    }
    const inner = block - 2 * halo;
    if (inner < 1) {
      throw new Error(
        `axis '${id}': block ${block} leaves no inner region with halo ${halo}; ` +
          'use a larger block'
      );
    }
    const starts: number[] = [];
    for (let s = 0; s < size; s += inner) {
      starts.push(Math.min(s, size - inner));
      if (s + inner >= size) {
        break;
      }
    }
    grids.push({ axisId: id, size, block, halo, starts, inner });
  }
  if (batch !== null) {
    const n: number = batch;
    grids.unshift({
      axisId: 'batch',
      size: n,
      block: 1,
      halo: 0,
      starts: Array.from({ length: n }, (_, i) => i),
      inner: 1
    });
  }

  // A whole output axis cannot follow a grid that is split.
  model.outputs.forEach((d, o) =>
    d.axes.forEach((a, k) => {
      const g = grids.find(x => x.axisId === a.id);
      if (
        outputRoles[o][k].kind === 'whole' &&
        isSpatial(a) &&
        g &&
        g.starts.length > 1
      ) {
        throw new Error(
          `output '${d.id}' axis '${a.id}' does not follow the input size; ` +
            'it cannot be tiled — run untiled'
        );
      }
    })
  );

  const gridOf = (id: string): IAxisGrid => grids.find(g => g.axisId === id)!;
  const inputBlockShapes = model.inputs.map((d, i) =>
    d.axes.map((a, k) => {
      const role = inputRoles[i][k];
      switch (role.kind) {
        case 'batch':
          return 1;
        case 'grid':
          return gridOf(role.grid).block;
        case 'derived':
          return Math.floor(gridOf(role.grid).block * role.ratio) + role.offset;
        default:
          return inputs[i].shape[k];
      }
    })
  );
  const nTiles = grids.reduce((n, g) => n * g.starts.length, 1);
  return { grids, inputRoles, outputRoles, inputBlockShapes, nTiles, notes };
}

/** Geometry of tile `index` (C order over the plan's grids). */
export function tileGeometry(plan: ITilePlan, index: number): ITileGeometry {
  const g = plan.grids;
  const blockStart = new Array<number>(g.length);
  const innerStart = new Array<number>(g.length);
  const innerEnd = new Array<number>(g.length);
  let rest = index;
  for (let d = g.length - 1; d >= 0; d--) {
    const n = g[d].starts.length;
    const s = g[d].starts[rest % n];
    rest = Math.floor(rest / n);
    innerStart[d] = s;
    innerEnd[d] = Math.min(s + g[d].inner, g[d].size);
    blockStart[d] = s - g[d].halo;
  }
  return { index, blockStart, innerStart, innerEnd };
}

/**
 * Rectangular linear assignment (the problem scipy's `linear_sum_assignment`
 * solves): pick min(rows, cols) cells, at most one per row and per column,
 * minimising the summed cost.
 *
 * Implementation: the O(n²m) Hungarian algorithm with row/column potentials
 * and shortest augmenting paths (Kuhn–Munkres in the Jonker–Volgenant style):
 * one augmentation per row, each a Dijkstra-like scan over columns with
 * reduced costs. Requires rows ≤ cols, so wider-than-tall inputs are
 * transposed first.
 */

/** Result of {@link linearSumAssignment}: parallel row/column index arrays, sorted by row. */
export interface IAssignment {
  rows: Int32Array;
  cols: Int32Array;
}

/**
 * Solves the rectangular assignment problem for a dense row-major `cost`
 * matrix of `nRows × nCols` finite values. Returns min(nRows, nCols) pairs
 * sorted by row index, like scipy. When several assignments are optimal the
 * chosen one may differ from scipy's; the optimal total cost cannot.
 */
export function linearSumAssignment(
  cost: ArrayLike<number>,
  nRows: number,
  nCols: number
): IAssignment {
  if (cost.length !== nRows * nCols) {
    throw new Error('linearSumAssignment: cost has the wrong length');
  }
  if (nRows === 0 || nCols === 0) {
    return { rows: new Int32Array(0), cols: new Int32Array(0) };
  }
  const transposed = nRows > nCols;
  const n = transposed ? nCols : nRows;
  const m = transposed ? nRows : nCols;
  const at = transposed
    ? (i: number, j: number): number => cost[j * nCols + i]
    : (i: number, j: number): number => cost[i * nCols + j];

  // 1-based indices; column 0 is a virtual column used to start each search.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row assigned to column j (0 = free)
  const way = new Int32Array(m + 1); // predecessor column on the shortest path
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);

  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) {
          continue;
        }
        const cur = at(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      if (j1 === 0) {
        throw new Error(
          'linearSumAssignment: cost matrix is infeasible (non-finite values?)'
        );
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // Augment along the path back to the virtual column.
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  const pairs: Array<[number, number]> = [];
  for (let j = 1; j <= m; j++) {
    if (p[j] !== 0) {
      pairs.push(transposed ? [j - 1, p[j] - 1] : [p[j] - 1, j - 1]);
    }
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return {
    rows: Int32Array.from(pairs, q => q[0]),
    cols: Int32Array.from(pairs, q => q[1])
  };
}

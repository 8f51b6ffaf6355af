/**
 * The optimal one-to-one matching StarDist computes with
 * `linear_sum_assignment` on the dense cost
 *
 *   cost[i, j] = −[score ≥ thr] − score / (2·nMatched),
 *
 * solved here on the sparse score table.
 *
 * Why the sparse form is exact: every assignment has exactly nMatched =
 * min(nTrue, nPred) pairs and every pair without overlap costs the same
 * constant c0 = −[0 ≥ thr]. Minimising the total cost is therefore maximising
 * Σ w over the assigned pairs, with w = cost − c0 negated, i.e. w = [s ≥ thr] −
 * [0 ≥ thr] + s/(2·nMatched) > 0 on overlapping pairs and 0 elsewhere. Any
 * partial matching extends to nMatched pairs with zero-weight pairs, so the
 * optimum is a maximum-weight matching on the overlap graph, which splits into
 * its connected components. Each component is small (an object overlaps a
 * handful of others), so a dense Hungarian per component is cheap.
 */
import { linearSumAssignment } from './assignment';
import { ISparseScores } from './overlap';

/** One assigned pair: relabelled true id, relabelled pred id (both ≥ 1), float32 score. */
export type MatchedPair = [number, number, number];

/** Disjoint-set forest with path halving. */
function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/** Connected components of the overlap graph, as lists of edge indices. */
function components(scores: ISparseScores): number[][] {
  const { nTrue, nPred, pairTrue, pairPred, score } = scores;
  // Nodes: true object i → i − 1; pred object j → nTrue + j − 1.
  const parent = Int32Array.from({ length: nTrue + nPred }, (_, k) => k);
  for (let e = 0; e < score.length; e++) {
    if (score[e] > 0) {
      const a = find(parent, pairTrue[e] - 1);
      const b = find(parent, nTrue + pairPred[e] - 1);
      if (a !== b) {
        parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let e = 0; e < score.length; e++) {
    if (score[e] > 0) {
      const root = find(parent, pairTrue[e] - 1);
      const list = groups.get(root);
      if (list) {
        list.push(e);
      } else {
        groups.set(root, [e]);
      }
    }
  }
  return [...groups.values()];
}

/**
 * All nMatched = min(nTrue, nPred) pairs of an optimal assignment at
 * threshold `thr` (already cast to float32), sorted by true id. Pairs without
 * overlap fill up the assignment in ascending id order; with ties, the chosen
 * pairs may differ from scipy's but the tp count and score sum cannot.
 */
export function solveMatching(
  scores: ISparseScores,
  thr: number
): MatchedPair[] {
  const { nTrue, nPred, pairTrue, pairPred, score } = scores;
  const nMatched = Math.min(nTrue, nPred);
  if (nMatched === 0) {
    return [];
  }
  const zeroPasses = 0 >= thr ? 1 : 0;
  const weight = (s: number): number =>
    (s >= thr ? 1 : 0) - zeroPasses + s / (2 * nMatched);

  const pairs: MatchedPair[] = [];
  const rowUsed = new Uint8Array(nTrue + 1);
  const colUsed = new Uint8Array(nPred + 1);
  for (const edges of components(scores)) {
    if (edges.length === 1) {
      // A lone overlapping pair: matching it always adds positive weight.
      const e = edges[0];
      pairs.push([pairTrue[e], pairPred[e], score[e]]);
      continue;
    }
    const rows = [...new Set(edges.map(e => pairTrue[e]))].sort(
      (a, b) => a - b
    );
    const cols = [...new Set(edges.map(e => pairPred[e]))].sort(
      (a, b) => a - b
    );
    const rowIndex = new Map(rows.map((r, k) => [r, k]));
    const colIndex = new Map(cols.map((c, k) => [c, k]));
    const cost = new Float64Array(rows.length * cols.length);
    const local = new Float64Array(rows.length * cols.length);
    for (const e of edges) {
      const k =
        (rowIndex.get(pairTrue[e]) as number) * cols.length +
        (colIndex.get(pairPred[e]) as number);
      cost[k] = -weight(score[e]);
      local[k] = score[e];
    }
    const sol = linearSumAssignment(cost, rows.length, cols.length);
    for (let k = 0; k < sol.rows.length; k++) {
      const s = local[sol.rows[k] * cols.length + sol.cols[k]];
      // Zero-overlap pairs inside a component are just filler; they are re-added below.
      if (s > 0) {
        pairs.push([rows[sol.rows[k]], cols[sol.cols[k]], s]);
      }
    }
  }
  for (const [i, j] of pairs) {
    rowUsed[i] = 1;
    colUsed[j] = 1;
  }
  // Fill up to nMatched pairs with unassigned objects (score 0), as the dense solver would.
  let j = 1;
  for (let i = 1; i <= nTrue && pairs.length < nMatched; i++) {
    if (rowUsed[i]) {
      continue;
    }
    while (colUsed[j]) {
      j++;
    }
    pairs.push([i, j, 0]);
    colUsed[j] = 1;
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return pairs;
}

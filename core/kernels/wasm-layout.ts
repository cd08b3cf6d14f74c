/**
 * The contract between the host (cpu-engine.ts) and the WASM kernels (wasm/kernels.ts): slot numbers of the
 * float64 parameter block and the exported row kernels. The AssemblyScript side declares the same numbers
 * (`P_*` constants in wasm/kernels.ts); keep the two in step.
 */

/** Float64 slots of the parameter block (integers and byte offsets are exact in a double). */
export const ParamSlot = {
  N: 1,
  M: 2,
  dim: 3,
  p: 4,
  /** 1/(2ε) for p = 2, 1/ε for p = 1. */
  scale: 5,
  /** Multiplies the log-sum-exp: −ε for the softmin, 1 for the raw log-sum-exp. */
  outScale: 6,
  /** x, row-major (AoS), float32. */
  x: 7,
  /** y, one padded float32 array per coordinate (SoA), `stride` elements apart. */
  y: 8,
  stride: 9,
  /** h, float32, padded with −∞ up to `stride`. */
  h: 10,
  /** v, SoA like y, padded with 0. */
  v: 11,
  vdim: 12,
  out1: 13,
  out2: 14,
  xStart: 15,
  yStart: 16,
  rowPtr: 17,
  cols: 18,
  /** Number of x clusters (xStart has one more entry). */
  clusters: 19,
  knnK: 20,
  sigmaCount: 21,
  /** float32 pairs (1/(2σ²), weight). */
  sigmas: 22,
  /** Value written for rows with no finite term. */
  empty: 23,
  /** Outputs are clamped to ±limit. */
  limit: 24,
  /** pruneRows: per-row potentials u (float32, N). */
  u: 25,
  /** pruneRows: keep a pair when u_i + v_j − C_ij > keep … */
  keep: 26,
  /** … and leave it a candidate when it is > cand. */
  cand: 27,
  /** compactRows: per row, the out3 element offsets of its candidates and of its kept pairs (u32 pairs). */
  offsets: 28,
  /** compactRows: the compacted candidates, then the kept pairs. */
  out3: 29,
  /** pruneRows: per-row and per-column reference values (float32) … */
  rowRef: 30,
  colRef: 31,
  /** … a pair within `relative` of min(rowRef_i, colRef_j) stays a candidate. */
  relative: 32,
  /** pruneRows: the largest φ of each row (float32). */
  out4: 33,
} as const;

/** Number of float64 slots reserved for the parameter block. */
export const PARAM_SLOTS = 40;

/** Row kernels exported by kernels.wasm, all `(params, i0, i1, scratch) => void`. */
export type RowKernel = 'lseRows' | 'weightedRows' | 'argmaxRows' | 'gaussianRows' | 'knnRows' | 'pruneRows' | 'compactRows';

export const ROW_KERNELS: readonly RowKernel[] = ['lseRows', 'weightedRows', 'argmaxRows', 'gaussianRows', 'knnRows', 'pruneRows', 'compactRows'];

/** Extra float32 elements past M in every padded column array (a 4-wide load starting at any j < M stays inside). */
export const COLUMN_PAD = 8;

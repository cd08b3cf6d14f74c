/**
 * WGSL sources of the 'webgpu' engine's fused reductions (webgpu-engine.ts): one invocation per row i of x,
 * streaming over the columns j of y — the KeOps / GeomLoss "online" reduction, never an N×M matrix. Each source
 * is specialised (point dim, value channels, cost exponent, k, number of σ) so that the inner loops unroll.
 *
 * WGSL leaves overflow to ±∞ and ∞'s arithmetic undefined, so no shader ever makes an infinity:
 *   - h_j ≤ MASKED_AT_OR_BELOW (the host writes MASKED, its stand-in for −∞, a zero mass) is skipped;
 *   - a cost term λ·C with C > cLimit (= CAP / λ, computed on the host) is skipped: exp of it is 0 anyway;
 *   - the running max starts at NO_SCORE, below every kept score, and a row that kept no term writes NO_SCORE.
 * The host maps NO_SCORE to the engines' documented empty values (output-limits.ts).
 *
 * Row index: workgroups of WORKGROUP invocations on a 2-D grid (a dimension holds at most 65535 workgroups),
 * row = (wid.y · nwg.x + wid.x) · WORKGROUP + lid.x, plus the chunk's first row.
 */

/** Invocations per workgroup. */
export const WORKGROUP = 64;

/** Host stand-in for h_j = −∞. */
export const MASKED = -3.4e38;
/** Every h_j at or below this is masked (a zero mass), so that a kept score h − λ·C (λ·C ≤ CAP) stays finite. */
export const MASKED_AT_OR_BELOW = -2e38;
/** Written where a row kept no term; below every score a kept term can have (≥ −2e38 − 1e38). */
export const NO_SCORE = -3.4e38;

/** True for a shader output that is NO_SCORE (read back as float32, −3.3999999e38). */
export function isNoScore(value: number): boolean {
  return value < -3.2e38;
}
/** Largest cost term λ·C a kept pair may have. */
export const CAP = 1e38;

/** What a reduction shader is specialised on. */
export interface ShaderKey {
  kind: 'lse' | 'argmax' | 'gaussian' | 'knn';
  dim: number;
  /** lse: cost exponent; others: 2. */
  p: 1 | 2;
  /** lse: value channels of the weighted mean (0 = plain softmin). gaussian: value channels. */
  vdim: number;
  /** lse: block-sparse column ranges per x cluster. */
  sparse: boolean;
  /** knn: neighbours kept; gaussian: number of σ. */
  count: number;
}

export function shaderKeyString(key: ShaderKey): string {
  return `${key.kind}/${key.dim}/${key.p}/${key.vdim}/${key.sparse ? 's' : 'd'}/${key.count}`;
}

/** Params uniform: rows, columns, the first row of this dispatch, x clusters (sparse), λ (1/ε or 1/2ε), cLimit. */
const PARAMS = /* wgsl */ `
struct Params { n: u32, m: u32, row0: u32, clusters: u32, lambda: f32, cLimit: f32, pad1: f32, pad2: f32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> ys: array<f32>;
`;

function rowPrelude(dim: number): string {
  return /* wgsl */ `
  let i = params.row0 + (wid.y * nwg.x + wid.x) * ${WORKGROUP}u + lid.x;
  if (i >= params.n) { return; }
  var xi: array<f32, ${dim}>;
  for (var d = 0u; d < ${dim}u; d++) { xi[d] = xs[i * ${dim}u + d]; }`;
}

/** |x_i − y_j|² into `d2`. */
function distance2(dim: number): string {
  return /* wgsl */ `
      var d2 = 0.0;
      for (var d = 0u; d < ${dim}u; d++) { let t = xi[d] - ys[j * ${dim}u + d]; d2 += t * t; }`;
}

const ENTRY = '@compute @workgroup_size(' + WORKGROUP + ')\nfn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {';

/**
 * Online log-sum-exp (Milakov & Gimelshein 2018, "Online normalizer calculation for softmax"), optionally with
 * the softmax-weighted mean of v (the barycentric projection):
 *   s_ij = h_j − λ·C(x_i, y_j),   lse_i = log Σ_j exp(s_ij),   mean_i = Σ_j exp(s_ij − lse_i) v_j
 * kept as (m, S, A) with m the running max, S = Σ exp(s − m), A = Σ exp(s − m) v; a new max rescales S and A
 * by exp(m_old − m_new).
 */
function lseShader(dim: number, p: 1 | 2, vdim: number, sparse: boolean): string {
  const weighted = vdim > 0;
  const bindings = [
    '@group(0) @binding(3) var<storage, read> hs: array<f32>;',
    '@group(0) @binding(4) var<storage, read_write> outLse: array<f32>;',
    weighted ? '@group(0) @binding(5) var<storage, read> vs: array<f32>;' : '',
    weighted ? '@group(0) @binding(6) var<storage, read_write> outMean: array<f32>;' : '',
    // Block sparsity: the x cluster of each row; blocks = [rangePtr (K + 1 entries), ranges]: cluster k's column
    // ranges are [ranges[2r], ranges[2r+1]) for r in rangePtr[k] .. rangePtr[k+1] (K = params.clusters).
    sparse ? '@group(0) @binding(7) var<storage, read> rowCluster: array<u32>;' : '',
    sparse ? '@group(0) @binding(8) var<storage, read> blocks: array<u32>;' : '',
  ].join('\n');
  const cost = p === 2 ? 'd2' : 'sqrt(d2)';
  const ranges = sparse
    ? /* wgsl */ `
  let k = rowCluster[i];
  let at = params.clusters + 1u;
  for (var r = blocks[k]; r < blocks[k + 1u]; r++) {
    let j0 = blocks[at + 2u * r];
    let j1 = blocks[at + 2u * r + 1u];`
    : /* wgsl */ `
  {
    let j0 = 0u;
    let j1 = params.m;`;
  return /* wgsl */ `${PARAMS}
${bindings}
${ENTRY}
${rowPrelude(dim)}
  var mx = ${NO_SCORE};
  var sum = 0.0;
  ${weighted ? `var acc: array<f32, ${vdim}>;` : ''}
${ranges}
    for (var j = j0; j < j1; j++) {
      let hj = hs[j];
      if (hj <= ${MASKED_AT_OR_BELOW}) { continue; }
${distance2(dim)}
      let c = ${cost};
      if (c > params.cLimit) { continue; }
      let s = hj - params.lambda * c;
      var e = 1.0;
      if (s > mx) {
        let r = exp(mx - s);
        sum = sum * r + 1.0;
        ${weighted ? `for (var q = 0u; q < ${vdim}u; q++) { acc[q] = acc[q] * r; }` : ''}
        mx = s;
      } else {
        e = exp(s - mx);
        sum += e;
      }
      ${weighted ? `for (var q = 0u; q < ${vdim}u; q++) { acc[q] += e * vs[j * ${vdim}u + q]; }` : ''}
    }
  }
  if (sum > 0.0) {
    outLse[i] = mx + log(sum);
    ${weighted ? `for (var q = 0u; q < ${vdim}u; q++) { outMean[i * ${vdim}u + q] = acc[q] / sum; }` : ''}
  } else {
    outLse[i] = ${NO_SCORE};
    ${weighted ? `for (var q = 0u; q < ${vdim}u; q++) { outMean[i * ${vdim}u + q] = 0.0; }` : ''}
  }
}
`;
}

/** argmax_j s_ij, s_ij = h_j − λ·C(x_i, y_j); the first j on ties (strict >). */
function argmaxShader(dim: number, p: 1 | 2): string {
  return /* wgsl */ `${PARAMS}
@group(0) @binding(3) var<storage, read> hs: array<f32>;
@group(0) @binding(4) var<storage, read_write> outScore: array<f32>;
@group(0) @binding(5) var<storage, read_write> outIndex: array<i32>;
${ENTRY}
${rowPrelude(dim)}
  var best = ${NO_SCORE};
  var bestJ = -1;
  for (var j = 0u; j < params.m; j++) {
    let hj = hs[j];
    if (hj <= ${MASKED_AT_OR_BELOW}) { continue; }
${distance2(dim)}
    let c = ${p === 2 ? 'd2' : 'sqrt(d2)'};
    if (c > params.cLimit) { continue; }
    let s = hj - params.lambda * c;
    if (s > best) { best = s; bestJ = i32(j); }
  }
  outScore[i] = best;
  outIndex[i] = bestJ;
}
`;
}

/** out_i = Σ_j Σ_q w_q exp(−a_q |x_i − y_j|²) v_j, a_q = 1 / 2σ_q² (coef = [a_0, w_0, a_1, w_1, …]). */
function gaussianShader(dim: number, vdim: number, sigmas: number): string {
  return /* wgsl */ `${PARAMS}
@group(0) @binding(3) var<storage, read> coef: array<f32>;
@group(0) @binding(4) var<storage, read> vs: array<f32>;
@group(0) @binding(5) var<storage, read_write> outSum: array<f32>;
${ENTRY}
${rowPrelude(dim)}
  var acc: array<f32, ${vdim}>;
  for (var j = 0u; j < params.m; j++) {
${distance2(dim)}
    var k = 0.0;
    // exp(−a·d²) underflows to 0 long before a·d² = 1e4; the cap keeps the product finite.
    for (var q = 0u; q < ${sigmas}u; q++) { k += coef[2u * q + 1u] * exp(-min(coef[2u * q] * d2, 1e4)); }
    for (var q = 0u; q < ${vdim}u; q++) { acc[q] += k * vs[j * ${vdim}u + q]; }
  }
  for (var q = 0u; q < ${vdim}u; q++) { outSum[i * ${vdim}u + q] = acc[q]; }
}
`;
}

/** The k smallest |x_i − y_j|², ascending, by insertion; the smaller j first on ties (strict >). */
function knnShader(dim: number, k: number): string {
  return /* wgsl */ `${PARAMS}
@group(0) @binding(3) var<storage, read_write> outDist2: array<f32>;
@group(0) @binding(4) var<storage, read_write> outIndex: array<i32>;
${ENTRY}
${rowPrelude(dim)}
  var bd: array<f32, ${k}>;
  var bj: array<i32, ${k}>;
  for (var q = 0u; q < ${k}u; q++) { bd[q] = 3.4e38; bj[q] = -1; }
  for (var j = 0u; j < params.m; j++) {
${distance2(dim)}
    if (!(d2 < bd[${k - 1}u])) { continue; }
    var q = ${k - 1}u;
    while (q > 0u && bd[q - 1u] > d2) { bd[q] = bd[q - 1u]; bj[q] = bj[q - 1u]; q--; }
    bd[q] = d2;
    bj[q] = i32(j);
  }
  for (var q = 0u; q < ${k}u; q++) { outDist2[i * ${k}u + q] = bd[q]; outIndex[i * ${k}u + q] = bj[q]; }
}
`;
}

/** The WGSL source for a specialisation. */
export function shaderSource(key: ShaderKey): string {
  switch (key.kind) {
    case 'lse':
      return lseShader(key.dim, key.p, key.vdim, key.sparse);
    case 'argmax':
      return argmaxShader(key.dim, key.p);
    case 'gaussian':
      return gaussianShader(key.dim, key.vdim, key.count);
    case 'knn':
      return knnShader(key.dim, key.count);
  }
}

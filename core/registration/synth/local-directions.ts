/**
 * Local principal directions of a point set (local PCA, as in tensor voting / Hoppe et al. 1992): for each point,
 * the covariance of its k nearest neighbours; the leading eigenvector is the local direction and the
 * linearity (λ1 − λ2) / λ1 (Demantké et al. 2011, "Dimensionality based scale selection in 3D lidar point
 * clouds") says how line-like the neighbourhood is: ≈ 1 along a vessel centreline, ≈ 0 on a surface.
 */

/** Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations: eigenvalues descending, vectors as columns. */
export function symmetricEigen3(m: ArrayLike<number>): { values: [number, number, number]; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
    if (off < 1e-30 * (a[0] * a[0] + a[4] * a[4] + a[8] * a[8] + 1e-300)) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      const apq = a[3 * p + q];
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (a[3 * q + q] - a[3 * p + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[3 * k + p];
        const akq = a[3 * k + q];
        a[3 * k + p] = c * akp - s * akq;
        a[3 * k + q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[3 * p + k];
        const aqk = a[3 * q + k];
        a[3 * p + k] = c * apk - s * aqk;
        a[3 * q + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[3 * k + p];
        const vkq = v[3 * k + q];
        v[3 * k + p] = c * vkp - s * vkq;
        v[3 * k + q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => a[4 * j] - a[4 * i]);
  const vectors = new Float64Array(9);
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) vectors[3 * r + c] = v[3 * r + order[c]];
  return { values: [a[4 * order[0]], a[4 * order[1]], a[4 * order[2]]], vectors };
}

/**
 * Leading direction (unit, N×3) and linearity (N) of each point's k-neighbourhood within the same set
 * (brute force: meant for a few thousand reference points).
 */
export function localDirections(points: Float64Array, k: number): { direction: Float64Array; linearity: Float64Array } {
  const n = points.length / 3;
  const kk = Math.min(k, n);
  const direction = new Float64Array(3 * n);
  const linearity = new Float64Array(n);
  const bestD = new Float64Array(kk);
  const bestI = new Int32Array(kk);
  for (let i = 0; i < n; i++) {
    bestD.fill(Infinity);
    bestI.fill(-1);
    const x = points[3 * i];
    const y = points[3 * i + 1];
    const z = points[3 * i + 2];
    for (let j = 0; j < n; j++) {
      const d = (points[3 * j] - x) ** 2 + (points[3 * j + 1] - y) ** 2 + (points[3 * j + 2] - z) ** 2;
      if (d >= bestD[kk - 1]) continue;
      let s = kk - 1;
      while (s > 0 && bestD[s - 1] > d) {
        bestD[s] = bestD[s - 1];
        bestI[s] = bestI[s - 1];
        s--;
      }
      bestD[s] = d;
      bestI[s] = j;
    }
    let mx = 0;
    let my = 0;
    let mz = 0;
    for (let s = 0; s < kk; s++) {
      mx += points[3 * bestI[s]];
      my += points[3 * bestI[s] + 1];
      mz += points[3 * bestI[s] + 2];
    }
    mx /= kk;
    my /= kk;
    mz /= kk;
    const c = new Float64Array(9);
    for (let s = 0; s < kk; s++) {
      const dx = points[3 * bestI[s]] - mx;
      const dy = points[3 * bestI[s] + 1] - my;
      const dz = points[3 * bestI[s] + 2] - mz;
      c[0] += dx * dx;
      c[1] += dx * dy;
      c[2] += dx * dz;
      c[4] += dy * dy;
      c[5] += dy * dz;
      c[8] += dz * dz;
    }
    c[3] = c[1];
    c[6] = c[2];
    c[7] = c[5];
    const { values, vectors } = symmetricEigen3(c);
    direction[3 * i] = vectors[0];
    direction[3 * i + 1] = vectors[3];
    direction[3 * i + 2] = vectors[6];
    linearity[i] = values[0] > 0 ? (values[0] - Math.max(0, values[1])) / values[0] : 0;
  }
  return { direction, linearity };
}

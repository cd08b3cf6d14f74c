/** Dense solves for the small systems of shape alignment (normal equations of size ≤ 4). */

/**
 * Solves A X = B for X by Gaussian elimination with partial pivoting. A is n×n row-major, B is n×m row-major;
 * returns X (n×m) or undefined when A is singular to working precision.
 */
export function solveLinear(a: ArrayLike<number>, b: ArrayLike<number>, n: number, m: number): Float64Array | undefined {
  const A = Float64Array.from(a);
  const X = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(A[i]));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r * n + col]) > Math.abs(A[pivot * n + col])) pivot = r;
    if (Math.abs(A[pivot * n + col]) <= 1e-13 * scale) return undefined;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [A[col * n + k], A[pivot * n + k]] = [A[pivot * n + k], A[col * n + k]];
      for (let k = 0; k < m; k++) [X[col * m + k], X[pivot * m + k]] = [X[pivot * m + k], X[col * m + k]];
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = A[r * n + col] / A[col * n + col];
      if (f === 0) continue;
      for (let k = col; k < n; k++) A[r * n + k] -= f * A[col * n + k];
      for (let k = 0; k < m; k++) X[r * m + k] -= f * X[col * m + k];
    }
  }
  for (let r = 0; r < n; r++) for (let k = 0; k < m; k++) X[r * m + k] /= A[r * n + r];
  return X;
}

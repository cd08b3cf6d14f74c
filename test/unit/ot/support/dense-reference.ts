/**
 * Independent dense float64 reference for the OT tests: the full N×M cost matrix, plain alternating log-domain
 * Sinkhorn (damped when unbalanced) with its own geometric ε-scaling, run to a tight tolerance, and the primal
 * objective evaluated on the resulting plan — nothing shared with core/ot or the engines. Small problems only.
 */

export interface DenseProblem {
  /** Points, `dim` coordinates each (features already appended if any). */
  x: Float64Array;
  y: Float64Array;
  dim: number;
  a: Float64Array;
  b: Float64Array;
  eps: number;
  rho: number | null;
  p: 1 | 2;
}

export interface DenseSolution {
  f: Float64Array;
  g: Float64Array;
  /** π_ij, row-major N×M. */
  plan: Float64Array;
  /** Primal OT_ε = ⟨π, C⟩ + ε KL(π | a⊗b) (+ ρ KL(π1 | a) + ρ KL(πᵀ1 | b)). */
  value: number;
}

function costMatrix(pr: DenseProblem): Float64Array {
  const n = pr.a.length;
  const m = pr.b.length;
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let d2 = 0;
      for (let d = 0; d < pr.dim; d++) d2 += (pr.x[i * pr.dim + d] - pr.y[j * pr.dim + d]) ** 2;
      c[i * m + j] = pr.p === 2 ? 0.5 * d2 : Math.sqrt(d2);
    }
  }
  return c;
}

function lse(values: Float64Array): number {
  let mx = -Infinity;
  for (const v of values) if (v > mx) mx = v;
  if (mx === -Infinity) return -Infinity;
  let s = 0;
  for (const v of values) s += Math.exp(v - mx);
  return mx + Math.log(s);
}

function kl(p: number, q: number): number {
  return (p > 0 ? p * Math.log(p / q) : 0) - p + q;
}

export function denseSolve(pr: DenseProblem, iterations = 20000, tol = 1e-13): DenseSolution {
  const n = pr.a.length;
  const m = pr.b.length;
  const C = costMatrix(pr);
  const la = pr.a.map(Math.log);
  const lb = pr.b.map(Math.log);
  let f = new Float64Array(n);
  const g = new Float64Array(m);
  const row = new Float64Array(m);
  const col = new Float64Array(n);
  // A self problem (x = y, a = b) is solved with the averaged symmetric update f ← ½(f + λ softmin(f)), g = f:
  // the plain alternating one crawls there.
  const symmetric = pr.x === pr.y && pr.a === pr.b;
  const sweep = (e: number): number => {
    const lam = pr.rho === null ? 1 : 1 / (1 + e / pr.rho);
    const fNew = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) row[j] = lb[j] + (g[j] - C[i * m + j]) / e;
      fNew[i] = -lam * e * lse(row);
    }
    if (symmetric) {
      let change = 0;
      for (let i = 0; i < n; i++) {
        const v = 0.5 * (f[i] + fNew[i]);
        change = Math.max(change, Math.abs(v - f[i]));
        f[i] = v;
        g[i] = v;
      }
      return change;
    }
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) col[i] = la[i] + (fNew[i] - C[i * m + j]) / e;
      g[j] = -lam * e * lse(col);
    }
    let change = 0;
    for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(fNew[i] - f[i]));
    f = fNew;
    return change;
  };
  let cMax = 0;
  for (const v of C) cMax = Math.max(cMax, v);
  for (let e = Math.max(cMax, pr.eps); e > pr.eps; e *= 0.7) for (let k = 0; k < 10; k++) sweep(e);
  let scale = 1;
  for (let it = 0; it < iterations; it++) {
    const change = sweep(pr.eps);
    scale = Math.max(1, ...Array.from(f, Math.abs));
    if (change < tol * scale) break;
  }
  const plan = new Float64Array(n * m);
  const rowSum = new Float64Array(n);
  const colSum = new Float64Array(m);
  let value = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const pij = pr.a[i] * pr.b[j] * Math.exp((f[i] + g[j] - C[i * m + j]) / pr.eps);
      plan[i * m + j] = pij;
      rowSum[i] += pij;
      colSum[j] += pij;
      value += pij * C[i * m + j] + pr.eps * kl(pij, pr.a[i] * pr.b[j]);
    }
  }
  if (pr.rho !== null) {
    for (let i = 0; i < n; i++) value += pr.rho * kl(rowSum[i], pr.a[i]);
    for (let j = 0; j < m; j++) value += pr.rho * kl(colSum[j], pr.b[j]);
  }
  return { f, g, plan, value };
}

/** S_ε = OT_ε(α,β) − ½OT_ε(α,α) − ½OT_ε(β,β), all by denseSolve. */
export function denseDivergence(pr: DenseProblem): number {
  const ab = denseSolve(pr).value;
  const aa = denseSolve({ ...pr, y: pr.x, b: pr.a }).value;
  const bb = denseSolve({ ...pr, x: pr.y, a: pr.b }).value;
  return ab - 0.5 * aa - 0.5 * bb;
}

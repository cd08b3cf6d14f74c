import type { InverseEvaluation, InversionOptions, VectorFunctionLps } from './types.ts';

export const DEFAULT_INVERSION_TOLERANCE_MM = 1e-4;
export const DEFAULT_INVERSION_MAX_ITERATIONS = 100;

/**
 * Inverts φ(x) = x + u(x) at target points y by damped fixed-point iteration: find x with x + u(x) = y, i.e.
 * x = y − u(x). With residual r(x) = x + u(x) − y the update is
 *
 *   x_{k+1} = x_k − λ · r(x_k) = (1 − λ) x_k + λ (y − u(x_k))
 *
 * which for λ = 1 is the plain iteration x_{k+1} = y − u(x_k) (Chen et al. 2008, "A simple fixed-point approach to
 * invert a deformation field", Med. Phys. 35(1)). It converges when u is contractive (Lipschitz constant < 1); for a
 * larger displacement whose Jacobian ∇φ still has eigenvalues of positive real part (no folding), each point damps
 * itself: a step that increases |r| is rejected and λ halved, an accepted step lets λ grow back towards 1. A map that
 * folds has no inverse there; such points keep their best estimate and are counted as unconverged.
 *
 * With an approximate inverse ψ ≈ φ⁻¹ (`approximateInverse`, its displacement ψ(p) − p; e.g. exp(−v) for a velocity
 * field), it is used as a preconditioner and as the start: x₀ = ψ(y) and the step is
 *   x_{k+1} = x_k − λ (ψ(φ(x_k)) − ψ(y)) ≈ x_k − λ ∇φ(x_k)⁻¹ r(x_k)
 * (a quasi-Newton step, fast even where ∇φ is far from the identity). Points stop once |r| ≤ tolerance, so each round
 * evaluates u (and ψ) only at the points still moving, in one batched call each.
 *
 * Returns x − y for every target, the best point found for those that did not converge, and the residuals |r|.
 */
export async function invertByFixedPoint(
  displacement: VectorFunctionLps,
  targetsLps: Float64Array,
  options: InversionOptions = {},
  initialLps?: Float64Array,
  approximateInverse?: VectorFunctionLps,
): Promise<InverseEvaluation> {
  const tol = options.toleranceMm ?? DEFAULT_INVERSION_TOLERANCE_MM;
  const maxIterations = options.maxIterations ?? DEFAULT_INVERSION_MAX_ITERATIONS;
  if (!(tol > 0) || !Number.isFinite(tol)) throw new RangeError(`inversion tolerance must be > 0 (got ${tol})`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`maxIterations must be a positive integer (got ${maxIterations})`);
  if (targetsLps.length % 3 !== 0) throw new RangeError(`points: length ${targetsLps.length} is not a multiple of 3`);
  if (initialLps && initialLps.length !== targetsLps.length) throw new RangeError('initial points: length differs from the targets');

  const n = targetsLps.length / 3;
  const y = targetsLps;
  // ψ(y), the preconditioner's image of the targets (and the default start).
  let psiY: Float64Array | undefined;
  if (approximateInverse) {
    const g = await approximateInverse(y);
    psiY = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) psiY[i] = y[i] + g[i];
  }
  const xTry = Float64Array.from(initialLps ?? psiY ?? y);
  const xBest = Float64Array.from(xTry);
  const rBest = new Float64Array(3 * n);
  const resBest = new Float64Array(n).fill(Infinity);
  const lambda = new Float64Array(n).fill(1);
  let active = Uint32Array.from({ length: n }, (_, i) => i);
  let iterations = 0;

  while (active.length > 0 && iterations < maxIterations) {
    const batch = new Float64Array(3 * active.length);
    for (let a = 0; a < active.length; a++) {
      const i = active[a];
      batch[3 * a] = xTry[3 * i];
      batch[3 * a + 1] = xTry[3 * i + 1];
      batch[3 * a + 2] = xTry[3 * i + 2];
    }
    const u = await displacement(batch);
    // With a preconditioner the step direction is ψ(φ(x)) − ψ(y) instead of r = φ(x) − y.
    let g: Float64Array | undefined;
    if (approximateInverse) {
      const phi = new Float64Array(batch.length);
      for (let q = 0; q < phi.length; q++) phi[q] = batch[q] + u[q];
      g = await approximateInverse(phi);
      for (let q = 0; q < phi.length; q++) g[q] += phi[q];
    }
    iterations++;
    const still = new Uint32Array(active.length);
    let stillCount = 0;
    for (let a = 0; a < active.length; a++) {
      const i = active[a];
      const rx = batch[3 * a] + u[3 * a] - y[3 * i];
      const ry = batch[3 * a + 1] + u[3 * a + 1] - y[3 * i + 1];
      const rz = batch[3 * a + 2] + u[3 * a + 2] - y[3 * i + 2];
      const res = Math.sqrt(rx * rx + ry * ry + rz * rz);
      if (res < resBest[i]) {
        resBest[i] = res;
        xBest[3 * i] = batch[3 * a];
        xBest[3 * i + 1] = batch[3 * a + 1];
        xBest[3 * i + 2] = batch[3 * a + 2];
        if (g && psiY) {
          rBest[3 * i] = g[3 * a] - psiY[3 * i];
          rBest[3 * i + 1] = g[3 * a + 1] - psiY[3 * i + 1];
          rBest[3 * i + 2] = g[3 * a + 2] - psiY[3 * i + 2];
        } else {
          rBest[3 * i] = rx;
          rBest[3 * i + 1] = ry;
          rBest[3 * i + 2] = rz;
        }
        if (res <= tol) continue;
        lambda[i] = Math.min(1, lambda[i] * 1.25);
      } else {
        lambda[i] *= 0.5;
        if (lambda[i] < 1e-6) continue; // stuck: keep the best point, counted as unconverged
      }
      xTry[3 * i] = xBest[3 * i] - lambda[i] * rBest[3 * i];
      xTry[3 * i + 1] = xBest[3 * i + 1] - lambda[i] * rBest[3 * i + 1];
      xTry[3 * i + 2] = xBest[3 * i + 2] - lambda[i] * rBest[3 * i + 2];
      still[stillCount++] = i;
    }
    active = still.subarray(0, stillCount);
  }

  const out = new Float64Array(3 * n);
  let maxRes = 0;
  let sumRes = 0;
  let unconverged = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[3 * i + c] = xBest[3 * i + c] - y[3 * i + c];
    const r = resBest[i];
    if (!(r <= tol)) unconverged++;
    if (r > maxRes) maxRes = r;
    sumRes += r;
  }
  return { displacementsLps: out, maxResidualMm: maxRes, meanResidualMm: n > 0 ? sumRes / n : 0, unconverged, iterations };
}

import type { AffineDeformation } from './affine.ts';
import type { Deformation, InverseEvaluation, InversionOptions } from './types.ts';

/**
 * A chain of deformations applied in order: φ = φ_n ∘ … ∘ φ_2 ∘ φ_1 (steps[0] first). Every step maps the output
 * space of the previous one onward, so a non-linear step that follows a linear pre-alignment is defined in FIXED
 * space, after the linear map:
 *
 *   φ(x) = ψ(A·x + t),  ψ(z) = z + u(z)        ← new ComposedDeformation([affine, kernelDisplacement])
 *
 * The inverse runs the steps' inverses in reverse order: φ⁻¹ = φ_1⁻¹ ∘ … ∘ φ_n⁻¹. Its reported residual is the true
 * one of the whole chain, |φ(x) − y|: one extra forward evaluation, unless the last step is the only approximate one
 * (then it is that step's residual); `unconverged` and `iterations` add up the steps'.
 */
export class ComposedDeformation implements Deformation {
  readonly kind = 'composed' as const;
  readonly steps: readonly Deformation[];

  constructor(steps: readonly Deformation[]) {
    if (steps.length === 0) throw new RangeError('ComposedDeformation: at least one step');
    this.steps = [...steps];
  }

  async evaluate(pointsLps: Float64Array): Promise<Float64Array> {
    const p = Float64Array.from(pointsLps);
    for (const step of this.steps) {
      const u = await step.evaluate(p);
      for (let i = 0; i < p.length; i++) p[i] += u[i];
    }
    for (let i = 0; i < p.length; i++) p[i] -= pointsLps[i];
    return p;
  }

  async evaluateInverse(pointsLps: Float64Array, options?: InversionOptions): Promise<InverseEvaluation> {
    const x = Float64Array.from(pointsLps);
    let iterations = 0;
    let unconverged = 0;
    // How many steps' inverses are approximate, and the last step's when it is one (it runs first, at the targets).
    let inexactSteps = 0;
    let lastStepInexact: InverseEvaluation | undefined;
    for (let s = this.steps.length - 1; s >= 0; s--) {
      const r = await this.steps[s].evaluateInverse(x, options);
      for (let i = 0; i < x.length; i++) x[i] += r.displacementsLps[i];
      iterations += r.iterations;
      unconverged += r.unconverged;
      if (r.iterations > 0 || r.maxResidualMm > 0) {
        inexactSteps++;
        if (s === this.steps.length - 1) lastStepInexact = r;
      }
    }
    const displacementsLps = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) displacementsLps[i] = x[i] - pointsLps[i];
    if (inexactSteps === 0) return { displacementsLps, maxResidualMm: 0, meanResidualMm: 0, unconverged: 0, iterations: 0 };
    // Only the last step is approximate (the usual affine-then-non-linear chain): the exact inverses after it map its
    // solution z back exactly, so φ(x) = ψ(z) and the chain's residual is that step's own — no forward pass needed.
    if (inexactSteps === 1 && lastStepInexact) {
      return { displacementsLps, maxResidualMm: lastStepInexact.maxResidualMm, meanResidualMm: lastStepInexact.meanResidualMm, unconverged, iterations };
    }
    const u = await this.evaluate(x);
    let maxRes = 0;
    let sum = 0;
    for (let i = 0; i < x.length; i += 3) {
      const ex = x[i] + u[i] - pointsLps[i];
      const ey = x[i + 1] + u[i + 1] - pointsLps[i + 1];
      const ez = x[i + 2] + u[i + 2] - pointsLps[i + 2];
      const res = Math.sqrt(ex * ex + ey * ey + ez * ez);
      if (res > maxRes) maxRes = res;
      sum += res;
    }
    const n = x.length / 3;
    return { displacementsLps, maxResidualMm: maxRes, meanResidualMm: n > 0 ? sum / n : 0, unconverged, iterations };
  }
}

/** The pipeline's usual chain: the linear pre-alignment first, then a non-linear step defined in fixed space. */
export function linearThenNonLinear(linear: AffineDeformation, nonLinear: Deformation): ComposedDeformation {
  return new ComposedDeformation([linear, nonLinear]);
}

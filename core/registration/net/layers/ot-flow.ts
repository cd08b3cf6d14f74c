/**
 * A parameter-light optimal-transport matching layer, in the spirit of FLOT (Puy, Boulch & Marlet 2020, "FLOT:
 * Scene Flow on Point Clouds Guided by Optimal Transport") and RobOT (Shen et al. 2021): unbalanced entropic OT
 * between the source and target points of a level, with the cost
 *   C_ij = ½|x_i − y_j|² + ½|P f_i − P g_j|²
 * (P a learned projection of the features, initialised to zero so that the layer starts as pure geometric OT),
 * solved by log-domain Sinkhorn iterations with ε-scaling (GeomLoss conventions, Feydy et al. 2019: ε = blur²,
 * ρ = reach², the blur divided by √2 per iteration from the cloud diameter down to `blur`, then a few more
 * iterations). Gradients flow through the final plan, not through the iterations (see `call`).
 * Outputs per source point [B, N, 4]: the barycentric flow ŷ_i − x_i (ŷ_i the plan-weighted mean of the
 * targets) and log(r_i / a_i), the log of the transported mass ratio (≈ 0 where matched, ≪ 0 for points the
 * unbalanced plan leaves out: outliers, dropped-out regions).
 * Inputs: [srcXyz [B,N,3], srcFeat [B,N,C], tgtXyz [B,M,3], tgtFeat [B,M,C]]. Uniform masses.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { linear, logSumExpKeep } from '../graph-ops.ts';
import type { AddWeight } from './mlp-weights.ts';

type Shape = (number | null)[];
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

export type OtFlowArgs = LayerArgs & {
  /** Final blur (normalised units). */
  blur: number;
  /** Marginal relaxation reach (normalised units); ρ = reach². */
  reach: number;
  /** Starting blur of the ε-scaling (≥ the clouds' diameter). */
  diameter: number;
  /** Width of the learned feature projection. */
  featureWidth: number;
};

/** Pairwise ½|a_i − b_j|² for a [B,N,D], b [B,M,D] → [B,N,M]. */
function halfSquaredDistances(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [bs, m] = b.shape as number[];
  const aa = tf.sum(tf.square(a), -1, true);
  const bb = tf.reshape(tf.sum(tf.square(b), -1), [bs, 1, m]);
  return tf.relu(tf.sub(tf.mul(tf.add(aa, bb), 0.5), tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true)));
}

/** The blur schedule: diameter, diameter/√2, … down to blur (inclusive), then `extra` more at blur. */
export function blurSchedule(diameter: number, blur: number, extra = 3): number[] {
  const out: number[] = [];
  for (let s = Math.max(diameter, blur); s > blur; s /= Math.SQRT2) out.push(s);
  for (let k = 0; k <= extra; k++) out.push(blur);
  return out;
}

/**
 * Unbalanced log-domain Sinkhorn with ε-scaling on a fixed cost [B,N,M] (no gradient flows through it):
 *   g_j = −τ ε LSE_i(log a + (f_i − C_ij)/ε),  f_i = −τ ε LSE_j(log b + (g_j − C_ij)/ε),  τ = ρ/(ρ + ε).
 * Returns f [B,N,1] and g [B,1,M] at the last ε of the schedule (blurs, ε = blur²).
 */
function sinkhornPotentials(cost: tf.Tensor, logA: number, logB: number, rho: number, schedule: number[]): [tf.Tensor, tf.Tensor] {
  const solve = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const c = args[0] as tf.Tensor;
    const [b, n, m] = c.shape as number[];
    const value = tf.tidy(() => {
      let f: tf.Tensor = tf.zeros([b, n, 1]);
      let g: tf.Tensor = tf.zeros([b, 1, m]);
      for (const blur of schedule) {
        const eps = blur * blur;
        const tau = rho / (rho + eps);
        g = tf.sub(tf.mul(logSumExpKeep(tf.div(tf.sub(f, c), eps), 1), -tau * eps), tau * eps * logA);
        f = tf.sub(tf.mul(logSumExpKeep(tf.div(tf.sub(g, c), eps), 2), -tau * eps), tau * eps * logB);
      }
      // Packed as one tensor [B, N + M, 1]: f, then g as a column.
      return tf.concat([f, tf.reshape(g, [b, m, 1])], 1);
    });
    return { value, gradFunc: () => tf.zerosLike(c) };
  });
  const packed = solve(cost);
  const [b, n, m] = cost.shape as number[];
  const f = tf.slice(packed, [0, 0, 0], [b, n, 1]);
  const g = tf.reshape(tf.slice(packed, [0, n, 0], [b, m, 1]), [b, 1, m]);
  return [f, g];
}

export class OtFlow extends tfl.layers.Layer {
  static className = 'MongeOtFlow';
  readonly blur: number;
  readonly reach: number;
  readonly diameter: number;
  readonly featureWidth: number;
  private projection?: LayerVariable;

  constructor(args: OtFlowArgs) {
    super(args);
    this.blur = args.blur;
    this.reach = args.reach;
    this.diameter = args.diameter;
    this.featureWidth = args.featureWidth;
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = (inputShape as Shape[])[1][2] as number;
    this.projection = (this.addWeight.bind(this) as AddWeight)('projection', [c, this.featureWidth], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (inputShape as Shape[])[0];
    return [s[0], s[1], 4];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, fx, y, fy] = inputs as tf.Tensor[];
      const n = x.shape[1] as number;
      const m = y.shape[1] as number;
      const p = this.projection!.read();
      const cost = tf.add(halfSquaredDistances(x, y), halfSquaredDistances(linear(fx, p), linear(fy, p)));
      const logA = -Math.log(n);
      const logB = -Math.log(m);
      const rho = this.reach * this.reach;
      const schedule = blurSchedule(this.diameter, this.blur);
      const eps = this.blur * this.blur;
      // The Sinkhorn loop runs without gradient, the final plan with it: backpropagation sees the plan's direct
      // dependence on the cost (the row softmax) but not the potentials' — an approximate gradient that spares
      // differentiating through every iteration (training time), and still trains the feature projection.
      const [f, g] = sinkhornPotentials(cost, logA, logB, rho, schedule);
      // Row-normalised plan and transported mass ratio at the final ε.
      const scores = tf.div(tf.sub(g, cost), eps);
      const lse = tf.add(logSumExpKeep(scores, 2), logB);
      const logRatio = tf.clipByValue(tf.add(tf.div(f, eps), lse), -10, 10);
      const w = tf.softmax(scores, -1);
      const flow = tf.sub(tf.matMul(w as tf.Tensor3D, y as tf.Tensor3D), x);
      return tf.concat([flow, logRatio], -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), blur: this.blur, reach: this.reach, diameter: this.diameter, featureWidth: this.featureWidth };
  }
}

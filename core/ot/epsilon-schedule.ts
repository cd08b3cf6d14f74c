/**
 * ε-scaling (simulated annealing) schedule, exactly GeomLoss's `epsilon_schedule` (geomloss/sinkhorn_divergence.py,
 * Feydy et al. 2019; Kosowsky & Yuille 1994; Schmitzer 2019):
 *
 *   ε_list = [diameterᵖ] + [exp(e) for e in arange(p·log(diameter), p·log(blur), p·log(scaling))] + [blurᵖ]
 *
 * i.e. ε starts at the diameter of the problem (every pair is "close", the plan is nearly a⊗b) and decreases by
 * the factor scalingᵖ per step down to the target blurᵖ. The first value appears twice, as in GeomLoss.
 */
import type { CostExponent } from '../kernels/types.ts';

/**
 * Diameter of the problem, GeomLoss `max_diameter`: the length of the diagonal of the bounding box of both clouds
 * (`dim` coordinates per point). 0 for identical single points.
 */
export function diameterOf(x: Float32Array, y: Float32Array, dim: number): number {
  const lo = new Float64Array(dim).fill(Infinity);
  const hi = new Float64Array(dim).fill(-Infinity);
  for (const cloud of [x, y]) {
    for (let o = 0; o < cloud.length; o += dim) {
      for (let d = 0; d < dim; d++) {
        const v = cloud[o + d];
        if (v < lo[d]) lo[d] = v;
        if (v > hi[d]) hi[d] = v;
      }
    }
  }
  let acc = 0;
  for (let d = 0; d < dim; d++) if (hi[d] > lo[d]) acc += (hi[d] - lo[d]) ** 2;
  return Math.sqrt(acc);
}

/**
 * The ε list. `diameter` is clamped below by `blur` (a problem smaller than its blur needs no annealing: the list
 * is then [blurᵖ, blurᵖ]).
 */
export function epsilonSchedule(p: CostExponent, diameter: number, blur: number, scaling: number): number[] {
  if (!(blur > 0 && Number.isFinite(blur))) throw new RangeError(`ot: blur must be finite and > 0 (got ${blur})`);
  if (!(scaling > 0 && scaling < 1)) throw new RangeError(`ot: scaling must be in (0, 1) (got ${scaling})`);
  const diam = Math.max(diameter, blur);
  const start = p * Math.log(diam);
  const stop = p * Math.log(blur);
  const step = p * Math.log(scaling);
  const list = [diam ** p];
  // numpy.arange(start, stop, step) with step < 0: start + k·step for k = 0, 1, … while > stop.
  const count = Math.max(0, Math.ceil((stop - start) / step));
  for (let k = 0; k < count; k++) list.push(Math.exp(start + k * step));
  list.push(blur ** p);
  return list;
}

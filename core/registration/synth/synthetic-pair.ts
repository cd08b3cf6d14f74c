/**
 * One synthetic registration pair with ground truth, a pure function of (shape, preset, seed):
 *
 *   1. sample the source and the target pre-images on the shape INDEPENDENTLY (no index correspondence);
 *   2. augment both with one random map A (scaling, mirror, rotation, base field: a new shape, no ground truth);
 *   3. draw the deformation φ (random-deformation.ts) on the augmented points; target = φ(A(target samples));
 *   4. corrupt each cloud independently: noise, dropout, outliers (corruption.ts), then shuffle.
 *
 * The ground truth is φ(p) − p at every source point p as given (noise included), so warping the source by it
 * lands on the deformed shape; source outliers carry φ(p) − p too but are flagged, since nothing corresponds to them.
 */
import { addNoise, dropoutKeep, randomOutliers, randomPermutation, takeRows } from './corruption.ts';
import type { SynthPreset } from './presets.ts';
import { createRandom } from './random.ts';
import { randomAugmentation, randomDeformation } from './random-deformation.ts';
import { mapDisplacement, type SmoothMap } from './smooth-map.ts';
import { sampleShape, type SynthShape } from './synth-shape.ts';

export interface SyntheticPair {
  /** Source (moving) points, N×3 mm. */
  source: Float64Array;
  /** Target (fixed) points, M×3 mm. */
  target: Float64Array;
  /** Ground-truth displacement φ(p) − p of every source point, N×3 mm. */
  displacement: Float64Array;
  /** 1 where a source / target point is an outlier. */
  sourceOutlier: Uint8Array;
  targetOutlier: Uint8Array;
  /** The ground-truth map (in the augmented space the clouds live in). */
  deformation: SmoothMap;
  /** What was drawn, for reports. */
  info: { globalAmplitudeMm: number; rotationDeg: number; localKernels: number };
}

export interface SyntheticPairOptions {
  /** Points sampled per cloud (default preset.samplesPerCloud). */
  samples?: number;
  /** Skip noise, dropout and outliers (default false). */
  clean?: boolean;
  /** Skip the shape augmentation (default false). */
  noAugment?: boolean;
}

/** Draws the pair for `seed`. */
export function syntheticPair(shape: SynthShape, preset: SynthPreset, seed: number, options: SyntheticPairOptions = {}): SyntheticPair {
  const random = createRandom(seed);
  const count = options.samples ?? preset.samplesPerCloud;
  const sourceRaw = sampleShape(shape, count, random);
  const targetRaw = sampleShape(shape, count, random);

  // Augmentation: one map for both clouds and the reference points; directions follow its linear part.
  const ns = sourceRaw.length / 3;
  const nt = targetRaw.length / 3;
  let both = concatRows(sourceRaw, targetRaw);
  let reference = shape.reference;
  let direction = shape.referenceDirection;
  if (!options.noAugment) {
    const aug = randomAugmentation(concatRows(both, shape.reference), ns + nt, preset, random);
    both = aug.mapped.slice(0, 3 * (ns + nt));
    reference = aug.mapped.slice(3 * (ns + nt));
    direction = new Float64Array(shape.referenceDirection.length);
    const L = aug.map.linear;
    const d = shape.referenceDirection;
    for (let i = 0; i < direction.length; i += 3) {
      const x = L[0] * d[i] + L[1] * d[i + 1] + L[2] * d[i + 2];
      const y = L[3] * d[i] + L[4] * d[i + 1] + L[5] * d[i + 2];
      const z = L[6] * d[i] + L[7] * d[i + 1] + L[8] * d[i + 2];
      const r = Math.hypot(x, y, z) || 1;
      direction[i] = x / r;
      direction[i + 1] = y / r;
      direction[i + 2] = z / r;
    }
  }

  const drawn = randomDeformation(both, reference, direction, shape.referenceLinearity, preset, random);
  const phi = drawn.map;
  let source: Float64Array = both.slice(0, 3 * ns);
  let target: Float64Array = drawn.mapped.slice(3 * ns);
  let sourceOutlier = new Uint8Array(source.length / 3);
  let targetOutlier = new Uint8Array(target.length / 3);
  if (!options.clean) {
    addNoise(source, preset.noiseMm, random);
    addNoise(target, preset.noiseMm, random);
    source = takeRows(source, dropoutKeep(source, preset.dropout, random));
    target = takeRows(target, dropoutKeep(target, preset.dropout, random));
    const so = randomOutliers(source, preset.outliers, random);
    const to = randomOutliers(target, preset.outliers, random);
    source = concatRows(source, so);
    target = concatRows(target, to);
    sourceOutlier = new Uint8Array(source.length / 3);
    sourceOutlier.fill(1, (source.length - so.length) / 3);
    targetOutlier = new Uint8Array(target.length / 3);
    targetOutlier.fill(1, (target.length - to.length) / 3);
  }
  const ps = randomPermutation(source.length / 3, random);
  const pt = randomPermutation(target.length / 3, random);
  source = takeRows(source, ps);
  target = takeRows(target, pt);
  sourceOutlier = Uint8Array.from(ps, (i) => sourceOutlier[i]);
  targetOutlier = Uint8Array.from(pt, (i) => targetOutlier[i]);
  return {
    source,
    target,
    displacement: mapDisplacement(phi, source),
    sourceOutlier,
    targetOutlier,
    deformation: phi,
    info: drawn.info,
  };
}

function concatRows(a: Float64Array, b: Float64Array): Float64Array {
  if (b.length === 0) return a;
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

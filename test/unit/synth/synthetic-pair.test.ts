// Synthetic pairs: deterministic for a seed, independent resampling, ground truth that carries the source onto
// the deformed shape, smooth and fold-free deformations for both presets, amplitudes within the presets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../../core/registration/synth/random.ts';
import {
  applyMap,
  jacobianDeterminants,
  prepareSynthShape,
  sampleShape,
  syntheticPair,
  SYNTH_PRESETS,
  type SynthShape,
} from '../../../core/registration/synth/index.ts';
import { branchCloud, ellipsoidMesh } from './shapes.ts';

// A lung-sized shape (two lungs ~ 300 mm across as one ellipsoid) and a brain-sized one.
const lung = prepareSynthShape(ellipsoidMesh(150, 100, 130, [0, 20, -60]), 'lung-ellipsoid');
const brain = prepareSynthShape(ellipsoidMesh(70, 90, 60), 'brain-ellipsoid');
const tree = prepareSynthShape({ pointsLps: branchCloud(0.5) }, 'tree');

function nearestDistance(p: Float64Array, i: number, cloud: Float64Array): number {
  let best = Infinity;
  for (let j = 0; j < cloud.length; j += 3) best = Math.min(best, (cloud[j] - p[3 * i]) ** 2 + (cloud[j + 1] - p[3 * i + 1]) ** 2 + (cloud[j + 2] - p[3 * i + 2]) ** 2);
  return Math.sqrt(best);
}

test('a pair is a pure function of its seed', () => {
  const a = syntheticPair(lung, SYNTH_PRESETS.lung, 42);
  const b = syntheticPair(lung, SYNTH_PRESETS.lung, 42);
  const c = syntheticPair(lung, SYNTH_PRESETS.lung, 43);
  assert.deepEqual(a.source, b.source);
  assert.deepEqual(a.target, b.target);
  assert.deepEqual(a.displacement, b.displacement);
  assert.deepEqual(a.sourceOutlier, b.sourceOutlier);
  assert.notDeepEqual(a.displacement.subarray(0, 30), c.displacement.subarray(0, 30));
});

test('source and target are sampled independently: no point of one is a point of the other warped', () => {
  const p = syntheticPair(lung, SYNTH_PRESETS.lung, 5, { clean: true, noAugment: true });
  // Warped source points land on the deformed surface, but not on target points (independent samples).
  let exact = 0;
  for (let i = 0; i < p.source.length / 3; i += 16) {
    const w = Float64Array.of(p.source[3 * i] + p.displacement[3 * i], p.source[3 * i + 1] + p.displacement[3 * i + 1], p.source[3 * i + 2] + p.displacement[3 * i + 2]);
    if (nearestDistance(w, 0, p.target) < 1e-6) exact++;
  }
  assert.equal(exact, 0);
});

test('the ground truth carries the source onto the deformed shape (clean pair)', () => {
  for (const [shape, preset] of [
    [lung, SYNTH_PRESETS.lung],
    [brain, SYNTH_PRESETS.brain],
  ] as const) {
    const p = syntheticPair(shape, preset, 11, { clean: true, noAugment: true });
    // Reference: a fresh independent sample of the shape, mapped by the recorded φ, is as far from the target
    // cloud as two independent samples of one surface are. The warped source must be just as close.
    const fresh = applyMap(p.deformation, sampleShape(shape, p.source.length / 3, createRandom(99)));
    const warped = Float64Array.from(p.source, (v, i) => v + p.displacement[i]);
    const meanNearest = (cloud: Float64Array): number => {
      let sum = 0;
      let count = 0;
      for (let i = 0; i < cloud.length / 3; i += 8, count++) sum += nearestDistance(cloud, i, p.target);
      return sum / count;
    };
    const ref = meanNearest(fresh);
    const got = meanNearest(warped);
    const before = meanNearest(p.source);
    assert.ok(got < 1.15 * ref, `${shape.name}: warped source ${got} mm from the target, independent samples ${ref} mm`);
    assert.ok(before > 1.5 * ref, `${shape.name}: the deformation must move the shape off itself (${before} mm)`);
    // Applying the recorded map to the source reproduces the displacement.
    const mapped = applyMap(p.deformation, p.source);
    for (let i = 0; i < 30; i++) assert.ok(Math.abs(mapped[i] - warped[i]) < 1e-9);
  }
});

/** Points near the shape: fresh surface samples pushed ±3 mm along random directions. */
function nearShape(shape: SynthShape, seed: number): Float64Array {
  const r = createRandom(seed);
  const pts = sampleShape(shape, 3000, r);
  for (let i = 0; i < pts.length; i++) pts[i] += r.uniform(-3, 3);
  return pts;
}

test('preset deformations are smooth and fold-free: det Dφ bounded away from 0 on and near the shape', () => {
  for (const [shape, preset] of [
    [lung, SYNTH_PRESETS.lung],
    [brain, SYNTH_PRESETS.brain],
    [tree, SYNTH_PRESETS.lung],
  ] as const) {
    let lowest = Infinity;
    let highest = 0;
    for (let seed = 0; seed < 6; seed++) {
      const p = syntheticPair(shape, preset, 100 + seed, { noAugment: true });
      for (const pts of [p.source, nearShape(shape, seed)]) {
        const det = jacobianDeterminants(p.deformation, pts);
        for (const d of det) {
          lowest = Math.min(lowest, d);
          highest = Math.max(highest, d);
        }
      }
    }
    // The generator enforces det ≥ preset.minJacobian (0.25) at its drawing points; between them the field stays smooth.
    assert.ok(lowest > 0.15, `${shape.name}: min det ${lowest}`);
    assert.ok(highest < 4, `${shape.name}: max det ${highest}`);
  }
});

test('amplitudes stay within the preset: global ≤ max, rigid rotation ≤ max, local kernels as many as asked', () => {
  for (let seed = 0; seed < 5; seed++) {
    const p = syntheticPair(lung, SYNTH_PRESETS.lung, 200 + seed, { clean: true });
    assert.ok(p.info.globalAmplitudeMm <= SYNTH_PRESETS.lung.global.maxAmplitudeMm + 2 * SYNTH_PRESETS.lung.local.maxAmplitudeMm * Math.sqrt(3));
    assert.ok(p.info.rotationDeg <= SYNTH_PRESETS.lung.rigid.maxRotationDeg);
    assert.equal(p.info.localKernels, SYNTH_PRESETS.lung.local.count);
    // Largest displacement: global + local + rotation of up to 5° at ≤ ~250 mm + translation ≤ 10 mm.
    let largest = 0;
    for (let i = 0; i < p.displacement.length; i += 3) largest = Math.max(largest, Math.hypot(p.displacement[i], p.displacement[i + 1], p.displacement[i + 2]));
    assert.ok(largest < 25 + 6 + 250 * Math.sin((5 * Math.PI) / 180) + 10, `largest ${largest}`);
    assert.ok(largest > 3);
  }
});

test('corruption: noise, dropout and flagged outliers on both sides', () => {
  let outliers = 0;
  let sizes = new Set<number>();
  for (let seed = 0; seed < 8; seed++) {
    const p = syntheticPair(brain, SYNTH_PRESETS.brain, 300 + seed);
    outliers += p.sourceOutlier.reduce((s, v) => s + v, 0) + p.targetOutlier.reduce((s, v) => s + v, 0);
    sizes = new Set([...sizes, p.source.length / 3, p.target.length / 3]);
    assert.equal(p.sourceOutlier.length, p.source.length / 3);
    assert.equal(p.displacement.length, p.source.length);
    assert.ok(p.source.length / 3 <= SYNTH_PRESETS.brain.samplesPerCloud * 1.02);
  }
  assert.ok(outliers > 0, 'some outliers over 8 pairs');
  assert.ok(sizes.size > 4, 'dropout changes the cloud sizes');
});

test('local motion is anisotropic along line-like structures', () => {
  // The tree's reference points are line-like: every local kernel centred on a branch interior is stretched.
  const lin = tree.referenceLinearity;
  const lineLike = lin.filter((v) => v > SYNTH_PRESETS.lung.local.linearityThreshold).length;
  assert.ok(lineLike / lin.length > 0.8, `line-like fraction ${lineLike / lin.length}`);
  const p = syntheticPair(tree, SYNTH_PRESETS.lung, 7, { clean: true, noAugment: true });
  const prec = p.deformation.field.precision;
  // Global kernels are isotropic; anisotropic kernels have unequal eigenvalues: count precisions with off-diagonal terms
  // or unequal diagonal entries.
  let anisotropic = 0;
  for (let j = 0; j < prec.length; j += 6) {
    const offDiagonal = Math.abs(prec[j + 1]) + Math.abs(prec[j + 2]) + Math.abs(prec[j + 4]);
    const spread = Math.max(prec[j], prec[j + 3], prec[j + 5]) - Math.min(prec[j], prec[j + 3], prec[j + 5]);
    if (offDiagonal + spread > 1e-6) anisotropic++;
  }
  assert.ok(anisotropic > 0.8 * SYNTH_PRESETS.lung.local.count, `anisotropic kernels ${anisotropic}`);
});

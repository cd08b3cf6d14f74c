import assert from 'node:assert/strict';
import { KernelDisplacement } from '../../../core/field/kernel-displacement.ts';
import type { GridLps } from '../../../core/field/types.ts';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { mulberry32 } from '../../../core/shape/index.ts';

/** Row-major 3×3 R = Rz(a)·Rx(b) (degrees): not symmetric, so a transposition would show. */
export function rotation3(aDeg: number, bDeg: number): number[] {
  const a = (aDeg * Math.PI) / 180;
  const b = (bDeg * Math.PI) / 180;
  const rz = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out.push(rz[3 * r] * rx[c] + rz[3 * r + 1] * rx[3 + c] + rz[3 * r + 2] * rx[6 + c]);
  return out;
}

/** An oblique, anisotropic grid with a non-zero origin (every geometry term matters). */
export function obliqueGrid(size: [number, number, number] = [14, 12, 10]): GridLps {
  return { size, spacingMm: [2.5, 2, 3], originLps: [-30.5, 12.25, -7], directionLps: Float64Array.from(rotation3(20, -15)) };
}

/** A smooth multi-scale Gaussian kernel displacement of moderate size (|u| ≲ 4 mm, |∇u| ≲ 0.3) around `centre`. */
export function smoothKernelDisplacement(centre: [number, number, number], seed = 7, amplitudeMm = 2.5): KernelDisplacement {
  const rand = mulberry32(seed);
  const m = 12;
  const centres = new Float64Array(3 * m);
  const alpha = new Float64Array(3 * m);
  for (let k = 0; k < m; k++) {
    for (let c = 0; c < 3; c++) {
      centres[3 * k + c] = centre[c] + (rand() - 0.5) * 40;
      alpha[3 * k + c] = (rand() - 0.5) * 2 * amplitudeMm;
    }
  }
  return new KernelDisplacement({ centresLps: centres, coefficientsLps: alpha, sigmasMm: [12, 24], weights: [0.6, 0.4], engine: new JsEngine() });
}

/** Float64 reference of u(x) = Σ_k Σ_s w_s exp(−|x − c_k|²/2σ_s²) α_k, written out independently of the engines. */
export function kernelReference(model: KernelDisplacement, x: readonly number[]): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  const m = model.centresLps.length / 3;
  for (let k = 0; k < m; k++) {
    const d2 = (x[0] - model.centresLps[3 * k]) ** 2 + (x[1] - model.centresLps[3 * k + 1]) ** 2 + (x[2] - model.centresLps[3 * k + 2]) ** 2;
    let kv = 0;
    for (let s = 0; s < model.sigmasMm.length; s++) kv += model.weights[s] * Math.exp(-d2 / (2 * model.sigmasMm[s] ** 2));
    for (let c = 0; c < 3; c++) out[c] += kv * model.coefficientsLps[3 * k + c];
  }
  return out;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

/** Largest |a_i − b_i| over 3-vectors, as a Euclidean norm per point. */
export function maxPointError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 3) max = Math.max(max, Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1], a[i + 2] - b[i + 2]));
  return max;
}

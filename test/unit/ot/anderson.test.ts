/**
 * Anderson acceleration of the final Sinkhorn loop (core/ot/anderson.ts), on fixed-point maps with a known
 * solution: it must converge where the plain iteration does, much faster when the plain iteration crawls, and
 * fall back to plain steps rather than diverge.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Anderson } from '../../../core/ot/anderson.ts';

const N = 200;
const weights = new Float64Array(N).fill(1 / N);

/** G(u) = u* + M(u − u*) with M symmetric, eigenvalues in [0, ρmax] (a slowly contracting linear map). */
function slowMap(rhoMax: number): { G: (u: Float64Array) => Float64Array; solution: Float64Array } {
  const solution = Float64Array.from({ length: N }, (_, i) => Math.sin(i));
  // M = Σ_k λ_k v_k v_kᵀ with cosine modes v_k (orthonormal), λ_k spread up to ρmax
  const modes = Array.from({ length: N }, (_, k) => Float64Array.from({ length: N }, (_, i) => Math.sqrt((k === 0 ? 1 : 2) / N) * Math.cos((Math.PI * k * (i + 0.5)) / N)));
  const lambda = Float64Array.from({ length: N }, (_, k) => rhoMax * (1 - k / N));
  const G = (u: Float64Array): Float64Array => {
    const e = u.map((v, i) => v - solution[i]);
    const out = Float64Array.from(solution);
    for (let k = 0; k < N; k++) {
      let c = 0;
      for (let i = 0; i < N; i++) c += modes[k][i] * e[i];
      c *= lambda[k];
      for (let i = 0; i < N; i++) out[i] += c * modes[k][i];
    }
    return out;
  };
  return { G, solution };
}

function error(u: Float64Array, solution: Float64Array): number {
  let e = 0;
  for (let i = 0; i < N; i++) e = Math.max(e, Math.abs(u[i] - solution[i]));
  return e;
}

function iterationsTo(target: number, G: (u: Float64Array) => Float64Array, solution: Float64Array, accelerate: boolean, cap = 5000): number {
  let u: Float64Array = new Float64Array(N);
  const aa = new Anderson(weights);
  for (let it = 1; it <= cap; it++) {
    const mapped = G(u);
    const residual = error(mapped, u);
    u = accelerate ? aa.next(u, mapped, residual) : mapped;
    if (error(u, solution) < target) return it;
  }
  return cap;
}

test('Anderson reaches 1e-9 on a slowly contracting map in a fraction of the plain iterations', () => {
  const { G, solution } = slowMap(0.98);
  const plain = iterationsTo(1e-9, G, solution, false);
  const accelerated = iterationsTo(1e-9, G, solution, true);
  console.log(`plain ${plain}, Anderson ${accelerated} iterations`);
  assert.ok(plain > 500, `plain needed ${plain}`);
  assert.ok(accelerated < plain / 5, `accelerated needed ${accelerated} (plain ${plain})`);
});

test('Anderson falls back to plain steps on a history that blows up, and still converges', () => {
  const { G, solution } = slowMap(0.5);
  // every fifth call reports a huge error: the history restarts and that step is plain
  let u: Float64Array = new Float64Array(N);
  const aa = new Anderson(weights);
  for (let it = 1; it <= 200; it++) {
    const mapped = G(u);
    u = aa.next(u, mapped, it % 5 === 0 ? 1e6 : error(mapped, u));
    assert.ok(u.every(Number.isFinite));
  }
  assert.ok(aa.plainSteps >= 40, `${aa.plainSteps} plain steps`);
  assert.ok(error(u, solution) < 1e-8, `error ${error(u, solution)}`);
});

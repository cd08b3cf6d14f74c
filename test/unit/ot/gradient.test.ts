/**
 * Closed-form gradients of S_ε (core/ot/gradient.ts) against central finite differences of the solver's own
 * value, along random directions (all points / all masses at once, so the signal dwarfs float32 noise).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { sinkhornDivergence, type DivergenceOptions } from '../../../core/ot/index.ts';
import { gaussianCloud, randomMasses, rng } from './support/random.ts';

const engine = new JsEngine();
const N = 25;
const M = 30;
const x = gaussianCloud(N, 11);
const y = gaussianCloud(M, 12, 1.2, [0.6, 0.3, -0.4]);
const solve = { tol: 1e-6, maxIter: 5000 };

function direction(n: number, seed: number, zeroSum = false): Float64Array {
  const r = rng(seed);
  const v = Float64Array.from({ length: n }, () => r() * 2 - 1);
  if (zeroSum) {
    const mean = v.reduce((s, t) => s + t, 0) / n;
    for (let k = 0; k < n; k++) v[k] -= mean;
  }
  return v;
}

function dot(u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let k = 0; k < u.length; k++) s += u[k] * v[k];
  return s;
}

function axpy(u: Float64Array, h: number, v: Float64Array): Float64Array {
  return u.map((t, k) => t + h * v[k]);
}

type Which = 'x' | 'y' | 'a' | 'b';

/** Central difference of S along `v` for one argument, and the analytic directional derivative. */
async function check(which: Which, opts: DivergenceOptions, v: Float64Array, h: number): Promise<{ fd: number; analytic: number }> {
  const a0 = Float64Array.from(opts.a ?? new Float64Array(N).fill(1 / N));
  const b0 = Float64Array.from(opts.b ?? new Float64Array(M).fill(1 / M));
  const at = async (t: number): Promise<number> => {
    const args = {
      x: which === 'x' ? axpy(x, t, v) : x,
      y: which === 'y' ? axpy(y, t, v) : y,
      a: which === 'a' ? axpy(a0, t, v) : a0,
      b: which === 'b' ? axpy(b0, t, v) : b0,
    };
    return (await sinkhornDivergence(engine, args.x, args.y, { ...opts, a: args.a, b: args.b, ...solve })).value;
  };
  const fd = ((await at(h)) - (await at(-h))) / (2 * h);
  const r = await sinkhornDivergence(engine, x, y, { ...opts, a: a0, b: b0, ...solve, gradient: { [which]: true } });
  const grad = { x: r.gradX, y: r.gradY, a: r.gradA, b: r.gradB }[which]!;
  return { fd, analytic: dot(grad, v) };
}

function assertRel(fd: number, analytic: number, what: string): void {
  const err = Math.abs(fd - analytic) / Math.abs(fd);
  assert.ok(err < 1e-3, `${what}: finite difference ${fd}, closed form ${analytic} (relative error ${err})`);
}

test('∂S/∂x and ∂S/∂y match finite differences (balanced and unbalanced, non-uniform masses)', async () => {
  const a = randomMasses(N, 13);
  for (const [reach, b] of [
    [null, randomMasses(M, 14)],
    [0.9, randomMasses(M, 15, 1.6)],
  ] as const) {
    for (const which of ['x', 'y'] as const) {
      const v = direction(3 * (which === 'x' ? N : M), 16);
      const { fd, analytic } = await check(which, { blur: 0.5, reach, a, b }, v, 3e-3);
      assertRel(fd, analytic, `${which}, reach ${reach}`);
    }
  }
});

test('∂S/∂a, ∂S/∂b match finite differences; the unbalanced factor is ρ + ε, not ρ + ε/2', async () => {
  const a = randomMasses(N, 17);
  // balanced: only mass-preserving directions are admissible
  for (const which of ['a', 'b'] as const) {
    const n = which === 'a' ? N : M;
    const { fd, analytic } = await check(which, { blur: 0.5, a, b: randomMasses(M, 18) }, direction(n, 19, true), 1e-4);
    assertRel(fd, analytic, `balanced ${which}`);
  }
  // unbalanced, totals 1 and 1.6, free directions (the total mass changes too)
  const b = randomMasses(M, 20, 1.6);
  const blur = 0.5;
  const reach = 0.9;
  for (const which of ['a', 'b'] as const) {
    const n = which === 'a' ? N : M;
    const v = direction(n, 21);
    for (let k = 0; k < n; k++) v[k] += 0.5; // net mass change, exercising ε (m_b − m_a)
    const { fd, analytic } = await check(which, { blur, reach, a, b }, v, 1e-4);
    assertRel(fd, analytic, `unbalanced ${which}`);
  }
  // The slip: with the value's factor ρ + ε/2 in place of ρ + ε, i.e. subtracting (ε/2)⟨e^{−p/ρ} − e^{−f/ρ}, v⟩,
  // the gradient would be off by far more than the tolerance. Measure that gap on the same problem.
  const eps = blur ** 2;
  const rho = reach ** 2;
  const r = await sinkhornDivergence(engine, x, y, { blur, reach, a, b, ...solve, gradient: { a: true } });
  const v = direction(N, 22);
  // (ρ + ε)(e^{−p/ρ} − e^{−f/ρ}) = gradA − ε(m_b − m_a); the slipped version scales that part by (ρ + ε/2)/(ρ + ε)
  const shift = eps * (1.6 - 1);
  const part = r.gradA!.map((g) => g - shift);
  const slipped = part.map((g) => (g * (rho + eps / 2)) / (rho + eps) + shift);
  const { fd } = await check('a', { blur, reach, a, b }, v, 1e-4);
  assert.ok(Math.abs(dot(slipped, v) - fd) / Math.abs(fd) > 1e-2, 'the ρ + ε/2 gradient should be visibly wrong');
});

test('∂S/∂x with a feature-augmented cost moves only xyz', async () => {
  const rx = Float64Array.from({ length: N }, (_, i) => Math.sin(3 * i));
  const ry = Float64Array.from({ length: M }, (_, j) => Math.cos(2 * j));
  const features = { x: [rx], y: [ry], weights: [0.7] };
  const { fd, analytic } = await check('x', { blur: 0.5, features }, direction(3 * N, 23), 3e-3);
  assertRel(fd, analytic, 'features');
});

test('point gradients are refused for p = 1', async () => {
  await assert.rejects(sinkhornDivergence(engine, x, y, { blur: 0.5, p: 1, gradient: true }), RangeError);
  // the mass gradient is available for p = 1
  const r = await sinkhornDivergence(engine, x, y, { blur: 0.5, p: 1, gradient: { a: true } });
  assert.equal(r.gradA!.length, N);
});

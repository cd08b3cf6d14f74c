/**
 * The solver against POT 0.8.2 (Python Optimal Transport), reference values from
 * test/fixtures/ot/make_fixtures.py (synthetic clouds, copd1 lung vessels ×100 → mm, fsaverage5 white vs pial).
 *
 * Convention conversion (details in make_fixtures.py): POT's cost matrix is M = ½|x − y|² and reg = ε = blur²,
 * reg_m = ρ = reach². POT's `sinkhorn2` returns ⟨γ, M⟩ only (its entropy Σ γ log γ differs from our
 * ε KL(π | a⊗b) by the constant ⟨a, log a⟩ + ⟨b, log b⟩ under the marginal constraints, so the plans coincide);
 * the fixture stores that number (`transport`, compared with our ⟨π, C⟩) and our full objective
 * OT_ε = ⟨γ, M⟩ + ε KL(γ | a⊗b) evaluated on POT's plan (`entropic`). POT's unbalanced solver uses the entropy
 * Σ γ (log γ − 1) relative to 1⊗1; it is called with a' = a^(1+ε/ρ), b' = b^(1+ε/ρ), which makes its plan ours,
 * and `entropic` adds ρ KL(γ1 | a) + ρ KL(γᵀ1 | b). The debiased S_ε comes from POT's plans of the three problems.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { sinkhornDivergence, solveOT } from '../../../core/ot/index.ts';
import { needsSharedData } from '../../support/data.ts';
import { caseMasses, casePoints, loadFixture, type ReferenceCase } from './support/cases.ts';

const engine = new JsEngine();
const fixture = loadFixture();

function relErr(value: number, reference: number): number {
  return Math.abs(value - reference) / Math.abs(reference);
}

function entropy(w: Float64Array): number {
  let total = 0;
  for (const v of w) total += v;
  let h = 0;
  for (const v of w) if (v > 0) h -= (v / total) * Math.log(v / total);
  return h;
}

const skipReal = (c: ReferenceCase): false | string => (c.files ? needsSharedData() : false);

/** (a) blur → 0: the cost of the entropic plan and S_ε reach ot.emd2 within 1 %. */
const EMD_BLURS: Record<string, { coarse: number; fine: number; divergence: boolean }> = {
  'blobs-60x80': { coarse: 0.2, fine: 0.1, divergence: true },
  'ball-box-500x400': { coarse: 2, fine: 1, divergence: false },
  'copd1-vessels-200': { coarse: 8, fine: 4, divergence: true },
  'fsaverage5-white-pial-200': { coarse: 3, fine: 1.5, divergence: true },
};

for (const c of fixture.cases) {
  const plan = EMD_BLURS[c.name];
  test(`${c.name}: entropic costs converge to POT's exact ot.emd2 as blur → 0`, { skip: skipReal(c) }, async () => {
    const { x, y } = casePoints(c);
    const { a, b } = caseMasses(c, x.length / 3, y.length / 3, false);
    const W = c.emd;
    const coarse = await solveOT(engine, x, y, { blur: plan.coarse, a, b, transportCost: true });
    const fine = await solveOT(engine, x, y, { blur: plan.fine, a, b, transportCost: true });
    assert.ok(fine.marginalError < 1e-3, `marginal error ${fine.marginalError}`);
    // ⟨π_ε, C⟩ (what POT's sinkhorn2 reports) is within 1 % of W, and closer than at the coarser blur.
    assert.ok(relErr(fine.transportCost!, W) < 0.01, `⟨π,C⟩ ${fine.transportCost} vs emd ${W}`);
    assert.ok(relErr(fine.transportCost!, W) < relErr(coarse.transportCost!, W));
    // OT_ε is sandwiched: W ≤ OT_ε ≤ ⟨π*, C⟩ + ε KL(π* | a⊗b) ≤ W + ε·min(H(a), H(b)) (π* the exact plan, whose
    // KL to a⊗b is a mutual information); and it decreases with blur.
    const eps = plan.fine ** 2;
    const upper = W + eps * Math.min(entropy(a), entropy(b));
    assert.ok(fine.cost <= upper * (1 + 1e-6), `OT_ε ${fine.cost} above the bound ${upper}`);
    assert.ok(fine.cost >= W * (1 - 1e-3), `OT_ε ${fine.cost} below emd ${W}`);
    assert.ok(fine.cost < coarse.cost);
    if (plan.divergence) {
      const s = await sinkhornDivergence(engine, x, y, { blur: plan.fine, a, b });
      assert.ok(relErr(s.value, W) < 0.01, `S_ε ${s.value} vs emd ${W}`);
    }
  });

  test(`${c.name}: equal-ε costs match POT's log-domain solvers to 1e-4`, { skip: skipReal(c) }, async () => {
    const { x, y } = casePoints(c);
    for (const [entries, unbalanced] of [[c.balanced, false], [c.unbalanced, true]] as const) {
      const { a, b } = caseMasses(c, x.length / 3, y.length / 3, unbalanced);
      for (const e of entries) {
        const options = { blur: e.blur, reach: e.reach, a, b, tol: 1e-5, maxIter: 5000 };
        const r = await solveOT(engine, x, y, { ...options, transportCost: true });
        const what = `${unbalanced ? 'unbalanced' : 'balanced'} blur ${e.blur} reach ${e.reach}`;
        assert.ok(relErr(r.cost, e.entropic) < 1e-4, `${what}: OT_ε ${r.cost} vs POT ${e.entropic}`);
        assert.ok(relErr(r.transportCost!, e.transport) < 1e-4, `${what}: ⟨π,C⟩ ${r.transportCost} vs POT ${e.transport}`);
        const s = await sinkhornDivergence(engine, x, y, options);
        assert.ok(relErr(s.value, e.divergence) < 1e-4, `${what}: S_ε ${s.value} vs POT ${e.divergence}`);
      }
    }
  });
}

// Acceptance of the shipped networks (assets/models/lung, assets/models/brain): on synthetic pairs of shapes NOT
// used in training — two DIR-Lab COPD lung mask surfaces for the lung model (trained on other lungs), the RIGHT
// fsaverage5 hemisphere (white, pial) for the brain model (trained on the left one and the MNE head) — the network
// alone, through the full inference path (pyramids, network, interpolation to every source point), reduces the
// mean endpoint error of the identity by at least 60 % (the acceptance line). 12 pairs per model (6 seeds × 2 shapes).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEngine, type CreatedEngine } from '../../../core/kernels/index.ts';
import { loadRegistrationNet, predictDisplacement } from '../../../core/registration/net/inference.ts';
import { loadTrainingShapes } from '../../../core/registration/net/training-data.ts';
import { syntheticPair, SYNTH_PRESETS, type SynthPresetName } from '../../../core/registration/synth/index.ts';
import { needsSharedData, REPO_ROOT, sharedPath } from '../../support/data.ts';

let created: CreatedEngine;
before(async () => {
  created = await createEngine('cpu');
});
after(async () => {
  await created.engine.dispose();
});

/** Seeds far from any training (f(seed, epoch, index)) or validation stream. */
const SEEDS = [910001, 910002, 910003, 910004, 910005, 910006];

async function reductionOn(model: string, preset: SynthPresetName, files: string[]): Promise<{ identity: number; net: number }> {
  const net = await loadRegistrationNet(join(REPO_ROOT, 'assets', 'models', model));
  assert.equal(net.manifest.preset, preset);
  const shapes = await loadTrainingShapes(files.map((path) => ({ path })));
  // None of these files was used for training.
  const trained = new Set([...net.manifest.training.data, ...(net.manifest.training.initFrom?.data ?? [])].map((d) => d.sha256));
  for (const s of shapes) assert.ok(!trained.has(s.record.sha256), `${s.record.file} was used in training`);
  let identity = 0;
  let predicted = 0;
  let pairs = 0;
  for (const { shape } of shapes) {
    for (const seed of SEEDS) {
      const pair = syntheticPair(shape, SYNTH_PRESETS[preset], seed);
      const { displacementLps } = await predictDisplacement(net, pair.source, pair.target, { engine: created.engine });
      let e0 = 0;
      let e1 = 0;
      let n = 0;
      for (let i = 0; i < pair.source.length / 3; i++) {
        if (pair.sourceOutlier[i]) continue;
        const u = [0, 1, 2].map((d) => pair.displacement[3 * i + d]);
        e0 += Math.hypot(u[0], u[1], u[2]);
        e1 += Math.hypot(u[0] - displacementLps[3 * i], u[1] - displacementLps[3 * i + 1], u[2] - displacementLps[3 * i + 2]);
        n++;
      }
      identity += e0 / n;
      predicted += e1 / n;
      pairs++;
    }
  }
  net.dispose();
  return { identity: identity / pairs, net: predicted / pairs };
}

// Lung model v9: 61.5 % measured (assets/models/lung/MODEL.md).
test('lung network: ≥ 60 % lower mean endpoint error on held-out lungs (COPD2, COPD3 inspiration masks)', { skip: needsSharedData() }, async () => {
  const r = await reductionOn('lung', 'lung', [sharedPath('lung', 'dirlab-copd', 'copd2_insp_lungmask.nii.gz'), sharedPath('lung', 'dirlab-copd', 'copd3_insp_lungmask.nii.gz')]);
  assert.ok(r.net <= 0.4 * r.identity, `mean EPE ${r.net.toFixed(2)} mm vs identity ${r.identity.toFixed(2)} mm (−${(100 * (1 - r.net / r.identity)).toFixed(1)} %)`);
});

test('brain network: ≥ 60 % lower mean endpoint error on the held-out right hemisphere (white, pial)', { skip: needsSharedData() }, async () => {
  const r = await reductionOn('brain', 'brain', [sharedPath('brain', 'fsaverage5', 'white_right.gii.gz'), sharedPath('brain', 'fsaverage5', 'pial_right.gii.gz')]);
  assert.ok(r.net <= 0.4 * r.identity, `mean EPE ${r.net.toFixed(2)} mm vs identity ${r.identity.toFixed(2)} mm (−${(100 * (1 - r.net / r.identity)).toFixed(1)} %)`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairFraction, pairShares } from '../../../core/batch/pair-progress.ts';
import type { RegisterRequest } from '../../../core/registration/types.ts';

const request = (steps?: RegisterRequest['steps']): RegisterRequest => ({ moving: 'm.nii.gz', fixed: 'f.nii.gz', outDir: 'out/p', ...(steps ? { steps } : {}) });

test("a pair's shares: the inputs, each step asked for (in the pipeline's order), the outputs, the thumbnails", () => {
  assert.deepEqual(
    pairShares(request(['finetune', 'prealign'])).map((s) => s[0]),
    ['reading inputs', 'prealign', 'finetune', 'prior', 'thumbnails'],
  );
  assert.deepEqual(pairShares(request()).map((s) => s[0]), ['reading inputs', 'prealign', 'net', 'finetune', 'prior', 'thumbnails']);
});

test('the reports of a lung pair, in the order they come, make a fraction that rises from 0 to 1', () => {
  const shares = pairShares(request(['prealign', 'net', 'finetune']));
  // As a COPD lung pair's worker reported them (throttled to one every 200 ms), then the thumbnails.
  const reports: [string, number][] = [
    ['reading inputs', 0], ['reading inputs', 0.4], ['reading inputs', 0.8], ['preparing clouds', 0], ['prealign', 0], ['prealign', 0.75], ['prealign', 1],
    ['net', 0], ['net', 0.8], ['net', 1], ['finetune', 0.05], ['finetune', 0.5], ['finetune', 1], ['writing outputs', 0.2], ['displacement field', 0.5],
    ['displacement field', 1], ['writing outputs', 0.7], ['done', 1], ['thumbnails', 0], ['thumbnails', 1],
  ];
  const seen = reports.map(([stage, fraction]) => pairFraction(shares, { stage, fraction }));
  assert.equal(seen[0], 0);
  assert.equal(seen.at(-1), 1);
  // No report takes it back, but for 'writing outputs' coming back after the displacement field at 0.7 of its own
  // scale, which reads lower (the batch keeps the largest value so far).
  const back = reports.findIndex(([stage, fraction]) => stage === 'writing outputs' && fraction === 0.7);
  for (let k = 1; k < seen.length; k++) {
    if (k === back) assert.ok(seen[k]! < seen[k - 1]!);
    else assert.ok(seen[k]! >= seen[k - 1]!, `${reports[k]}: ${seen[k]} after ${seen[k - 1]}`);
  }
  // Each step is one share of six: finetune half done is 3.5 / 6.
  assert.equal(pairFraction(shares, { stage: 'finetune', fraction: 0.5 }), 3.5 / 6);
  assert.equal(pairFraction(shares, { stage: 'a stage not listed', fraction: 0.5 }), undefined);
});

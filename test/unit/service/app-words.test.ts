import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { foldingWarning } from '../../../core/registration/pipeline/folding-warning.ts';
import { openPartialFolder } from '../../../core/registration/pipeline/output-folder.ts';
import { checkFixedSizeForPreset } from '../../../core/registration/pipeline/preset-size.ts';
import { inAppWords } from '../../../main/service/app-words.ts';
import { dispatch } from '../../../main/service/dispatcher.ts';
import { MongeService } from '../../../main/service/service.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** core's own message for a rejected promise (the wording under test is core's, not a copy of it). */
async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

test('app words: a two-set CSV opened as landmarks without a prefix names Landmark files › CSV column prefix, not --prefix', async (t) => {
  const dir = await tempDir(t, 'app-words');
  const csv = join(dir, 'pairs.csv');
  await writeFile(csv, 'exp_x,exp_y,exp_z,insp_x,insp_y,insp_z\n1,2,3,4,5,6\n');
  const outcome = await dispatch(new MongeService({ host: 'web' }), 'openFile', [{ path: csv }, { landmarks: true }]);
  assert.equal(outcome.ok, false);
  const message = outcome.ok ? '' : outcome.error.message;
  assert.match(message, /the file holds the point sets 'exp', 'insp': choose one under Landmark files › CSV column prefix \(e\.g\. exp\), then open the file again$/);
  assert.doesNotMatch(message, / --[a-z]/);
});

test('app words: the folding warning and a filled output folder name the app’s controls', async (t) => {
  const folding = foldingWarning({ voxels: 3000, min: -0.5, max: 2, mean: 1, std: 0.2, nonPositiveCount: 3, nonPositiveFraction: 0.001 }, 'fixed mask', 'displacement');
  assert.ok(folding?.includes('--diffeomorphic'), 'core words it for the command line');
  assert.match(inAppWords(folding ?? ''), /Advanced › Fine-tuning › diffeomorphic integrates the fine-tuning as a velocity field, which cannot fold\.$/);

  const dir = await tempDir(t, 'app-words');
  await writeFile(join(dir, 'something.txt'), 'x');
  const filled = await messageOf(openPartialFolder(dir, false));
  assert.ok(filled.includes('--overwrite'), filled);
  assert.equal(inAppWords(filled), `${dir} exists and is not empty; choose another folder (Advanced › Output folder)`);
  // Text without a command-line remedy is left as it is.
  assert.equal(inAppWords('copd1.nii.gz: holds no points'), 'copd1.nii.gz: holds no points');
});

test('app words: a shape too small for the lung preset names Parameters › Preset › generic', () => {
  const fixed = { path: 'tiny.vtk', kind: 'points' as const, sha256: '', warnings: [], shape: { kind: 'points' as const, pointsLps: Float64Array.of(0, 0, 0, 2, 2, 2), arrays: [], sourceFrame: 'LPS' as const } };
  let message = '';
  try {
    checkFixedSizeForPreset(fixed, 'lung');
  } catch (error) {
    message = (error as Error).message;
  }
  assert.ok(message.includes('--preset generic'), 'core words it for the command line');
  assert.match(inAppWords(message), /for shapes in any unit, use Parameters › Preset › generic \(scale-free\)$/);
});

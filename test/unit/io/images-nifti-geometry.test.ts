/**
 * NIfTI files whose header says two things about where the image lies: an sform and a qform that disagree (ITK,
 * whose reading Monge keeps, and nibabel / FSL then place the image differently), and a sheared sform, which ITK
 * refuses without a reason. The files are hand-built, so the geometry of each transform is known exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../../core/io/errors.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { niftiBytes, type NiftiSpec } from '../../support/nifti-bytes.ts';
import { tempDir } from '../../support/temp-dir.ts';

const c10 = Math.cos(Math.PI / 18);
const s10 = Math.sin(Math.PI / 18);
const base: NiftiSpec = { dims: [6, 7, 8], pixdim: [1.5, 1.2, 2], datatype: 2, bitpix: 8, srow: [[1.5, 0, 0, 5], [0, 1.2, 0, 6], [0, 0, 2, 7]] };
/** An axis-aligned qform at (5, 6, 7) RAS: the identity quaternion. */
const axisAlignedQform = { code: 1, quatern: [0, 0, 0] as [number, number, number], offset: [5, 6, 7] as [number, number, number] };

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-4, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

test('an sform (code 2, rotated 10°) and a qform (code 1) that disagree: ITK’s qform is kept, with a warning naming the file, the distance and nibabel’s choice', async (t) => {
  const dir = await tempDir(t, 'nifti-forms');
  const spec: NiftiSpec = {
    ...base,
    sformCode: 2,
    srow: [[1.5 * c10, -1.2 * s10, 0, -10], [1.5 * s10, 1.2 * c10, 0, 20], [0, 0, 2, 30]],
    qform: axisAlignedQform,
  };
  // Both compressions: a .nii.gz header is read by inflating the file's first bytes only.
  for (const [name, bytes] of [['s2q1.nii', niftiBytes(spec)], ['s2q1.nii.gz', gzipSync(niftiBytes(spec))]] as const) {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const image = await readImage(path);
    close(image.originLps, [-5, -6, 7], 'origin (the qform’s, in LPS)');
    close(image.directionLps, [-1, 0, 0, 0, -1, 0, 0, 0, 1], 'direction');
    assert.equal(image.warnings.length, 1, name);
    const [warning] = image.warnings;
    assert.ok(warning.startsWith(`${path}: `), warning);
    assert.match(warning, /sform \(sform_code 2, aligned\) and qform \(qform_code 1, scanner\) disagree: .*up to (\d+\.\d) mm apart/);
    // The farthest corner: the origins alone lie √(15² + 14² + 23²) = 30.8 mm apart.
    const apart = Number(/up to (\d+\.\d) mm apart/.exec(warning)?.[1]);
    assert.ok(apart > 30.8 && apart < 40, warning);
    assert.match(warning, /Monge reads it as ITK does.*with the qform; nibabel and FSL use the sform/);
  }
});

test('an sform whose column lengths differ from pixdim: ITK’s mix (sform axes, pixdim sizes) is named, with both sets of voxel sizes', async (t) => {
  const dir = await tempDir(t, 'nifti-forms');
  const path = join(dir, 's1q1_pixdim.nii.gz');
  const spec: NiftiSpec = { ...base, pixdim: [1.5, 1.5, 2], srow: [[0, 0, 2, -10], [1.5, 0, 0, 20], [0, -1.2, 0, 30]], qform: axisAlignedQform };
  await writeFile(path, gzipSync(niftiBytes(spec)));
  const image = await readImage(path);
  close(image.spacingMm, [1.5, 1.5, 2], 'spacing (pixdim)');
  close(image.originLps, [10, -20, 30], 'origin (the sform’s)');
  assert.equal(image.warnings.length, 1);
  assert.match(image.warnings[0], /the sform's axes and origin but pixdim's voxel sizes \(1\.5 × 1\.5 × 2 mm; the sform's are 1\.5 × 1\.2 × 2 mm\), which matches neither transform/);
  assert.match(image.warnings[0], /nibabel and FSL use the sform, which places the corners up to \d+\.\d+ mm from there/);
});

test('no warning where the header says one geometry: sform only, or an sform and a qform that agree', async (t) => {
  const dir = await tempDir(t, 'nifti-forms');
  const only = join(dir, 'sform-only.nii');
  const both = join(dir, 'agree.nii.gz');
  await writeFile(only, niftiBytes(base));
  await writeFile(both, gzipSync(niftiBytes({ ...base, qform: axisAlignedQform })));
  assert.deepEqual((await readImage(only)).warnings, []);
  assert.deepEqual((await readImage(both)).warnings, []);
});

test('a sheared sform is refused with its cause (the shear angle and a way out), not as an ITK exception', async (t) => {
  const dir = await tempDir(t, 'nifti-forms');
  const path = join(dir, 'shear.nii.gz');
  // Axis j leans towards i by atan(0.3 / 1.5) = 11.31°.
  await writeFile(path, gzipSync(niftiBytes({ ...base, sformCode: 2, srow: [[1.5, 0.3, 0, 0], [0, 1.5, 0, 0], [0, 0, 2, 0]] })));
  await assert.rejects(readImage(path), (e: unknown) => {
    assert.ok(e instanceof InputError && e.problem === 'unsupported', String(e));
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    assert.match(e.message, /its sform is not a rotation and scaling: voxel axes i and j are sheared 11\.31° from perpendicular/);
    assert.match(e.message, /resample_to_output/);
    assert.doesNotMatch(e.message, /C\+\+ exception/);
    return true;
  });
});

/**
 * Monge's exported transforms read and applied by ITK itself rather than by Monge: plastimatch (Debian's build,
 * linked against ITK 5) resamples an image through `field.<fmt>` with itk::WarpImageFilter and through
 * `transform.tfm` with itk::ResampleImageFilter. This is what 3D Slicer (SlicerRT uses plastimatch), ANTs and ITK
 * scripts do with the same files, so a wrong sign, axis order, frame (RAS for LPS), grid (index for physical
 * space) or direction (push for pull) shows here even where Monge would read its own mistake back consistently.
 *
 * The moving image's grey values are an affine function f of the LPS position, which trilinear interpolation
 * reproduces exactly, so every comparison is exact up to float32 rounding: ITK's output at a fixed voxel y must be
 * f(y + T(y)), Monge's own resampling of the same image, and through the affine part alone f(A⁻¹y).
 *
 * plastimatch comes from `apt-get install plastimatch` (CI installs it). Where it is missing these tests skip,
 * except with CI=true or MONGE_REQUIRE_PLASTIMATCH=1, where that is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { ComposedDeformation } from '../../../core/field/composed.ts';
import { writeDisplacementField, writeDisplacementFieldImage } from '../../../core/field/export-displacement-field.ts';
import { gridOfImage, gridPointsLps } from '../../../core/field/grid.ts';
import { affineFromParts, invertAffine, transformPoints } from '../../../core/field/matrix4.ts';
import { sampleOnGrid } from '../../../core/field/sample-on-grid.ts';
import type { GridLps } from '../../../core/field/types.ts';
import { lpsToContinuousIndex, type ImageLps } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { warpImage } from '../../../core/warp/index.ts';
import { runMonge, writeSyntheticPairs } from '../batch/support.ts';
import { skipUnlessRequired } from '../../support/skip-unless-required.ts';
import { readMat4File } from '../../support/mat4-text.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { rotation3, smoothKernelDisplacement } from '../../unit/field/support.ts';

/** Grey value at an LPS point: affine, with a different slope along each axis (≈ 3.9 per mm), so x/y/z mix-ups show. */
const grey = (x: number, y: number, z: number): number => 100 + 3 * x - 2 * y + 1.5 * z;
/** Largest gradient of `grey` (per mm): a grey difference of d is a point error of at least d / GREY_SLOPE mm. */
const GREY_SLOPE = Math.hypot(3, 2, 1.5);

/** `skip` option: these tests need plastimatch, required in CI. */
const NEEDS_PLASTIMATCH = skipUnlessRequired(
  spawnSync('plastimatch', ['--version']).status !== 0 && 'plastimatch is not installed (apt-get install plastimatch)',
  'MONGE_REQUIRE_PLASTIMATCH',
);

/** `plastimatch warp` with ITK's filters: INPUT resampled through XF onto REFERENCE's grid, float voxels. */
function plastimatchWarp(input: string, xf: string, reference: string, output: string): void {
  const r = spawnSync('plastimatch', ['warp', '--algorithm', 'itk', '--input', input, '--xf', xf, '--fixed', reference, '--output-img', output, '--output-type', 'float'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `plastimatch warp --xf ${xf}: ${r.stderr}${r.stdout}`);
}

/** A float32 image on `grid` whose voxels hold grey() of their LPS centres. */
function greyImage(grid: GridLps): ImageLps {
  const points = gridPointsLps(grid);
  const data = new Float32Array(points.length / 3);
  for (let v = 0; v < data.length; v++) data[v] = grey(points[3 * v], points[3 * v + 1], points[3 * v + 2]);
  return { ...grid, components: 1, data };
}

/** A zero float32 image on `grid`: plastimatch's --fixed, which sets the output grid. */
const blankImage = (grid: GridLps): ImageLps => ({ ...grid, components: 1, data: new Float32Array(grid.size[0] * grid.size[1] * grid.size[2]) });

/**
 * The largest |a − b| over voxels where both are non-zero (0 is what both resamplers give outside the moving image),
 * with how many voxels that was and at how many only one of them is 0 (the two disagree on inside).
 */
function compareInside(a: ArrayLike<number>, b: ArrayLike<number>): { maxDiff: number; compared: number; insideDisagrees: number } {
  assert.equal(a.length, b.length, 'same voxel count');
  let maxDiff = 0;
  let compared = 0;
  let insideDisagrees = 0;
  for (let v = 0; v < a.length; v++) {
    if ((a[v] === 0) !== (b[v] === 0)) insideDisagrees++;
    if (a[v] === 0 || b[v] === 0) continue;
    compared++;
    maxDiff = Math.max(maxDiff, Math.abs(a[v] - b[v]));
  }
  return { maxDiff, compared, insideDisagrees };
}

/** The fixed grid: oblique, anisotropic and off the origin, as in test/unit/field/export-field.test.ts. */
const FIXED_GRID: GridLps = { size: [24, 20, 16], spacingMm: [2.5, 2, 3], originLps: [-30.5, -12.25, 17], directionLps: Float64Array.from(rotation3(20, -15)) };
/** The moving image's grid: larger, and turned another way, so it covers where the fixed voxels come from. */
const MOVING_GRID: GridLps = { size: [60, 56, 50], spacingMm: [2, 2.2, 2.5], originLps: [-40, -50, -20], directionLps: Float64Array.from(rotation3(-10, 12)) };

test('ITK (plastimatch, itk::WarpImageFilter) resamples through Monge\'s field in .nii.gz, .nrrd and .mha exactly as Monge does, and through the inverse field the other way', { skip: NEEDS_PLASTIMATCH }, async (t) => {
  const dir = await tempDir(t, 'plastimatch-field');
  // φ: a small rotation and shift, then a smooth kernel displacement of a few mm (non-linear, so no affine shortcut).
  const phi = new ComposedDeformation([new AffineDeformation(affineFromParts(rotation3(4, 3), [1.5, -2, 1])), smoothKernelDisplacement([0, 8, 35], 21, 2.5)]);
  const moving = join(dir, 'moving.nii.gz');
  const movingImage = greyImage(MOVING_GRID);
  await writeImage(moving, movingImage);
  const fixedReference = join(dir, 'fixed.nii.gz');
  await writeImage(fixedReference, blankImage(FIXED_GRID));
  const ours = await warpImage(movingImage, FIXED_GRID, phi);

  for (const format of ['nii.gz', 'nrrd', 'mha']) {
    const field = join(dir, `field.${format}`);
    await writeDisplacementField(field, phi, FIXED_GRID);
    const output = join(dir, `itk-${format.replace('.', '-')}.nii.gz`);
    plastimatchWarp(moving, field, fixedReference, output);
    const itk = await readImage(output);
    assert.deepEqual(itk.size, FIXED_GRID.size, `${format}: ITK's output is on the fixed grid`);
    const { maxDiff, compared, insideDisagrees } = compareInside(itk.data, ours.image.data);
    t.diagnostic(`${format}: ${compared} voxels, ITK − Monge at most ${maxDiff.toExponential(2)} grey (${(maxDiff / GREY_SLOPE).toExponential(1)} mm)`);
    assert.ok(compared > 0.7 * itk.data.length, `${format}: most fixed voxels come from inside the moving image (${compared})`);
    assert.equal(insideDisagrees, 0, `${format}: ITK and Monge agree on which voxels come from outside the moving image`);
    assert.ok(maxDiff < 1e-3 * GREY_SLOPE, `${format}: ITK through the field is Monge's resampling (${maxDiff} grey)`);
  }

  // The inverse field φ − id on the moving grid (register --inverse-field): ITK pulls a fixed-space image into the
  // moving space, voxel x taking g(φ(x)), which Monge's forward map gives directly.
  const fixedSpaceGrid: GridLps = { ...MOVING_GRID, size: [72, 66, 58], originLps: [-50, -60, -25] };
  const fixedImage = join(dir, 'fixed-grey.nii.gz');
  await writeImage(fixedImage, greyImage(fixedSpaceGrid));
  const movingBox: GridLps = { size: [22, 20, 18], spacingMm: [2, 2.5, 2], originLps: [-25, -15, 15], directionLps: Float64Array.from(rotation3(-25, 8)) };
  const forward = await sampleOnGrid(phi, movingBox, { direction: 'forward' });
  const inverseField = join(dir, 'inverse_field.nii.gz');
  await writeDisplacementFieldImage(inverseField, forward.image, { inverse: true });
  const movingReference = join(dir, 'moving-box.nii.gz');
  await writeImage(movingReference, blankImage(movingBox));
  const back = join(dir, 'itk-back.nii.gz');
  plastimatchWarp(fixedImage, inverseField, movingReference, back);
  const itkBack = await readImage(back);
  const x = gridPointsLps(movingBox);
  const phiX = await phi.evaluate(x);
  let worst = 0;
  for (let v = 0; v < itkBack.data.length; v++) {
    const expected = grey(x[3 * v] + phiX[3 * v], x[3 * v + 1] + phiX[3 * v + 1], x[3 * v + 2] + phiX[3 * v + 2]);
    worst = Math.max(worst, Math.abs(itkBack.data[v] - expected));
  }
  t.diagnostic(`inverse field: ITK − g(φ(x)) at most ${worst.toExponential(2)} grey`);
  assert.ok(worst < 1e-3 * GREY_SLOPE, `ITK through the inverse field gives g(φ(x)) (${worst} grey)`);
});

test('ITK (plastimatch) applies a monge register folder: field.nii.gz reproduces --apply\'s image, transform.tfm the affine of affine-moving-to-fixed.mat4.txt, and jacobian.nii.gz is ITK\'s determinant of the field inverted', { skip: NEEDS_PLASTIMATCH }, async (t) => {
  const dir = await tempDir(t, 'plastimatch-register');
  await writeSyntheticPairs(dir, 1, 1);
  // A grey image of the moving space around the moving ellipsoid (60 × 40 × 30 mm semi-axes), oblique.
  const movingGrid: GridLps = { size: [70, 50, 40], spacingMm: [2, 2, 2], originLps: [-75, -55, -45], directionLps: Float64Array.from(rotation3(6, -4)) };
  const movingGrey = join(dir, 'grey.nii.gz');
  await writeImage(movingGrey, greyImage(movingGrid));
  const out = join(dir, 'out');
  const r = await runMonge(['register', join(dir, 'm1.vtk'), join(dir, 'f1.vtk'), '-o', out, '--steps', 'prealign,finetune', '--field-spacing', '4', '--apply', movingGrey]);
  assert.equal(r.code, 0, r.stderr);
  const applied = join(out, 'applied', 'grey_in_fixed.nii.gz');
  const mongeImage = await readImage(applied);

  const throughField = join(dir, 'itk-field.nii.gz');
  plastimatchWarp(movingGrey, join(out, 'field.nii.gz'), applied, throughField);
  const itk = await readImage(throughField);
  const field = compareInside(itk.data, mongeImage.data);
  t.diagnostic(`field.nii.gz: ${field.compared} voxels, ITK − monge register --apply at most ${field.maxDiff.toExponential(2)} grey`);
  assert.ok(field.compared > 0.5 * itk.data.length, `most voxels compared (${field.compared} of ${itk.data.length})`);
  assert.equal(field.insideDisagrees, 0, 'the same voxels come from outside the moving image');
  assert.ok(field.maxDiff < 1e-3 * GREY_SLOPE, `ITK through field.nii.gz is register's own --apply (${field.maxDiff} grey)`);

  // transform.tfm holds the fixed → moving affine: ITK's voxel y takes f(A⁻¹y), A the moving → fixed matrix that
  // affine-moving-to-fixed.mat4.txt states (trilinear interpolation of the affine f is exact). Only where A⁻¹y lies
  // among the moving image's voxel centres: in the half voxel beyond them ITK takes the edge voxels' values.
  const throughTfm = join(dir, 'itk-tfm.nii.gz');
  plastimatchWarp(movingGrey, join(out, 'transform.tfm'), applied, throughTfm);
  const itkAffine = await readImage(throughTfm);
  const matrix = await readMat4File(join(out, 'affine-moving-to-fixed.mat4.txt'));
  assert.equal(matrix.length, 16, 'affine-moving-to-fixed.mat4.txt: 16 numbers');
  const sources = transformPoints(invertAffine(matrix), gridPointsLps(gridOfImage(itkAffine)));
  let worst = 0;
  let compared = 0;
  for (let v = 0; v < itkAffine.data.length; v++) {
    const p: [number, number, number] = [sources[3 * v], sources[3 * v + 1], sources[3 * v + 2]];
    const index = lpsToContinuousIndex(movingGrid, p);
    if (!index.every((i, c) => i >= 0 && i <= movingGrid.size[c] - 1)) continue;
    compared++;
    worst = Math.max(worst, Math.abs(itkAffine.data[v] - grey(p[0], p[1], p[2])));
  }
  t.diagnostic(`transform.tfm: ${compared} voxels, ITK − f(A⁻¹y) at most ${worst.toExponential(2)} grey`);
  assert.ok(compared > 0.5 * itkAffine.data.length, `most voxels compared (${compared})`);
  assert.ok(worst < 1e-3 * GREY_SLOPE, `ITK through transform.tfm is the inverse of the stated moving → fixed affine (${worst} grey)`);

  // jacobian.nii.gz is det ∇φ of the tissue now at each fixed voxel, 1 / det(I + ∇T): ITK's
  // DisplacementFieldJacobianDeterminantFilter (plastimatch jacobian) gives det(I + ∇T) from field.nii.gz. Both take
  // central differences; compared away from the grid's faces, where ITK repeats the edge voxel and Monge takes
  // one-sided differences (the box of a mesh pair is axis-aligned, so ITK's filter, which leaves out the direction,
  // applies).
  const itkJacobianFile = join(dir, 'itk-jacobian.nii.gz');
  const jac = spawnSync('plastimatch', ['jacobian', '--input', join(out, 'field.nii.gz'), '--output-img', itkJacobianFile], { encoding: 'utf8' });
  assert.equal(jac.status, 0, jac.stderr);
  const itkJacobian = await readImage(itkJacobianFile);
  const mongeJacobian = await readImage(join(out, 'jacobian.nii.gz'));
  assert.deepEqual(itkJacobian.size, mongeJacobian.size, 'jacobian.nii.gz is on the field\'s grid');
  const [nx, ny, nz] = mongeJacobian.size;
  let worstProduct = 0;
  let spread = [Infinity, -Infinity];
  for (let k = 1; k < nz - 1; k++) {
    for (let j = 1; j < ny - 1; j++) {
      for (let i = 1; i < nx - 1; i++) {
        const v = i + nx * (j + ny * k);
        worstProduct = Math.max(worstProduct, Math.abs(itkJacobian.data[v] * mongeJacobian.data[v] - 1));
        spread = [Math.min(spread[0], mongeJacobian.data[v]), Math.max(spread[1], mongeJacobian.data[v])];
      }
    }
  }
  t.diagnostic(`jacobian.nii.gz ${spread[0].toFixed(3)}–${spread[1].toFixed(3)}; |ITK det(I + ∇T) · Monge's − 1| at most ${worstProduct.toExponential(2)}`);
  assert.ok(spread[0] > 1.05, 'the map expands the moving ellipsoid, so the Jacobian is well away from 1 (1 / det would show)');
  assert.ok(worstProduct < 1e-4, `jacobian.nii.gz is 1 / ITK's det(I + ∇T) of field.nii.gz (${worstProduct})`);
});

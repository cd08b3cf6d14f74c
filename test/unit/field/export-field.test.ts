import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { ComposedDeformation } from '../../../core/field/composed.ts';
import { writeDisplacementField } from '../../../core/field/export-displacement-field.ts';
import { gridPointsLps } from '../../../core/field/grid.ts';
import { deformationFromItkField } from '../../../core/field/inverted.ts';
import { affineFromParts } from '../../../core/field/matrix4.ts';
import type { GridLps } from '../../../core/field/types.ts';
import { indexToLpsLinear } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { assertClose, maxPointError, rotation3, smoothKernelDisplacement } from './support.ts';

/** The fixed grid: oblique, anisotropic, off-origin — every frame mistake shows. */
const GRID: GridLps = { size: [24, 20, 16], spacingMm: [2.5, 2, 3], originLps: [-30.5, -12.25, 17], directionLps: Float64Array.from(rotation3(20, -15)) };

/** A smooth non-linear deformation: a small affine followed by a kernel displacement in fixed space. */
function testDeformation(): ComposedDeformation {
  const centre = gridCentre();
  const affine = new AffineDeformation(affineFromParts(rotation3(4, 3), [1.5, -2, 1]));
  return new ComposedDeformation([affine, smoothKernelDisplacement(centre, 21, 2.5)]);
}

function gridCentre(): [number, number, number] {
  const m = indexToLpsLinear(GRID);
  const h = GRID.size.map((n) => (n - 1) / 2);
  return [0, 1, 2].map((r) => GRID.originLps[r] + m[3 * r] * h[0] + m[3 * r + 1] * h[1] + m[3 * r + 2] * h[2]) as [number, number, number];
}

/** The NIfTI-1 header fields this test needs, parsed from the raw bytes (little endian, as ITK writes on x86/wasm). */
function parseNifti1(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f32 = (o: number, n: number): number[] => Array.from({ length: n }, (_, i) => v.getFloat32(o + 4 * i, true));
  return {
    sizeofHdr: v.getInt32(0, true),
    dim: Array.from({ length: 8 }, (_, i) => v.getInt16(40 + 2 * i, true)),
    intentCode: v.getInt16(68, true),
    datatype: v.getInt16(70, true),
    pixdim: f32(76, 8),
    voxOffset: v.getFloat32(108, true),
    qformCode: v.getInt16(252, true),
    sformCode: v.getInt16(254, true),
    quatern: f32(256, 3),
    qoffset: f32(268, 3),
    srow: [f32(280, 4), f32(296, 4), f32(312, 4)],
    magic: new TextDecoder().decode(bytes.subarray(344, 347)),
    view: v,
  };
}

/** The RAS voxel → world matrix (3×4) from the qform (NIfTI-1 method 2: quaternion, pixdim, qfac). */
function qformMatrix(h: ReturnType<typeof parseNifti1>): number[][] {
  const [b, c, d] = h.quatern;
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
  ];
  const qfac = h.pixdim[0] < 0 ? -1 : 1;
  const s = [h.pixdim[1], h.pixdim[2], h.pixdim[3] * qfac];
  return [0, 1, 2].map((i) => [r[i][0] * s[0], r[i][1] * s[1], r[i][2] * s[2], h.qoffset[i]]);
}

test('.nii.gz displacement field: ITK/ANTs header, RAS geometry, LPS vectors, and points resampled through it agree with Monge', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-field-'));
  try {
    const def = testDeformation();
    const path = join(dir, 'field.nii.gz');
    const written = await writeDisplacementField(path, def, GRID);
    assert.equal(written.unconverged, 0);
    const [nx, ny, nz] = GRID.size;
    const n = nx * ny * nz;

    // 1. The header, read from the bytes.
    const bytes = gunzipSync(await readFile(path));
    const h = parseNifti1(bytes);
    assert.equal(h.sizeofHdr, 348);
    assert.equal(h.magic, 'n+1');
    assert.deepEqual(h.dim.slice(0, 6), [5, nx, ny, nz, 1, 3], 'dim = [5, X, Y, Z, 1, 3]');
    assert.equal(h.intentCode, 1007, 'NIFTI_INTENT_VECTOR');
    assert.equal(h.datatype, 16, 'float32');
    assert.ok(h.sformCode > 0 && h.qformCode > 0, 'both xforms set');
    // NIfTI world is RAS: (x, y, z)_RAS = (−x, −y, z)_LPS, so the rows 0 and 1 of [D·diag(s) | o] change sign.
    const m = indexToLpsLinear(GRID);
    const o = GRID.originLps;
    const expectedRas = [0, 1, 2].map((r) => {
      const f = r < 2 ? -1 : 1;
      return [f * m[3 * r], f * m[3 * r + 1], f * m[3 * r + 2], f * o[r]];
    });
    assertClose(h.srow.flat(), expectedRas.flat(), 1e-4, 'sform (RAS)');
    assertClose(qformMatrix(h).flat(), expectedRas.flat(), 1e-4, 'qform (RAS)');
    assertClose(h.srow.map((row) => row[3]), [-o[0], -o[1], o[2]], 1e-4, 'origin_RAS = (−x, −y, z) of origin_LPS');

    // 2. The stored vectors are the LPS displacements T as sampled (component planes: X, Y, Z, t = 1, c).
    const base = Math.round(h.voxOffset);
    const onDisk = (v: number, c: number): number => h.view.getFloat32(base + 4 * (c * n + v), true);
    for (let v = 0; v < n; v += 37) {
      for (let c = 0; c < 3; c++) assert.equal(onDisk(v, c), written.image.data[3 * v + c], `voxel ${v} component ${c}`);
    }

    // 3. Read back by itk-wasm: the same LPS geometry and vectors.
    const back = await readImage(path);
    assert.equal(back.components, 3);
    assert.equal(back.pixelType, 'Vector');
    assert.deepEqual(back.size, GRID.size);
    assertClose(back.originLps, GRID.originLps, 1e-4, 'origin');
    assertClose(back.spacingMm, GRID.spacingMm, 1e-5, 'spacing');
    assertClose(back.directionLps, GRID.directionLps, 1e-5, 'direction');

    // 4. Resampling: random fixed-grid voxel centres y → y + T(y) from the read-back voxels, vs Monge's φ⁻¹(y);
    //    and φ(y + T(y)) ≈ y.
    const rand = mulberry32(99);
    const centres = gridPointsLps(GRID);
    const picks = Array.from({ length: 300 }, () => Math.floor(rand() * n));
    const y = new Float64Array(3 * picks.length);
    const yT = new Float64Array(3 * picks.length);
    picks.forEach((v, q) => {
      for (let c = 0; c < 3; c++) {
        y[3 * q + c] = centres[3 * v + c];
        yT[3 * q + c] = centres[3 * v + c] + back.data[3 * v + c];
      }
    });
    const monge = await def.evaluateInverse(y);
    const mongeX = y.map((val, i) => val + monge.displacementsLps[i]);
    const errCentres = maxPointError(yT, mongeX);
    const fwd = await def.evaluate(yT);
    const roundTrip = maxPointError(yT.map((val, i) => val + fwd[i]), y);

    // Off-grid fixed points (inside the grid), through trilinear interpolation of the read-back field (ITK's rule).
    const mm = indexToLpsLinear(GRID);
    const z = new Float64Array(900);
    for (let q = 0; q < 300; q++) {
      const ci = [0, 1, 2].map((a) => 1 + rand() * (GRID.size[a] - 3));
      for (let r = 0; r < 3; r++) z[3 * q + r] = o[r] + mm[3 * r] * ci[0] + mm[3 * r + 1] * ci[1] + mm[3 * r + 2] * ci[2];
    }
    const fromFile = await deformationFromItkField(back).evaluateInverse(z);
    const exact = await def.evaluateInverse(z);
    const errOffGrid = maxPointError(fromFile.displacementsLps, exact.displacementsLps);
    t.diagnostic(
      `|y + T(y) − φ⁻¹(y)|: ${errCentres.toExponential(2)} mm at voxel centres, ${errOffGrid.toExponential(2)} mm between them (trilinear); ` +
        `|φ(y + T(y)) − y| ${roundTrip.toExponential(2)} mm; inversion residual ${written.maxResidualMm.toExponential(2)} mm`,
    );
    assert.ok(errCentres <= 0.1 && errCentres < 1e-3, `voxel centres: ${errCentres} mm`);
    assert.ok(roundTrip <= 0.1 && roundTrip < 1e-3, `φ(y + T(y)) vs y: ${roundTrip} mm`);
    assert.ok(errOffGrid <= 0.1, `between voxel centres: ${errOffGrid} mm`);
    // The field is far from zero, so none of the above could pass with a sign or frame error.
    let maxT = 0;
    for (let v = 0; v < n; v++) maxT = Math.max(maxT, Math.hypot(back.data[3 * v], back.data[3 * v + 1], back.data[3 * v + 2]));
    assert.ok(maxT > 2, `max |T| = ${maxT}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function headerText(bytes: Uint8Array, end: string): string {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const at = text.indexOf(end);
  return at >= 0 ? text.slice(0, at) : text;
}

test('.nrrd and .mha displacement fields: vector axis, LPS space, the same vectors read back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-field-'));
  try {
    const def = testDeformation();
    const small: GridLps = { ...GRID, size: [8, 7, 6] };
    const nrrdPath = join(dir, 'field.nrrd');
    const sampled = await writeDisplacementField(nrrdPath, def, small);
    const nrrd = headerText(await readFile(nrrdPath), '\n\n');
    assert.match(nrrd, /^NRRD000\d/);
    assert.match(nrrd, /\nkinds: vector domain domain domain\n/);
    assert.match(nrrd, /\nspace: left-posterior-superior\n/);
    assert.match(nrrd, /\nsizes: 3 8 7 6\n/);
    const origin = /\nspace origin: \(([^)]*)\)/.exec(nrrd);
    assert.ok(origin, 'space origin');
    assertClose(origin[1].split(',').map(Number), small.originLps, 1e-6, 'NRRD space origin (LPS)');
    assert.match(nrrd, /\nmonge_displacement_field:=ITK resampling convention/);
    const nrrdBack = await readImage(nrrdPath);
    assertClose(nrrdBack.data, sampled.image.data, 0, 'NRRD vectors');
    assertClose(nrrdBack.directionLps, small.directionLps, 1e-9, 'NRRD direction');

    const mhaPath = join(dir, 'field.mha');
    await writeDisplacementField(mhaPath, def, small);
    const mha = headerText(await readFile(mhaPath), 'ElementDataFile');
    assert.match(mha, /ElementNumberOfChannels = 3/);
    assert.match(mha, /NDims = 3/);
    const offset = /\nOffset = ([^\n]*)/.exec(mha);
    assert.ok(offset, 'Offset');
    assertClose(offset[1].trim().split(/\s+/).map(Number), small.originLps, 1e-6, 'MetaImage Offset (LPS)');
    const mhaBack = await readImage(mhaPath);
    assert.equal(mhaBack.components, 3);
    assertClose(mhaBack.data, sampled.image.data, 0, 'MetaImage vectors');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

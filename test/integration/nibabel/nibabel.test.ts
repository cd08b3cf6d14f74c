/**
 * Monge's neuroimaging files read by nibabel (pure Python, no ITK, no Monge code): GIfTI and FreeSurfer surfaces in
 * RAS, and register's displacement field as a NIfTI vector image whose voxel → RAS affine and LPS vectors give the
 * map Monge states. These are the conventions a FreeSurfer, Workbench or nibabel user relies on; a frame flipped on
 * writing, or a field whose vectors or affine disagree with the transform, shows here even where Monge reads its own
 * files back consistently.
 *
 * nibabel comes from `apt-get install python3-nibabel` (CI installs it). Where it is missing these tests skip, except
 * with CI=true or MONGE_REQUIRE_NIBABEL=1, where that is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readShape, writeShape } from '../../../core/io/index.ts';
import { invertAffine, transformPoints } from '../../../core/field/matrix4.ts';
import { runMonge, writeSyntheticPairs } from '../batch/support.ts';
import { skipUnlessRequired } from '../../support/skip-unless-required.ts';
import { readMat4File } from '../../support/mat4-text.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** Debian's python3-nibabel is in the system Python's packages, not in a pyenv or venv that may come first on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** `skip` option: these tests need nibabel, required in CI. */
const NEEDS_NIBABEL = skipUnlessRequired(
  spawnSync(PYTHON, ['-c', 'import nibabel, numpy']).status !== 0 && 'nibabel is not installed (apt-get install python3-nibabel)',
  'MONGE_REQUIRE_NIBABEL',
);

/** Runs a Python snippet that prints one JSON value; `sys.argv[1:]` are `args`. */
function python<T>(script: string, ...args: string[]): T {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** An asymmetric tetrahedron far from the origin, in LPS mm, so a sign or axis mix-up shows in every coordinate. */
const TETRA_LPS = [-123.5, 45.25, -78.75, -100.5, 50.25, -70.75, -110.5, 70.25, -75.75, -115.5, 55.25, -50.75];
const TETRA_TRIANGLES = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3];
/** A spatial vector per vertex (LPS), e.g. a displacement: in a RAS file its x and y change sign with the points. */
const VECTORS_LPS = [1, 2, 3, -4, 5, -6, 7, -8, 9, 0.5, -0.25, 0.125];
const toRas = (lps: number[]): number[] => lps.map((v, k) => (k % 3 === 2 ? v : -v));

const READ_GIFTI = `
import sys, json, nibabel as nib
img = nib.load(sys.argv[1])
out = []
for d in img.darrays:
    out.append({"intent": nib.nifti1.intent_codes.code[d.intent], "name": d.meta.get("Name", ""), "data": d.data.astype(float).tolist()})
print(json.dumps(out))
`;

test('nibabel reads Monge\'s GIfTI in RAS: points, triangles and a spatial vector (NIFTI_INTENT_VECTOR), flipped from LPS', { skip: NEEDS_NIBABEL }, async (t) => {
  const dir = await tempDir(t, 'nibabel-gifti');
  const file = join(dir, 'lh.tetra.gii');
  await writeShape(file, {
    kind: 'mesh',
    pointsLps: Float64Array.from(TETRA_LPS),
    triangles: Uint32Array.from(TETRA_TRIANGLES),
    arrays: [{ name: 'displacement', components: 3, values: Float32Array.from(VECTORS_LPS), spatialVector: true }],
    sourceFrame: 'LPS',
  });
  const arrays = python<{ intent: number; name: string; data: number[][] }[]>(READ_GIFTI, file);
  const byIntent = (code: number) => arrays.filter((a) => a.intent === code);
  assert.equal(byIntent(1008).length, 1, 'one NIFTI_INTENT_POINTSET');
  assert.equal(byIntent(1009).length, 1, 'one NIFTI_INTENT_TRIANGLE');
  assert.deepEqual(byIntent(1008)[0].data.flat(), toRas(TETRA_LPS), 'points in RAS');
  assert.deepEqual(byIntent(1009)[0].data.flat(), TETRA_TRIANGLES, 'the same triangles, the same winding');
  const vectors = byIntent(1007);
  assert.deepEqual(vectors.map((v) => v.name), ['displacement']);
  assert.deepEqual(vectors[0].data.flat(), toRas(VECTORS_LPS), 'vectors in RAS, as the points');
});

const READ_POINTSET_META = `
import sys, json, nibabel as nib
img = nib.load(sys.argv[1])
pointset = [d for d in img.darrays if d.intent == nib.nifti1.intent_codes.code["pointset"]][0]
print(json.dumps(dict(pointset.meta)))
`;

test('a surface registered from a GIfTI keeps its anatomy in warped.gii, where nibabel and Workbench read it', { skip: NEEDS_NIBABEL }, async (t) => {
  const dir = await tempDir(t, 'nibabel-anatomy');
  await writeSyntheticPairs(dir, 1, 3);
  const moving = await readShape(join(dir, 'm3.vtk'));
  await writeShape(join(dir, 'lh.white.gii'), { ...moving, anatomy: { structurePrimary: 'CortexLeft', structureSecondary: 'GrayWhite', geometricType: 'Anatomical' } });
  const out = join(dir, 'out');
  const r = await runMonge(['register', join(dir, 'lh.white.gii'), join(dir, 'f3.vtk'), '-o', out, '--steps', 'prealign', '--field-spacing', '12']);
  assert.equal(r.code, 0, r.stderr);
  const meta = python<Record<string, string>>(READ_POINTSET_META, join(out, 'warped.gii'));
  assert.equal(meta.AnatomicalStructurePrimary, 'CortexLeft');
  assert.equal(meta.AnatomicalStructureSecondary, 'GrayWhite');
  assert.equal(meta.GeometricType, 'Anatomical');
});

const READ_SURF = `
import sys, json, nibabel.freesurfer as fs
coords, faces = fs.read_geometry(sys.argv[1])
print(json.dumps({"coords": coords.astype(float).ravel().tolist(), "faces": faces.ravel().tolist()}))
`;

test('nibabel reads Monge\'s FreeSurfer surface: scanner-RAS coordinates and the same triangles', { skip: NEEDS_NIBABEL }, async (t) => {
  const dir = await tempDir(t, 'nibabel-surf');
  const file = join(dir, 'lh.tetra.surf');
  await writeShape(file, { kind: 'mesh', pointsLps: Float64Array.from(TETRA_LPS), triangles: Uint32Array.from(TETRA_TRIANGLES), arrays: [], sourceFrame: 'LPS' });
  const surf = python<{ coords: number[]; faces: number[] }>(READ_SURF, file);
  assert.deepEqual(surf.coords, toRas(TETRA_LPS), 'RAS coordinates (exact: the values are float32-exact)');
  assert.deepEqual(surf.faces, TETRA_TRIANGLES);
});

/** The field's header facts and its vectors, voxel (i, j, k) at row i + X·(j + Y·k) (Fortran order, as NIfTI stores). */
const READ_FIELD = `
import sys, json, nibabel as nib, numpy as np
img = nib.load(sys.argv[1])
hdr = img.header
data = np.asarray(img.dataobj, dtype=float)
print(json.dumps({"shape": list(img.shape), "intent": int(hdr["intent_code"]), "affine": img.affine.tolist(),
                  "sform": int(hdr["sform_code"]), "qform": int(hdr["qform_code"]),
                  "vectors": data[:, :, :, 0, :].reshape(-1, 3, order="F").tolist()}))
`;

test('nibabel reads register\'s field.nii.gz as ITK and ANTs mean it: (X,Y,Z,1,3), intent 1007, LPS vectors that carry each voxel\'s RAS centre to the moving point', { skip: NEEDS_NIBABEL }, async (t) => {
  const dir = await tempDir(t, 'nibabel-field');
  await writeSyntheticPairs(dir, 1, 2);
  const out = join(dir, 'out');
  const r = await runMonge(['register', join(dir, 'm2.vtk'), join(dir, 'f2.vtk'), '-o', out, '--steps', 'prealign', '--field-spacing', '12']);
  assert.equal(r.code, 0, r.stderr);
  const field = python<{ shape: number[]; intent: number; affine: number[][]; sform: number; qform: number; vectors: number[][] }>(READ_FIELD, join(out, 'field.nii.gz'));
  assert.equal(field.shape.length, 5);
  assert.deepEqual(field.shape.slice(3), [1, 3], 'a 5-D vector image: X, Y, Z, 1, 3');
  assert.equal(field.intent, 1007, 'NIFTI_INTENT_VECTOR (ITK and ANTs read it as a displacement field)');
  assert.ok(field.sform > 0 || field.qform > 0, 'a placed image');
  // With the pre-alignment alone the map is the affine A (moving → fixed) of affine-moving-to-fixed.mat4.txt, so each
  // voxel's vector must be A⁻¹y − y, y its centre in LPS (nibabel's affine gives RAS; LPS flips x and y).
  const [nx, ny, nz] = field.shape;
  const centresLps = new Float64Array(3 * nx * ny * nz);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const ras = [0, 1, 2].map((row) => field.affine[row][0] * i + field.affine[row][1] * j + field.affine[row][2] * k + field.affine[row][3]);
        centresLps.set([-ras[0], -ras[1], ras[2]], 3 * (i + nx * (j + ny * k)));
      }
    }
  }
  const moving = transformPoints(invertAffine(await readMat4File(join(out, 'affine-moving-to-fixed.mat4.txt'))), centresLps);
  let worst = 0;
  let largest = 0;
  field.vectors.forEach((v, q) => {
    const y = centresLps.subarray(3 * q, 3 * q + 3);
    largest = Math.max(largest, Math.hypot(...v));
    worst = Math.max(worst, Math.hypot(y[0] + v[0] - moving[3 * q], y[1] + v[1] - moving[3 * q + 1], y[2] + v[2] - moving[3 * q + 2]));
  });
  t.diagnostic(`${nx}×${ny}×${nz} voxels, vectors up to ${largest.toFixed(1)} mm, |y + v − A⁻¹y| at most ${worst.toExponential(2)} mm`);
  assert.ok(largest > 3, 'the map moves the shape by several mm, so a sign error would show');
  assert.ok(worst < 1e-3, `voxel centre + vector is the moving point (${worst} mm)`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marchingTetrahedra } from '../../../core/shape/marching-cubes.ts';
import { vertexNormals } from '../../../core/shape/normals.ts';
import { connectedComponents, edgeUse, eulerCharacteristic, isClosed, isConsistentlyOriented } from '../../../core/shape/topology.ts';
import { boundsOf } from '../../../core/shape/types.ts';
import { enclosedVolume } from '../../../core/shape/volume.ts';
import { imageFrom, PROPER_ROTATION, REFLECTED_ROTATION, voxelCentre, type Vec3 } from './synthetic.ts';

const CENTRE: Vec3 = [12.5, -40, 101];
const SPACING: Vec3 = [0.8, 1.0, 1.3];
const RADIUS = 10;

function det(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

for (const [name, direction] of [
  ['reflected rotation (det −1)', REFLECTED_ROTATION],
  ['proper rotation (det +1)', PROPER_ROTATION],
] as const) {
  test(`voxelised sphere, anisotropic spacing, ${name}: closed genus-0 surface, outward, on the sphere`, () => {
    assert.ok(Math.abs(Math.abs(det(direction)) - 1) < 1e-12);
    const image = imageFrom([32, 26, 20], SPACING, direction, CENTRE, (p) => (Math.hypot(p[0] - CENTRE[0], p[1] - CENTRE[1], p[2] - CENTRE[2]) <= RADIUS ? 1 : 0));
    const s = marchingTetrahedra(image, { kind: 'foreground' });
    const nv = s.pointsLps.length / 3;
    assert.ok(nv > 1000, `${nv} vertices`);
    assert.equal(isClosed(s.triangles), true);
    assert.equal(isConsistentlyOriented(s.triangles), true);
    assert.equal(eulerCharacteristic(s.triangles), 2);
    assert.equal(connectedComponents(s.triangles, nv).count, 1);

    // Every vertex is the midpoint of a grid edge from a voxel centre inside the ball to one outside, so its
    // distance to the centre is within half the longest Kuhn edge (the voxel diagonal) of the radius.
    const halfDiagonal = Math.hypot(...SPACING) / 2;
    let worst = 0;
    for (let v = 0; v < nv; v++) {
      const r = Math.hypot(s.pointsLps[3 * v] - CENTRE[0], s.pointsLps[3 * v + 1] - CENTRE[1], s.pointsLps[3 * v + 2] - CENTRE[2]);
      worst = Math.max(worst, Math.abs(r - RADIUS));
    }
    assert.ok(worst <= halfDiagonal + 1e-9, `max |r − R| = ${worst} > ${halfDiagonal}`);

    // Outward normals in LPS, whatever the handedness of the index → LPS map.
    const normals = vertexNormals(s.pointsLps, s.triangles);
    // (The voxel staircase tilts vertex normals away from the radial direction: the mean cosine is ≈ 0.87.)
    let meanDot = 0;
    let outward = 0;
    for (let v = 0; v < nv; v++) {
      const d = [0, 1, 2].map((c) => s.pointsLps[3 * v + c] - CENTRE[c]);
      const len = Math.hypot(d[0], d[1], d[2]);
      const cos = (normals[3 * v] * d[0] + normals[3 * v + 1] * d[1] + normals[3 * v + 2] * d[2]) / len;
      meanDot += cos;
      if (cos > 0) outward++;
    }
    meanDot /= nv;
    assert.ok(meanDot > 0.8, `mean normal·radial = ${meanDot}`);
    assert.equal(outward, nv, "every vertex normal points away from the centre");

    // Divergence-theorem volume against the voxel volume and the ball.
    let voxels = 0;
    for (const v of image.data) voxels += v;
    const voxelVolume = voxels * SPACING[0] * SPACING[1] * SPACING[2];
    const volume = enclosedVolume(s.pointsLps, s.triangles);
    assert.ok(Math.abs(volume / voxelVolume - 1) < 0.03, `volume ${volume} vs voxels ${voxelVolume}`);
    assert.ok(Math.abs(volume / ((4 / 3) * Math.PI * RADIUS ** 3) - 1) < 0.05, `volume ${volume}`);
    assert.equal(s.foregroundVoxels, voxels);
  });
}

test('two separate boxes give two closed components; a label selects one of them', () => {
  const direction = PROPER_ROTATION;
  const image = imageFrom([24, 20, 18], [1, 1.5, 2], direction, [0, 0, 0], () => 0);
  const [nx, ny] = image.size;
  const setBox = (lo: Vec3, hi: Vec3, value: number): void => {
    for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) image.data[(k * ny + j) * nx + i] = value;
  };
  setBox([2, 3, 2], [8, 9, 7], 1);
  setBox([12, 4, 9], [20, 15, 14], 2);

  const both = marchingTetrahedra(image, { kind: 'foreground' });
  const cc = connectedComponents(both.triangles, both.pointsLps.length / 3);
  assert.equal(cc.count, 2);
  assert.equal(isClosed(both.triangles), true);
  assert.equal(isConsistentlyOriented(both.triangles), true);
  assert.equal(eulerCharacteristic(both.triangles), 4);
  // Each component on its own is closed too.
  for (let c = 0; c < 2; c++) {
    const own = [];
    for (let t = 0; t < both.triangles.length; t += 3) if (cc.labels[both.triangles[t]] === c) own.push(both.triangles[t], both.triangles[t + 1], both.triangles[t + 2]);
    assert.equal(isClosed(own), true);
    assert.equal(eulerCharacteristic(own), 2);
  }
  const volume = enclosedVolume(both.pointsLps, both.triangles);
  const voxelMm3 = 1 * 1.5 * 2;
  // A box of a×b×c voxels encloses (a−1+1)(…) minus the bevelled Kuhn edges and corners: volume < voxel volume.
  const boxVoxels = 7 * 7 * 6 + 9 * 12 * 6;
  assert.ok(volume < boxVoxels * voxelMm3 && volume > 0.85 * boxVoxels * voxelMm3, `volume ${volume}`);

  const second = marchingTetrahedra(image, { kind: 'label', label: 2 });
  assert.equal(second.foregroundVoxels, 9 * 12 * 6);
  assert.equal(connectedComponents(second.triangles).count, 1);
  assert.equal(isClosed(second.triangles), true);
  // The label-2 box's surface lies between its voxel centres' hull and half a voxel beyond it.
  const corners: number[] = [];
  for (const i of [12, 20]) for (const j of [4, 15]) for (const k of [9, 14]) corners.push(...voxelCentre(image, i, j, k));
  const inner = boundsOf(corners);
  const outer = boundsOf(second.pointsLps);
  for (let c = 0; c < 3; c++) {
    assert.ok(outer[2 * c] <= inner[2 * c] + 1e-9 && outer[2 * c + 1] >= inner[2 * c + 1] - 1e-9);
    assert.ok(inner[2 * c] - outer[2 * c] <= 2 && outer[2 * c + 1] - inner[2 * c + 1] <= 2);
  }
});

test('objects touching the image border are closed (one voxel of background padding)', () => {
  const image = imageFrom([6, 5, 4], [1, 1, 1], REFLECTED_ROTATION, [0, 0, 0], () => 1);
  const s = marchingTetrahedra(image, { kind: 'foreground' });
  assert.equal(isClosed(s.triangles), true);
  assert.equal(isConsistentlyOriented(s.triangles), true);
  assert.equal(eulerCharacteristic(s.triangles), 2);
  assert.ok(enclosedVolume(s.pointsLps, s.triangles) > 0);
  // A single voxel is an octahedron-like closed cell too.
  const one = imageFrom([1, 1, 1], [2, 3, 4], PROPER_ROTATION, [5, 5, 5], () => 7);
  const c = marchingTetrahedra(one, { kind: 'label', label: 7 });
  assert.equal(isClosed(c.triangles), true);
  assert.equal(eulerCharacteristic(c.triangles), 2);
  assert.equal(edgeUse(c.triangles).nonManifold, 0);
});

test('diagonal-only contacts (checkerboard) still give a closed 2-manifold', () => {
  const image = imageFrom([7, 6, 5], [1, 1, 1], PROPER_ROTATION, [0, 0, 0], () => 0);
  let n = 0;
  for (let k = 0; k < 5; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 7; i++, n++) image.data[n] = (i + j + k) % 2;
  const s = marchingTetrahedra(image, { kind: 'foreground' });
  const use = edgeUse(s.triangles);
  assert.equal(use.boundary, 0);
  assert.equal(use.nonManifold, 0);
  assert.equal(isConsistentlyOriented(s.triangles), true);
});

test('a voxel torus has Euler characteristic 0', () => {
  const R = 8;
  const r = 3;
  const image = imageFrom([26, 26, 12], [1, 1, 1], PROPER_ROTATION, [0, 0, 0], (p) => {
    const q = Math.hypot(p[0], p[1]) - R;
    return Math.hypot(q, p[2]) <= r ? 1 : 0;
  });
  const s = marchingTetrahedra(image, { kind: 'foreground' });
  assert.equal(isClosed(s.triangles), true);
  assert.equal(connectedComponents(s.triangles).count, 1);
  assert.equal(eulerCharacteristic(s.triangles), 0);
});

test('threshold on a grey image interpolates the crossing: vertices on the iso-sphere to a small fraction of a voxel', () => {
  // f = R − |p − c| is the signed distance to a sphere; the level set f ≥ 0 is the ball of radius R.
  const image = imageFrom([30, 30, 24], [1.1, 0.9, 1.2], REFLECTED_ROTATION, CENTRE, (p) => RADIUS - Math.hypot(p[0] - CENTRE[0], p[1] - CENTRE[1], p[2] - CENTRE[2]), Float32Array);
  const s = marchingTetrahedra(image, { kind: 'threshold', threshold: 0 });
  assert.equal(isClosed(s.triangles), true);
  assert.equal(eulerCharacteristic(s.triangles), 2);
  let worst = 0;
  for (let v = 0; v < s.pointsLps.length / 3; v++) {
    const rr = Math.hypot(s.pointsLps[3 * v] - CENTRE[0], s.pointsLps[3 * v + 1] - CENTRE[1], s.pointsLps[3 * v + 2] - CENTRE[2]);
    worst = Math.max(worst, Math.abs(rr - RADIUS));
  }
  // Linear interpolation of |p − c| along an edge of length L errs by at most ~L²/(8R) ≈ 0.06 mm here.
  assert.ok(worst < 0.1, `max |r − R| = ${worst}`);
  const volume = enclosedVolume(s.pointsLps, s.triangles);
  assert.ok(Math.abs(volume / ((4 / 3) * Math.PI * RADIUS ** 3) - 1) < 0.01, `volume ${volume}`);
  // A shifted threshold shrinks the sphere accordingly: f ≥ 2 is the ball of radius R − 2.
  const inner = marchingTetrahedra(image, { kind: 'threshold', threshold: 2 });
  const v = enclosedVolume(inner.pointsLps, inner.triangles);
  assert.ok(Math.abs(v / ((4 / 3) * Math.PI * (RADIUS - 2) ** 3) - 1) < 0.015, `volume ${v}`);
});

test('empty selection gives an empty mesh; bad inputs are rejected', () => {
  const image = imageFrom([4, 4, 4], [1, 1, 1], PROPER_ROTATION, [0, 0, 0], () => 1);
  const s = marchingTetrahedra(image, { kind: 'label', label: 3 });
  assert.equal(s.foregroundVoxels, 0);
  assert.equal(s.triangles.length, 0);
  assert.throws(() => marchingTetrahedra({ ...image, components: 3, data: new Float32Array(192) }, { kind: 'foreground' }), /scalar image/);
  assert.throws(() => marchingTetrahedra({ ...image, spacingMm: [1, 0, 1] }, { kind: 'foreground' }), /singular/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedComponents, edgeUse, eulerCharacteristic, isClosed, isConsistentlyOriented } from '../../../core/shape/topology.ts';
import { enclosedVolume } from '../../../core/shape/volume.ts';
import { icosahedron } from './synthetic.ts';

// Tetrahedron (0,0,0), (1,0,0), (0,1,0), (0,0,1), wound outward.
const TET = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3];
const TET_POINTS = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1];

test('tetrahedron: closed, oriented, χ = 2, volume 1/6', () => {
  assert.equal(isClosed(TET), true);
  assert.equal(isConsistentlyOriented(TET), true);
  assert.equal(eulerCharacteristic(TET), 2);
  assert.deepEqual(edgeUse(TET), { edges: 6, boundary: 0, nonManifold: 0 });
  assert.ok(Math.abs(enclosedVolume(TET_POINTS, TET) - 1 / 6) < 1e-15);
  // Reversed winding: still closed, the volume changes sign.
  const reversed = TET.map((_, i) => TET[i - (i % 3) + (2 - (i % 3))]);
  assert.ok(Math.abs(enclosedVolume(TET_POINTS, reversed) + 1 / 6) < 1e-15);
});

test('an open mesh, a flipped triangle and a non-manifold fin are detected', () => {
  const open = TET.slice(0, 9);
  assert.equal(isClosed(open), false);
  assert.deepEqual(edgeUse(open), { edges: 6, boundary: 3, nonManifold: 0 });
  assert.equal(eulerCharacteristic(open), 1); // a disc
  const flipped = [...TET.slice(0, 9), 1, 3, 2];
  assert.equal(isClosed(flipped), true);
  assert.equal(isConsistentlyOriented(flipped), false);
  const fin = [...TET, 0, 1, 4];
  assert.equal(edgeUse(fin).nonManifold, 1);
  assert.equal(isClosed(fin), false);
  assert.equal(isClosed([]), false);
});

test('components: two disjoint solids, unused vertices labelled −1', () => {
  const ico = icosahedron();
  const both = [...TET, ...Array.from(ico.triangles, (v) => v + 5)]; // vertex 4 unused
  const cc = connectedComponents(both, 17);
  assert.equal(cc.count, 2);
  assert.deepEqual(cc.sizes, [4, 12]);
  assert.equal(cc.labels[4], -1);
  assert.equal(cc.labels[0], 0);
  assert.equal(cc.labels[16], 1);
  assert.equal(eulerCharacteristic(both), 4);
  assert.equal(eulerCharacteristic(ico.triangles), 2);
  assert.equal(isConsistentlyOriented(ico.triangles), true);
  assert.ok(enclosedVolume(ico.points, ico.triangles) > 0, 'icosahedron wound outward');
});

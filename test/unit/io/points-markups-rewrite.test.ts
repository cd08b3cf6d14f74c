import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPoints, writePointsLike } from '../../../core/io/points/index.ts';
import { tempDir } from '../../support/temp-dir.ts';

const FCSV = [
  '# Markups fiducial file version = 4.11',
  '# CoordinateSystem = RAS',
  '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID',
  'vtkMRMLMarkupsFiducialNode_7,1,2,3,0.5,0.5,0.5,0.5,1,0,1,nodule,"upper lobe, 4 mm",vtkMRMLScalarVolumeNode1',
  'vtkMRMLMarkupsFiducialNode_9,4,5,6,0,0,0,1,0,1,0,carina,,',
  '',
].join('\n');

const MRK = {
  '@schema': 'https://raw.githubusercontent.com/slicer/slicer/main/Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json#',
  markups: [
    {
      type: 'Fiducial',
      coordinateSystem: 'LPS',
      coordinateUnits: 'mm',
      locked: true,
      controlPoints: [
        { id: '7', label: 'nodule', description: 'upper lobe', associatedNodeID: 'vtkMRMLScalarVolumeNode1', position: [1, 2, 3], orientation: [0, 1, 2, 3, 4, 5, 6, 7, 8], positionStatus: 'defined' },
        { id: '9', label: 'carina', position: [4, 5, 6], positionStatus: 'defined' },
      ],
      display: { color: [1, 0, 0] },
    },
  ],
};

test('a moved .fcsv keeps its ids, labels, descriptions, flags and orientation; only the positions change', async (t) => {
  const dir = await tempDir(t, 'markups-rewrite');
  await writeFile(join(dir, 'in.fcsv'), FCSV);
  const shape = await readPoints(join(dir, 'in.fcsv'));
  const moved = { ...shape, pointsLps: shape.pointsLps.map((v, i) => v + [10, 20, 30][i % 3]) };
  await writePointsLike(join(dir, 'out.fcsv'), moved, { path: join(dir, 'in.fcsv') });
  const lines = (await readFile(join(dir, 'out.fcsv'), 'utf8')).split('\n');
  // RAS: LPS +10, +20 is RAS −10, −20.
  assert.deepEqual(lines.slice(0, 5), [
    '# Markups fiducial file version = 4.11',
    '# CoordinateSystem = RAS',
    '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID',
    'vtkMRMLMarkupsFiducialNode_7,-9,-18,33,0.5,0.5,0.5,0.5,1,0,1,nodule,"upper lobe, 4 mm",vtkMRMLScalarVolumeNode1',
    'vtkMRMLMarkupsFiducialNode_9,-6,-15,36,0,0,0,1,0,1,0,carina,,',
  ]);
  assert.deepEqual(Array.from((await readPoints(join(dir, 'out.fcsv'))).pointsLps), Array.from(moved.pointsLps));
  // Written in LPS: declared so, positions turned with the frame; the orientation quaternion as stored, since
  // Slicer's .fcsv reader and writer (vtkMRMLMarkupsFiducialStorageNode) never convert it.
  await writePointsLike(join(dir, 'lps.fcsv'), moved, { path: join(dir, 'in.fcsv') }, { frame: 'LPS' });
  const lps = (await readFile(join(dir, 'lps.fcsv'), 'utf8')).split('\n');
  assert.equal(lps[1], '# CoordinateSystem = LPS');
  assert.equal(lps[3], 'vtkMRMLMarkupsFiducialNode_7,9,18,33,0.5,0.5,0.5,0.5,1,0,1,nodule,"upper lobe, 4 mm",vtkMRMLScalarVolumeNode1');
  assert.deepEqual(Array.from((await readPoints(join(dir, 'lps.fcsv'))).pointsLps), Array.from(moved.pointsLps));
});

test('a moved .mrk.json keeps every key of its markups and points; only the positions change', async (t) => {
  const dir = await tempDir(t, 'markups-rewrite');
  await writeFile(join(dir, 'in.mrk.json'), JSON.stringify(MRK));
  const shape = await readPoints(join(dir, 'in.mrk.json'));
  const moved = { ...shape, pointsLps: shape.pointsLps.map((v, i) => v + [10, 20, 30][i % 3]) };
  await writePointsLike(join(dir, 'out.mrk.json'), moved, { path: join(dir, 'in.mrk.json') });
  const out = JSON.parse(await readFile(join(dir, 'out.mrk.json'), 'utf8'));
  const expected = structuredClone(MRK);
  expected.markups[0].controlPoints[0].position = [11, 22, 33];
  expected.markups[0].controlPoints[1].position = [14, 25, 36];
  assert.deepEqual(out, expected);
  // Written in RAS: the markup says so, positions and orientation turned; the orientation as Slicer's .mrk.json
  // reader and writer turn it (vtkMRMLMarkupsJsonStorageNode: its first six entries negated, rows 0 and 1).
  await writePointsLike(join(dir, 'ras.mrk.json'), moved, { path: join(dir, 'in.mrk.json') }, { frame: 'RAS' });
  const ras = JSON.parse(await readFile(join(dir, 'ras.mrk.json'), 'utf8'));
  assert.equal(ras.markups[0].coordinateSystem, 'RAS');
  assert.deepEqual(ras.markups[0].controlPoints[0].position, [-11, -22, 33]);
  assert.deepEqual(ras.markups[0].controlPoints[0].orientation.map((v: number) => v + 0), [0, -1, -2, -3, -4, -5, 6, 7, 8]);
  assert.deepEqual(ras.markups[0].display, MRK.markups[0].display);
  assert.deepEqual(Array.from((await readPoints(join(dir, 'ras.mrk.json'))).pointsLps), Array.from(moved.pointsLps));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPoints, writePoints } from '../../../core/io/points/index.ts';
import { InputError } from '../../../core/io/errors.ts';
import type { Shape } from '../../../core/shape/index.ts';

const plain = (a: ArrayLike<number>): number[] => Array.from(a, (v) => v + 0);

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'monge-points-fcsv-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readFcsvText(text: string, options: Parameters<typeof readPoints>[1] = {}): Promise<Shape> {
  return withTemp(async (dir) => {
    const path = join(dir, 'm.fcsv');
    await writeFile(path, text);
    return readPoints(path, options);
  });
}

async function rejectsFcsv(text: string, problem: string, re: RegExp): Promise<void> {
  await assert.rejects(readFcsvText(text), (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.match(e.message, /m\.fcsv: /);
    assert.match(e.message, re);
    return true;
  });
}

/** As Slicer 4.11 writes it (the row layout of Slicer's vtkMRMLMarkupsFiducialStorageNode). */
const SLICER_411_LPS =
  '# Markups fiducial file version = 4.11\n' +
  '# CoordinateSystem = LPS\n' +
  '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\n' +
  'vtkMRMLMarkupsFiducialNode_0,-12.5,30.25,4,0,0,0,1,1,1,0,F-1,,\n' +
  'vtkMRMLMarkupsFiducialNode_1,1,2,3,0,0,0,1,1,1,0,"carina, main",a description,vtkMRMLScalarVolumeNode1\n';

test('fcsv: Slicer 4.11 LPS file', async () => {
  const s = await readFcsvText(SLICER_411_LPS);
  assert.equal(s.kind, 'points');
  assert.equal(s.sourceFrame, 'LPS');
  assert.deepEqual(Array.from(s.pointsLps), [-12.5, 30.25, 4, 1, 2, 3]);
  assert.deepEqual(s.labels, ['F-1', 'carina, main']);
});

test('fcsv: CoordinateSystem RAS, 0 (RAS) and 1 (LPS); no line means RAS unless the caller says otherwise', async () => {
  const rows = '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\n1,10,-20,30,0,0,0,1,1,1,0,A,,\n';
  const ras = await readFcsvText(`# CoordinateSystem = RAS\n${rows}`);
  assert.equal(ras.sourceFrame, 'RAS');
  assert.deepEqual(plain(ras.pointsLps), [-10, 20, 30]);
  assert.deepEqual(plain((await readFcsvText(`# Markups fiducial file version = 4.6\n# CoordinateSystem = 0\n${rows}`)).pointsLps), [-10, 20, 30]);
  assert.deepEqual(plain((await readFcsvText(`# CoordinateSystem = 1\n${rows}`)).pointsLps), [10, -20, 30]);
  // Slicer 4.4-era file: no CoordinateSystem line, no columns line (default column order) → RAS.
  const old = await readFcsvText('# Markups fiducial file version = 4.4\n1,10,-20,30,0,0,0,1,1,1,0,A,,\n');
  assert.equal(old.sourceFrame, 'RAS');
  assert.deepEqual(plain(old.pointsLps), [-10, 20, 30]);
  assert.deepEqual(plain((await readFcsvText(rows, { assumeFrame: 'LPS' })).pointsLps), [10, -20, 30]);
  // A declared frame beats the caller's assumption.
  assert.deepEqual(plain((await readFcsvText(`# CoordinateSystem = RAS\n${rows}`, { assumeFrame: 'LPS' })).pointsLps), [-10, 20, 30]);
});

test('fcsv: a columns line in another order is followed; unlabelled files have no labels', async () => {
  const s = await readFcsvText('# CoordinateSystem = LPS\n# columns = label,z,y,x\nP,3,2,1\nQ,6,5,4\n');
  assert.deepEqual(Array.from(s.pointsLps), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(s.labels, ['P', 'Q']);
  const u = await readFcsvText('# CoordinateSystem = LPS\n# columns = id,x,y,z\n1,1,2,3\n');
  assert.equal(u.labels, undefined);
});

test('fcsv: round trip in RAS and LPS; the writer writes version 4.11 and the frame', async () => {
  const shape: Shape = {
    kind: 'points',
    pointsLps: Float64Array.from([0.1 + 0.2, -7.25, 1e-12, 100, 200, -300]),
    labels: ['a, b', 'say "hi"'],
    arrays: [],
    sourceFrame: 'LPS',
  };
  await withTemp(async (dir) => {
    for (const frame of ['RAS', 'LPS'] as const) {
      const path = join(dir, `rt-${frame}.fcsv`);
      await writePoints(path, shape, { frame });
      const lines = (await readFile(path, 'utf8')).split('\n');
      assert.equal(lines[0], '# Markups fiducial file version = 4.11');
      assert.equal(lines[1], `# CoordinateSystem = ${frame}`);
      assert.equal(lines[2], '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID');
      assert.equal(lines[4], `2,${frame === 'RAS' ? '-100,-200' : '100,200'},-300,0,0,0,1,1,1,0,"say ""hi""",,`);
      const back = await readPoints(path, { assumeFrame: frame === 'RAS' ? 'LPS' : 'RAS' }); // the file's frame wins
      assert.equal(back.sourceFrame, frame);
      assert.deepEqual(plain(back.pointsLps), plain(shape.pointsLps));
      assert.deepEqual(back.labels, shape.labels);
    }
    // Unlabelled points are written with Slicer's own names.
    const path = join(dir, 'unnamed.fcsv');
    await writePoints(path, { ...shape, labels: undefined });
    assert.deepEqual((await readPoints(path)).labels, ['F-1', 'F-2']);
  });
});

test('fcsv: bad input is an InputError naming the file and the line', async () => {
  await rejectsFcsv('# CoordinateSystem = 2\n1,1,2,3\n', 'unsupported', /line 1: CoordinateSystem '2' is neither RAS \(0\) nor LPS \(1\)/);
  await rejectsFcsv('# CoordinateSystem = LPS\n', 'empty', /no control points/);
  await rejectsFcsv('# CoordinateSystem = LPS\n1,1,2\n', 'malformed', /line 2: 3 values, expected at least 4/);
  await rejectsFcsv('# CoordinateSystem = LPS\n1,1,x,3,0,0,0,1,1,1,0,A,,\n', 'malformed', /line 2, column y: 'x' is not a number/);
  await rejectsFcsv('# CoordinateSystem = LPS\n1,1,2,inf,0,0,0,1,1,1,0,A,,\n', 'non-finite', /line 2, column z/);
  await rejectsFcsv('# columns = id,label\n', 'malformed', /line 1: the columns line names no x, y and z/);
  await rejectsFcsv('# columns = id,x,y,z\n1,2,3,4,5\n', 'malformed', /line 2: 5 values where the columns line names 4/);
  await rejectsFcsv('1,1,2,3,0,0,0,1,1,1,0,"A\n', 'malformed', /line 1: unclosed quote/);
});

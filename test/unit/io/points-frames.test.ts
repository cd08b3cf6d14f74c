import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pointCodecFor, readPoints, writePoints } from '../../../core/io/points/index.ts';
import { InputError } from '../../../core/io/errors.ts';
import type { Shape } from '../../../core/shape/index.ts';

const plain = (a: ArrayLike<number>): number[] => Array.from(a, (v) => v + 0);

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'monge-points-frames-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Three physical points, LPS mm. */
const LPS = [
  [12.5, -30.25, 41],
  [-7, 8.125, -9.5],
  [0, 100, 200],
];

test('frames: the same points in a hand-written RAS .fcsv and an LPS .mrk.json read to identical pointsLps', async () => {
  const fcsv =
    '# Markups fiducial file version = 4.11\n# CoordinateSystem = RAS\n' +
    '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\n' +
    LPS.map(([x, y, z], i) => `${i},${-x},${-y},${z},0,0,0,1,1,1,0,P${i},,`).join('\n');
  const mrk = JSON.stringify({
    markups: [{ type: 'Fiducial', coordinateSystem: 'LPS', controlPoints: LPS.map((position, i) => ({ label: `P${i}`, position })) }],
  });
  await withTemp(async (dir) => {
    await writeFile(join(dir, 'ras.fcsv'), fcsv);
    await writeFile(join(dir, 'lps.mrk.json'), mrk);
    const a = await readPoints(join(dir, 'ras.fcsv'));
    const b = await readPoints(join(dir, 'lps.mrk.json'));
    assert.equal(a.sourceFrame, 'RAS');
    assert.equal(b.sourceFrame, 'LPS');
    assert.deepEqual(plain(a.pointsLps), LPS.flat());
    assert.deepEqual(plain(b.pointsLps), LPS.flat());
    assert.deepEqual(a.labels, b.labels);
  });
});

test('frames: one LPS shape written as RAS .fcsv, LPS .mrk.json, RAS .csv and RAS DIR-Lab reads back the same everywhere', async () => {
  const shape: Shape = { kind: 'points', pointsLps: Float64Array.from(LPS.flat()), arrays: [], sourceFrame: 'LPS' };
  await withTemp(async (dir) => {
    await writePoints(join(dir, 'a.fcsv'), shape, { frame: 'RAS' });
    await writePoints(join(dir, 'b.mrk.json'), shape, { frame: 'LPS' });
    await writePoints(join(dir, 'c.csv'), shape, { frame: 'RAS' });
    await writePoints(join(dir, 'd_xyz_r1.txt'), shape, { frame: 'RAS', spacingMm: [0.5, 0.25, 2.5] });
    const reads = [
      await readPoints(join(dir, 'a.fcsv')),
      await readPoints(join(dir, 'b.mrk.json')),
      await readPoints(join(dir, 'c.csv')), // declares its frame: no assumption needed
      await readPoints(join(dir, 'c.csv'), { assumeFrame: 'LPS' }), // and the declaration wins over one
      await readPoints(join(dir, 'd_xyz_r1.txt'), { spacingMm: [0.5, 0.25, 2.5] }),
    ];
    for (const r of reads) assert.deepEqual(plain(r.pointsLps), LPS.flat());
    // The negative control: a RAS CSV without its declaration reads back mirrored.
    await writePoints(join(dir, 'e.csv'), shape, { frame: 'RAS', declareFrame: false });
    const wrong = await readPoints(join(dir, 'e.csv'));
    assert.deepEqual(plain(wrong.pointsLps), LPS.flatMap(([x, y, z]) => [-x, -y, z]).map((v) => v + 0));
  });
});

test('registry: formats by file name; unknown names and folders are refused with an InputError', async () => {
  assert.equal(pointCodecFor('a/B.CSV')?.format, 'csv');
  assert.equal(pointCodecFor('x.fcsv')?.format, 'fcsv');
  assert.equal(pointCodecFor('x.mrk.json')?.format, 'mrk-json');
  assert.equal(pointCodecFor('copd1_300_iBH_xyz_r1.txt')?.format, 'dirlab');
  assert.equal(pointCodecFor('x.vtk'), undefined);
  await withTemp(async (dir) => {
    await assert.rejects(readPoints(join(dir, 'x.vtk')), (e: unknown) => e instanceof InputError && e.problem === 'unsupported');
    await assert.rejects(readPoints(join(dir, 'missing.csv')), (e: unknown) => e instanceof InputError && e.problem === 'not-found');
    await mkdir(join(dir, 'folder.csv'));
    await assert.rejects(readPoints(join(dir, 'folder.csv')), (e: unknown) => e instanceof InputError && e.problem === 'is-directory');
    const shape: Shape = { kind: 'points', pointsLps: Float64Array.from([1, 2, 3]), arrays: [], sourceFrame: 'LPS' };
    await assert.rejects(writePoints(join(dir, 'x.vtk'), shape), (e: unknown) => e instanceof InputError && e.problem === 'unsupported');
    await assert.rejects(writePoints(join(dir, 'x.csv'), { ...shape, labels: ['a', 'b'] }), /1 points but 2 labels/);
  });
});

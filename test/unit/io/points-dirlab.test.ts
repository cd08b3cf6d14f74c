import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDirLab, readPoints, writeDirLab, writePoints } from '../../../core/io/points/index.ts';
import { InputError } from '../../../core/io/errors.ts';
import type { Shape } from '../../../core/shape/index.ts';
import type { Vec3 } from '../../../core/io/points/types.ts';
import { dirLabCodec } from '../../../core/io/points/dirlab.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { mutants } from '../../support/mutate.ts';

const plain = (a: ArrayLike<number>): number[] => Array.from(a, (v) => v + 0);
const SPACING: Vec3 = [0.625, 0.644531, 2.5];

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'monge-points-dirlab-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function withFile<T>(text: string, fn: (path: string) => Promise<T>, name = 'case_300_eBH_xyz_r1.txt'): Promise<T> {
  return withTemp(async (dir) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return fn(path);
  });
}

test('DIR-Lab: both original layouts (integers; padded %f with tabs) → mm = index × spacing, RAS by default', async () => {
  // copd1 iBH starts "188\t260\t4"; eBH files look like " 194.000000\t 257.000000\t 7.000000\t".
  await withFile('188\t260\t4\n 194.000000\t 257.000000\t 7.000000\t\r\n\n', async (path) => {
    const s = await readDirLab(path, { spacingMm: SPACING });
    assert.equal(s.kind, 'points');
    assert.equal(s.sourceFrame, 'RAS');
    const ras = [188 * 0.625, 260 * 0.644531, 4 * 2.5, 194 * 0.625, 257 * 0.644531, 7 * 2.5];
    assert.deepEqual(plain(s.pointsLps), plain([-ras[0], -ras[1], ras[2], -ras[3], -ras[4], ras[5]]));
    const lps = await readDirLab(path, { spacingMm: SPACING, frame: 'LPS' });
    assert.deepEqual(plain(lps.pointsLps), ras);
    // The generic reader takes the same path when given the spacing.
    const generic = await readPoints(path, { spacingMm: SPACING });
    assert.deepEqual(plain(generic.pointsLps), plain(s.pointsLps));
    assert.deepEqual(plain((await readPoints(path, { spacingMm: SPACING, assumeFrame: 'LPS' })).pointsLps), ras);
  });
});

test('DIR-Lab: readPoints on a .txt without spacing fails with an InputError saying the spacing is required', async () => {
  await withFile('1\t2\t3\n', async (path) => {
    await assert.rejects(readPoints(path), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.problem, 'unsupported');
      assert.match(e.message, /case_300_eBH_xyz_r1\.txt: .*voxel spacing is required/);
      return true;
    });
  });
});

test('DIR-Lab: writer writes 1-based indices with 6 decimals, tab-separated; round trip in RAS and LPS', async () => {
  const shape: Shape = {
    kind: 'points',
    pointsLps: Float64Array.from([-117.5, -162.5, 10, -(111.875 + 1e-7), 175.6, 17.5]),
    arrays: [],
    sourceFrame: 'LPS',
  };
  await withTemp(async (dir) => {
    const path = join(dir, 'out_xyz_r1.txt');
    await writeDirLab(path, shape, { spacingMm: [0.625, 0.625, 2.5] });
    const text = await readFile(path, 'utf8');
    assert.equal(text, '188.000000\t260.000000\t4.000000\n179.000000\t-280.960000\t7.000000\n');
    for (const frame of ['RAS', 'LPS'] as const) {
      await writeDirLab(path, shape, { spacingMm: SPACING, frame });
      const back = await readDirLab(path, { spacingMm: SPACING, frame });
      const got = plain(back.pointsLps);
      plain(shape.pointsLps).forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 5e-7 * SPACING[i % 3], `${frame} ${i}: ${got[i]} vs ${v}`));
    }
    // writePoints needs the spacing, and writes RAS (the dataset's convention) unless told otherwise.
    await assert.rejects(writePoints(path, shape), (e: unknown) => e instanceof InputError && /voxel spacing/.test(e.message));
    const warnings: string[] = [];
    await writePoints(path, shape, { spacingMm: [0.625, 0.625, 2.5], onWarning: (m) => warnings.push(m) });
    assert.equal((await readFile(path, 'utf8')).split('\n')[0], '188.000000\t260.000000\t4.000000');
    // The second point's y index, −280.96, lies before the CT's first voxel: written as it is, and counted.
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^1 of 2 points have a voxel index below 1 \(before the CT's first voxel/);
    const warningsOf = async (pointsLps: number[]): Promise<string[]> => {
      const told: string[] = [];
      await writeDirLab(path, { ...shape, pointsLps: Float64Array.from(pointsLps) }, { spacingMm: [0.625, 0.625, 2.5], onWarning: (m) => told.push(m) });
      return told;
    };
    assert.deepEqual(await warningsOf(plain(shape.pointsLps).slice(0, 3)), []);
    // Index 0.5 is the first voxel's edge, inside the scan; just below it is outside.
    const edge = await warningsOf([-0.3125, -0.3125, 1.25, -0.3124, -0.3125, 1.25]);
    assert.equal(edge.length, 1);
    assert.match(edge[0], /^1 of 2 points/);
  });
});

test('DIR-Lab: bad input is an InputError naming the file and the line', async () => {
  const rejects = async (text: string, problem: string, re: RegExp, spacingMm: Vec3 = SPACING): Promise<void> => {
    await withFile(text, (path) =>
      assert.rejects(readDirLab(path, { spacingMm }), (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.equal(e.problem, problem, e.message);
        assert.match(e.message, /xyz_r1\.txt: /);
        assert.match(e.message, re);
        return true;
      }),
    );
  };
  await rejects('\n \n', 'empty', /only blank lines/);
  await rejects('1\t2\t3\n4\t5\n', 'malformed', /line 2: 2 values, expected 3/);
  await rejects('1\t2\t3\t4\n', 'malformed', /line 1: 4 values/);
  await rejects('1\t2\t3\n\n4\tfive\t6\n', 'malformed', /line 3, y: 'five' is not a number/);
  await rejects('1\tnan\t3\n', 'non-finite', /line 1, y: non-finite/);
  await rejects('1\t2\t3\n', 'malformed', /spacing must be three positive numbers/, [0.6, 0, 2.5]);
  await rejects('1\t2\t3\n', 'malformed', /spacing must be three positive numbers/, [0.6, 0.6] as unknown as Vec3);
});

test('DIR-Lab: corrupted copies of a real eBH file are read or refused with an InputError, never anything else', { skip: needsSharedData() }, async () => {
  const original = new Uint8Array(await readFile(sharedPath('lung/dirlab-copd/copd1_300_eBH_xyz_r1.txt')));
  let refused = 0;
  for (const m of mutants(original, 150, 11)) {
    try {
      const data = dirLabCodec.parse(m.bytes, 'mutant_xyz_r1.txt', { spacingMm: SPACING });
      assert.ok(data.points.every(Number.isFinite), m.description);
    } catch (e) {
      assert.ok(e instanceof InputError, `${m.description}: ${String(e)}`);
      refused++;
    }
  }
  assert.ok(refused > 0, 'some mutants must be refused');
});

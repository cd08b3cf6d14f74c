import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPoints, writePoints } from '../../../core/io/points/index.ts';
import { MARKUPS_SCHEMA } from '../../../core/io/points/mrk-json.ts';
import { jsonErrorOffset, lineAndColumn } from '../../../core/io/points/json-error-offset.ts';
import { InputError } from '../../../core/io/errors.ts';
import type { Shape } from '../../../core/shape/index.ts';
import { markupsJsonCodec } from '../../../core/io/points/mrk-json.ts';
import { mutants } from '../../support/mutate.ts';

const plain = (a: ArrayLike<number>): number[] => Array.from(a, (v) => v + 0);

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'monge-points-mrk-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readMrkText(text: string, options: Parameters<typeof readPoints>[1] = {}): Promise<Shape> {
  return withTemp(async (dir) => {
    const path = join(dir, 'm.mrk.json');
    await writeFile(path, text);
    return readPoints(path, options);
  });
}

async function rejectsMrk(text: string, problem: string, re: RegExp): Promise<void> {
  await assert.rejects(readMrkText(text), (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.match(e.message, /m\.mrk\.json: /);
    assert.match(e.message, re);
    return true;
  });
}

const cp = (label: string, position: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: label,
  label,
  position,
  orientation: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
  selected: true,
  locked: false,
  visibility: true,
  positionStatus: 'defined',
  ...extra,
});

test('mrk.json: every control point of every markup, each markup in its own frame, missing frame = LPS', async () => {
  const doc = {
    '@schema': MARKUPS_SCHEMA,
    markups: [
      { type: 'Fiducial', coordinateSystem: 'RAS', coordinateUnits: 'mm', controlPoints: [cp('A', [1, 2, 3]), cp('B', [-4, 5.5, 6])] },
      { type: 'Line', controlPoints: [cp('C', [7, 8, 9])] },
      { type: 'Fiducial', coordinateSystem: 'LPS', controlPoints: [] },
    ],
  };
  const s = await readMrkText(JSON.stringify(doc), { assumeFrame: 'LPS' });
  assert.equal(s.sourceFrame, 'RAS', 'the first markup sets the source frame');
  assert.deepEqual(plain(s.pointsLps), [-1, -2, 3, 4, -5.5, 6, 7, 8, 9]);
  assert.deepEqual(s.labels, ['A', 'B', 'C']);
  const lps = await readMrkText(JSON.stringify({ markups: [{ type: 'Fiducial', controlPoints: [cp('A', [1, 2, 3])] }] }), { assumeFrame: 'RAS' });
  assert.equal(lps.sourceFrame, 'LPS', "no coordinateSystem is Slicer's default LPS, not the caller's assumption");
  assert.deepEqual(plain(lps.pointsLps), [1, 2, 3]);
});

test('mrk.json: micrometre units are scaled to mm; unlabelled points have no labels', async () => {
  const s = await readMrkText(
    JSON.stringify({ markups: [{ coordinateSystem: 'LPS', coordinateUnits: 'um', controlPoints: [{ position: [1000, -2500, 3] }] }] }),
  );
  assert.deepEqual(plain(s.pointsLps), [1, -2.5, 0.003]);
  assert.equal(s.labels, undefined);
});

test('mrk.json: a large markup (200,000 points, as a vessel tree converted by monge convert) is read whole', async () => {
  const n = 200_000;
  const pointsLps = Float64Array.from({ length: 3 * n }, (_, i) => (i % 3) + Math.floor(i / 3) * 1e-3);
  await withTemp(async (dir) => {
    const path = join(dir, 'big.mrk.json');
    await writePoints(path, { kind: 'points', pointsLps, arrays: [], sourceFrame: 'LPS' });
    const back = await readPoints(path);
    assert.equal(back.pointsLps.length, 3 * n);
    assert.deepEqual([back.pointsLps[3 * n - 3], back.pointsLps[3 * n - 1]], [pointsLps[3 * n - 3], pointsLps[3 * n - 1]]);
  });
});

test('mrk.json: round trip in RAS and LPS; the writer writes the schema, frame and units', async () => {
  const shape: Shape = {
    kind: 'points',
    pointsLps: Float64Array.from([0.1 + 0.2, -7.25, 1e-12, 100, 200, -300]),
    labels: ['a', 'b "quoted"'],
    arrays: [],
    sourceFrame: 'RAS',
  };
  await withTemp(async (dir) => {
    for (const frame of ['RAS', 'LPS'] as const) {
      const path = join(dir, `rt-${frame}.mrk.json`);
      await writePoints(path, shape, { frame });
      const doc = JSON.parse(await readFile(path, 'utf8'));
      assert.equal(doc['@schema'], MARKUPS_SCHEMA);
      assert.equal(doc.markups.length, 1);
      assert.equal(doc.markups[0].type, 'Fiducial');
      assert.equal(doc.markups[0].coordinateSystem, frame);
      assert.equal(doc.markups[0].coordinateUnits, 'mm');
      assert.deepEqual(doc.markups[0].controlPoints[1].position, frame === 'RAS' ? [-100, -200, -300] : [100, 200, -300]);
      const back = await readPoints(path);
      assert.equal(back.sourceFrame, frame);
      assert.deepEqual(plain(back.pointsLps), plain(shape.pointsLps));
      assert.deepEqual(back.labels, shape.labels);
    }
    // Default write frame: the shape's source frame.
    const path = join(dir, 'default.mrk.json');
    await writePoints(path, { ...shape, labels: undefined });
    const doc = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(doc.markups[0].coordinateSystem, 'RAS');
    assert.deepEqual(doc.markups[0].controlPoints.map((p: { label: string }) => p.label), ['F-1', 'F-2']);
  });
});

test('mrk.json: bad input is an InputError naming the file and the entry', async () => {
  await rejectsMrk('{"markups": [\n  {"controlPoints": [}\n]}', 'malformed', /invalid JSON/);
  await rejectsMrk('{"markups": [\n  {"controlPoints": [}\n]}', 'malformed', /line 2, column 22: invalid JSON/);
  await rejectsMrk('[1, 2, 3]', 'malformed', /no "markups" list/);
  await rejectsMrk('{"markups": []}', 'empty', /no control points/);
  await rejectsMrk('{"markups": [{"type": "Fiducial", "controlPoints": []}]}', 'empty', /no control points/);
  await rejectsMrk('{"markups": [{"type": "Fiducial"}]}', 'empty', /no control points/);
  await rejectsMrk('{"markups": [7]}', 'malformed', /markups\[0\] is not an object/);
  await rejectsMrk('{"markups": [{"controlPoints": {}}]}', 'malformed', /markups\[0\]\.controlPoints is not a list/);
  await rejectsMrk(JSON.stringify({ markups: [{ controlPoints: [cp('A', [1, 2])] }] }), 'malformed', /controlPoints\[0\] \('A'\): "position" must be a list of 3/);
  await rejectsMrk(JSON.stringify({ markups: [{ controlPoints: [cp('A', [1, 2, 3]), cp('B', [1, '2', 3])] }] }), 'malformed', /controlPoints\[1\] \('B'\): position\[1\] is "2"/);
  await rejectsMrk('{"markups": [{"controlPoints": [{"position": [1, 2, 1e999]}]}]}', 'non-finite', /position\[2\] is not finite/);
  await rejectsMrk(JSON.stringify({ markups: [{ controlPoints: [cp('A', [0, 0, 0], { positionStatus: 'undefined' })] }] }), 'malformed', /'A'\) has no defined position/);
  await rejectsMrk(JSON.stringify({ markups: [{ coordinateSystem: 'IJK', controlPoints: [cp('A', [0, 0, 0])] }] }), 'unsupported', /coordinateSystem "IJK"/);
  await rejectsMrk(JSON.stringify({ markups: [{ coordinateUnits: 'cm', controlPoints: [cp('A', [0, 0, 0])] }] }), 'unsupported', /coordinateUnits "cm"/);
});

test('jsonErrorOffset: undefined exactly for what JSON.parse accepts, else the offset where the text goes wrong', () => {
  const valid = ['{}', '[]', '1', '"a\\u00e9\\n"', '{"a":[1,2,{"b":null}],"c":true}', ' [ -0.5e+3 , false ] ', '[[[[]]]]'];
  for (const v of valid) {
    JSON.parse(v);
    assert.equal(jsonErrorOffset(v), undefined, v);
  }
  const bad: [string, number][] = [
    ['', 0],
    ['{', 1],
    ['{"a"}', 4],
    ['{"a":}', 5],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['{"a":1,}', 7],
    ['01', 1],
    ['"abc', 4],
    ['"\\x"', 1],
    ['[1]x', 3],
    ['tru', 0],
    ['['.repeat(100000), 100000],
  ];
  for (const [b, at] of bad) {
    assert.throws(() => JSON.parse(b));
    assert.equal(jsonErrorOffset(b), at, b.slice(0, 20));
  }
  assert.deepEqual(lineAndColumn('ab\ncd\nef', 4), { line: 2, column: 2 });
});

test('mrk.json: corrupted copies of a written file are read or refused with an InputError, never anything else', async () => {
  const shape: Shape = {
    kind: 'points',
    pointsLps: Float64Array.from({ length: 60 }, (_, i) => (i * 7.3) % 50 - 25),
    labels: Array.from({ length: 20 }, (_, i) => `L${i}`),
    arrays: [],
    sourceFrame: 'RAS',
  };
  const original = new TextEncoder().encode(markupsJsonCodec.serialize({ points: shape.pointsLps, labels: shape.labels, arrays: [] }, { frame: 'RAS' }));
  let refused = 0;
  for (const m of mutants(original, 150, 3)) {
    try {
      const data = markupsJsonCodec.parse(m.bytes, 'mutant.mrk.json', {});
      assert.ok(data.points.every(Number.isFinite), m.description);
    } catch (e) {
      assert.ok(e instanceof InputError, `${m.description}: ${String(e)}`);
      refused++;
    }
  }
  assert.ok(refused > 0, 'some mutants must be refused');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvPointsCodec, stripTrailingNote } from '../../../core/io/points/csv.ts';
import { rewriteCsvPoints } from '../../../core/io/points/csv-rewrite.ts';
import { readPoints, writePoints } from '../../../core/io/points/index.ts';
import { InputError } from '../../../core/io/errors.ts';
import type { Shape } from '../../../core/shape/index.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { mutants } from '../../support/mutate.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** Plain numbers with −0 folded into 0 (a sign flip of 0 is not a difference). */
const plain = (a: ArrayLike<number>): number[] => Array.from(a, (v) => v + 0);

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'monge-points-csv-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `text` to a temp .csv and reads it with readPoints. */
async function readCsvText(text: string, options: Parameters<typeof readPoints>[1] = {}, name = 'p.csv'): Promise<Shape> {
  return withTemp(async (dir) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return readPoints(path, options);
  });
}

/** Asserts that reading `text` fails with an InputError whose problem is `problem` and message matches `re`. */
async function rejectsCsv(text: string, problem: string, re: RegExp, options: Parameters<typeof readPoints>[1] = {}): Promise<void> {
  await assert.rejects(readCsvText(text, options), (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.match(e.message, /p\.csv: /);
    assert.match(e.message, re);
    return true;
  });
}

test('CSV: x,y,z (any case), label, spatial-vector groups and scalar columns', async () => {
  const shape = await readCsvText(
    'X,Y,Z,Label,matched_x,matched_y,matched_z,confidence,note\n' +
      '1.5,-2,3e1,"apex, left",10,20,30,0.9,first\n' +
      '4,5,6,B,-1,-2,-3,0.25,second\n',
  );
  assert.equal(shape.kind, 'points');
  assert.equal(shape.sourceFrame, 'LPS');
  assert.deepEqual(Array.from(shape.pointsLps), [1.5, -2, 30, 4, 5, 6]);
  assert.deepEqual(shape.labels, ['apex, left', 'B']);
  assert.equal(shape.arrays.length, 2, 'text column "note" is not an array');
  const [matched, confidence] = shape.arrays;
  assert.deepEqual({ ...matched, values: Array.from(matched.values) }, {
    name: 'matched',
    components: 3,
    values: [10, 20, 30, -1, -2, -3],
    spatialVector: true,
  });
  assert.equal(confidence.name, 'confidence');
  assert.equal(confidence.components, 1);
  assert.deepEqual(Array.from(confidence.values), [0.9, 0.25]);
});

test('CSV: frame from a # SPACE= / # coordinateSystem= comment, else assumeFrame, else LPS', async () => {
  const body = 'x,y,z,d_x,d_y,d_z\n1,2,3,4,5,6\n';
  const ras = await readCsvText(`# SPACE=RAS\n${body}`);
  assert.equal(ras.sourceFrame, 'RAS');
  assert.deepEqual(Array.from(ras.pointsLps), [-1, -2, 3]);
  assert.deepEqual(Array.from(ras.arrays[0].values), [-4, -5, 6], 'spatial vectors flip with the points');
  const ras2 = await readCsvText(`# coordinatesystem = ras\n${body}`);
  assert.deepEqual(Array.from(ras2.pointsLps), [-1, -2, 3]);
  // The file's declaration wins over the caller's assumption.
  const lps = await readCsvText(`#SPACE=LPS\n${body}`, { assumeFrame: 'RAS' });
  assert.deepEqual(Array.from(lps.pointsLps), [1, 2, 3]);
  assert.equal(lps.sourceFrame, 'LPS');
  // No declaration: the caller's frame, else LPS.
  assert.deepEqual(Array.from((await readCsvText(body, { assumeFrame: 'RAS' })).pointsLps), [-1, -2, 3]);
  assert.deepEqual(Array.from((await readCsvText(body)).pointsLps), [1, 2, 3]);
  await rejectsCsv(`# SPACE=IJK\n${body}`, 'unsupported', /line 1: unknown coordinate system 'IJK'/);
});

test('CSV: x_mm names, unit suffixes, name/id label columns', async () => {
  const a = await readCsvText('name,x_mm,y_mm,z_mm\nP1,1,2,3\n');
  assert.deepEqual(Array.from(a.pointsLps), [1, 2, 3]);
  assert.deepEqual(a.labels, ['P1']);
  const b = await readCsvText('id,x (mm),y (mm),z [mm]\n7,1,2,3\n');
  assert.deepEqual(Array.from(b.pointsLps), [1, 2, 3]);
  assert.deepEqual(b.labels, ['7']);
});

test('CSV: two point sets in one file, selected by prefix (the shared DIR-Lab layout, trailing note included)', async () => {
  const text =
    'insp_x_mm,insp_y_mm,insp_z_mm,exp_x_mm,exp_y_mm,exp_z_mm  (mm = voxel_index(1-based, as in DIR-Lab txt) * spacing; same frame)\n' +
    '117.5000,162.5000,10.0000,121.2500,160.6250,17.5000\n' +
    '111.8750,175.6250,17.5000,116.2500,176.8750,22.5000\n';
  const insp = await readCsvText(text, { prefix: 'insp', assumeFrame: 'RAS' });
  assert.deepEqual(Array.from(insp.pointsLps), [-117.5, -162.5, 10, -111.875, -175.625, 17.5]);
  assert.equal(insp.arrays[0].name, 'exp', 'the other set is kept as a spatial-vector array');
  assert.deepEqual(Array.from(insp.arrays[0].values), [-121.25, -160.625, 17.5, -116.25, -176.875, 22.5]);
  const exp = await readCsvText(text, { prefix: 'EXP_', assumeFrame: 'RAS' });
  assert.deepEqual(Array.from(exp.pointsLps), [-121.25, -160.625, 17.5, -116.25, -176.875, 22.5]);
  await rejectsCsv(text, 'malformed', /line 1: no x, y, z columns; the file holds the point sets 'insp', 'exp'.*--prefix insp/);
  await rejectsCsv(text, 'malformed', /no fixed_x, fixed_y, fixed_z columns.*point sets present: insp, exp/, { prefix: 'fixed' });
});

test('CSV: stripTrailingNote removes only a parenthesised note that ends the line after white space', () => {
  assert.equal(stripTrailingNote('a,b,c  (mm = i(1) * s; x)'), 'a,b,c');
  assert.equal(stripTrailingNote('a,b,f(x)'), 'a,b,f(x)');
  assert.equal(stripTrailingNote('a,b,c'), 'a,b,c');
  assert.equal(stripTrailingNote('a,b,c )'), 'a,b,c )');
});

test('CSV: round trip in RAS and in LPS gives the same LPS points, labels and arrays, to the last bit, with no frame given on reading', async () => {
  const shape: Shape = {
    kind: 'points',
    pointsLps: Float64Array.from([0.1 + 0.2, -123.456789012345678, 1e-300, 5e300, -0, 7, Math.PI, -Math.E, 1 / 3]),
    labels: ['a,b', 'quote "q"', ' padded '],
    arrays: [
      { name: 'disp', components: 3, values: Float64Array.from([1, 2, 3, -4, -5, -6, 0.7, 0.8, 0.9]), spatialVector: true },
      { name: 'w', components: 1, values: Float64Array.from([0.5, 1.25, 2]) },
      { name: 'rgb', components: 3, values: Float32Array.from([0.25, 0.5, 1, 0, 0, 0, 1, 1, 1]) },
    ],
    sourceFrame: 'LPS',
  };
  await withTemp(async (dir) => {
    for (const frame of ['RAS', 'LPS'] as const) {
      const path = join(dir, `rt-${frame}.csv`);
      await writePoints(path, shape, { frame });
      const text = await readFile(path, 'utf8');
      // LPS, a plain CSV's default, gets a plain header; RAS declares itself, so that it is never read back mirrored.
      const declaration = frame === 'RAS' ? '# SPACE=RAS\n' : '';
      assert.ok(text.startsWith(`${declaration}x,y,z,label,disp_x,disp_y,disp_z,w,rgb_0,rgb_1,rgb_2\n`), 'a frame line only for RAS');
      const first = text.split('\n')[frame === 'RAS' ? 2 : 1].split(',');
      assert.equal(Number(first[0]), frame === 'RAS' ? -(0.1 + 0.2) : 0.1 + 0.2, 'written in the requested frame');
      const back = await readPoints(path);
      assert.deepEqual(plain(back.pointsLps), plain(shape.pointsLps));
      assert.deepEqual(back.labels, shape.labels);
      assert.equal(back.arrays[0].name, 'disp');
      assert.equal(back.arrays[0].spatialVector, true);
      assert.deepEqual(plain(back.arrays[0].values), plain(shape.arrays[0].values));
      assert.deepEqual(Array.from(back.arrays[1].values), [0.5, 1.25, 2]);
      assert.deepEqual(back.arrays.slice(2).map((a) => [a.name, ...a.values]), [
        ['rgb_0', 0.25, 0, 1],
        ['rgb_1', 0.5, 0, 1],
        ['rgb_2', 1, 0, 1],
      ]);
    }
    // With declareFrame the file carries its frame, so no assumption is needed.
    const path = join(dir, 'declared.csv');
    await writePoints(path, { ...shape, sourceFrame: 'RAS' }, { declareFrame: true });
    assert.ok((await readFile(path, 'utf8')).startsWith('# SPACE=RAS\nx,y,z'));
    const back = await readPoints(path);
    assert.equal(back.sourceFrame, 'RAS');
    assert.deepEqual(plain(back.pointsLps), plain(shape.pointsLps));
  });
});

test('CSV: bad input is an InputError naming the file and the line', async () => {
  await rejectsCsv('  \n\n', 'empty', /only blank lines/);
  await rejectsCsv('# only a comment\n', 'empty', /no header/);
  await rejectsCsv('a,b,c\n1,2,3\n', 'malformed', /line 1: no x, y, z columns/);
  await rejectsCsv('x,y,z\n', 'empty', /header \(line 1\) but no points/);
  await rejectsCsv('x,y,z\n1,2,3\n1,two,3\n', 'malformed', /line 3, column y: 'two' is not a number/);
  await rejectsCsv('x,y,z\n1,2,3\n\n1,0x10,3\n', 'malformed', /line 4, column y: '0x10' is not a number/);
  await rejectsCsv('x,y,z\n1,,3\n', 'malformed', /line 2, column y: empty cell/);
  await rejectsCsv('x,y,z\n1,NaN,3\n', 'non-finite', /line 2, column y: non-finite value 'NaN'/);
  await rejectsCsv('x,y,z\n1,2,-inf\n', 'non-finite', /line 2, column z/);
  await rejectsCsv('x,y,z\n1,2,1e999\n', 'non-finite', /line 2, column z: '1e999' overflows/);
  await rejectsCsv('x,y,z,w\n1,2,3,0.5\n1,2,3,nan\n', 'non-finite', /line 3, column w/);
  await rejectsCsv('x,y,z\n1,2,3\n4,5\n', 'malformed', /line 3: 2 values where the header has 3 columns/);
  await rejectsCsv('x,y,z\n1,2,3,4\n', 'malformed', /line 2: 4 values where the header has 3 columns/);
  await rejectsCsv('x,y,z,label\n1,2,3,"open\n', 'malformed', /line 2: unclosed quote/);
  await rejectsCsv('x,y,z,X\n1,2,3,4\n', 'malformed', /column 'X' appears twice/);
  await rejectsCsv('x,y,z\n1,2,3\u0000\n', 'malformed', /binary data/);
  await withTemp(async (dir) => {
    const path = join(dir, 'empty.csv');
    await writeFile(path, '');
    await assert.rejects(readPoints(path), (e: unknown) => e instanceof InputError && e.problem === 'empty' && e.message.includes(path));
  });
});

test('CSV: corrupted copies of a real landmark CSV are read or refused with an InputError, never anything else', { skip: needsSharedData() }, async () => {
  const original = new Uint8Array(await readFile(sharedPath('lung/dirlab-copd/copd1_300_landmarks_mm.csv')));
  let refused = 0;
  for (const m of mutants(original, 150, 7)) {
    try {
      const data = csvPointsCodec.parse(m.bytes, 'mutant.csv', { prefix: 'insp' });
      assert.ok(data.points.every(Number.isFinite), m.description);
    } catch (e) {
      assert.ok(e instanceof InputError, `${m.description}: ${String(e)}`);
      refused++;
    }
  }
  assert.ok(refused > 0, 'some mutants must be refused');
});

test('CSV rewrite: only the point set changes; a frame other than LPS and the one read in is declared; rows must match', () => {
  const template = new TextEncoder().encode('id,x,y,z,note\n7,1,2,3,"a, b"\n8,4,5,6,c\n');
  const points = Float64Array.from([-1.5, 2, 3.25, 0, 0, 0]);
  // Read as LPS (the default), written in RAS: the copy says so.
  assert.equal(
    rewriteCsvPoints(template, 't.csv', { readFrame: 'LPS', frame: 'RAS', points }),
    '# SPACE=RAS\nid,x,y,z,note\n7,-1.5,2,3.25,"a, b"\n8,0,0,0,c\n',
  );
  // Read in RAS because the user said so, written in RAS: as plain as the input.
  assert.equal(rewriteCsvPoints(template, 't.csv', { readFrame: 'RAS', frame: 'RAS', points }), 'id,x,y,z,note\n7,-1.5,2,3.25,"a, b"\n8,0,0,0,c\n');
  // A declared frame is rewritten to the one written.
  const declared = new TextEncoder().encode('# coordinateSystem=RAS\nx,y,z\n1,2,3\n');
  assert.equal(rewriteCsvPoints(declared, 'd.csv', { readFrame: 'RAS', frame: 'LPS', points: Float64Array.from([9, 8, 7]) }), '# SPACE=LPS\nx,y,z\n9,8,7\n');
  assert.throws(() => rewriteCsvPoints(template, 't.csv', { readFrame: 'LPS', frame: 'LPS', points: points.subarray(0, 3) }), (e: unknown) => e instanceof InputError && /t\.csv/.test(e.message));
});

test('CSV rewrite: a file holding several point sets keeps one frame: the others are converted with the one written', async (t) => {
  const two = new TextEncoder().encode('insp_x,insp_y,insp_z,exp_x_mm,exp_y_mm,exp_z_mm,note\n1,2,3,4,5,6,x\n,,,7,8,9,no insp\n');
  const moved = Float64Array.from([40, 50, 60, 70, 80, 90]);
  const ras = rewriteCsvPoints(two, 'two.csv', { prefix: 'exp', readFrame: 'LPS', frame: 'RAS', points: moved });
  assert.equal(ras, '# SPACE=RAS\ninsp_x,insp_y,insp_z,exp_x_mm,exp_y_mm,exp_z_mm,note\n-1,-2,3,40,50,60,x\n,,,70,80,90,no insp\n');
  // Read back (its complete rows), each set is where it was, in LPS: insp unmoved, exp moved.
  const file = join(await tempDir(t, 'csv-rewrite'), 'two.csv');
  await writeFile(file, ras.split('\n').slice(0, 3).join('\n'));
  const back = (prefix: string) => readPoints(file, { prefix }).then((s) => Array.from(s.pointsLps));
  assert.deepEqual(await back('insp'), [1, 2, 3]);
  assert.deepEqual(await back('exp'), [-40, -50, 60]);
  // Read in RAS (stated), written in LPS: no SPACE line (a plain CSV is LPS), and insp in LPS too.
  assert.equal(
    rewriteCsvPoints(two, 'two.csv', { prefix: 'exp', readFrame: 'RAS', frame: 'LPS', points: moved }),
    'insp_x,insp_y,insp_z,exp_x_mm,exp_y_mm,exp_z_mm,note\n-1,-2,3,40,50,60,x\n,,,70,80,90,no insp\n',
  );
  // The same frame: the other set is left as it was, byte for byte.
  assert.match(rewriteCsvPoints(two, 'two.csv', { prefix: 'exp', readFrame: 'LPS', frame: 'LPS', points: moved }), /^insp_x[^\n]*\n1,2,3,40/);
});

test('CSV: array columns named like the coordinates or like each other are renamed, so the file reads back', async () => {
  const shape: Shape = {
    kind: 'points',
    pointsLps: Float64Array.from([1, 2, 3, 4, 5, 6]),
    arrays: [
      { name: 'x', components: 1, values: Float64Array.from([7, 8]) },
      { name: 'Label', components: 1, values: Float64Array.from([9, 10]) },
    ],
    labels: ['a', 'b'],
    sourceFrame: 'LPS',
  };
  await withTemp(async (dir) => {
    const path = join(dir, 'clash.csv');
    await writePoints(path, shape);
    assert.equal((await readFile(path, 'utf8')).split('\n')[0], 'x,y,z,label,x_2,Label_2');
    const back = await readPoints(path);
    assert.deepEqual(plain(back.pointsLps), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(back.arrays.map((a) => [a.name, ...a.values]), [['x_2', 7, 8], ['Label_2', 9, 10]]);
  });
});

test('a CSV saved as UTF-16 with its byte-order mark (Windows PowerShell 5.1\'s default) reads as the same points', async () => {
  const text = 'label,x,y,z\r\nCarina,1.5,-2,3\r\n';
  const utf8 = await readCsvText(text);
  await withTemp(async (dir) => {
    const path = join(dir, 'p.csv');
    await writeFile(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const utf16 = await readPoints(path);
    assert.deepEqual(plain(utf16.pointsLps), plain(utf8.pointsLps));
    assert.equal(utf16.pointsLps.length, 3);
    assert.deepEqual([utf16.labels, utf8.labels], [['Carina'], ['Carina']]);
  });
});

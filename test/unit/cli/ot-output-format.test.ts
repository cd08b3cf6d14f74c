/**
 * `monge ot -o OUT`: OUT is the per-point arrays 'matched' and 'confidence', so a format that cannot hold them is
 * refused before anything is read or solved (exit 2). Before, .fcsv / .mrk.json / .surf exited 0 without the arrays,
 * and .stl / .obj / .off failed with exit 3 only after the solve.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readShape } from '../../../core/io/index.ts';
import { keepsPointArrays, POINT_ARRAY_SUFFIXES } from '../../../core/io/point-array-formats.ts';
import { monge } from '../../support/monge-cli.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { writeTranslatedPair } from './translated-pair.ts';

test('the formats that keep point arrays are the ones written with them', () => {
  assert.deepEqual([...POINT_ARRAY_SUFFIXES].sort(), ['.csv', '.gii', '.gii.gz', '.ply', '.vtk', '.vtp']);
  for (const ok of ['m.vtk', 'M.VTP', 'm.ply', 'm.gii', 'm.gii.gz', 'm.csv']) assert.ok(keepsPointArrays(ok), ok);
  for (const no of ['m.fcsv', 'm.mrk.json', 'm.json', 'm.surf', 'lh.white', 'm.stl', 'm.obj', 'm.off', 'm.txt', 'm.xyz']) assert.ok(!keepsPointArrays(no), no);
});

test('ot -o OUT.fcsv / .mrk.json / .surf / .stl / .obj / .off / .txt: exit 2 before reading, naming OUT and the formats that hold the arrays', async (t) => {
  const dir = await tempDir(t, 'ot-format');
  const { moving, fixed } = writeTranslatedPair(dir, 60);
  for (const suffix of ['.fcsv', '.mrk.json', '.surf', '.stl', '.obj', '.off', '.txt']) {
    const out = join(dir, `m${suffix}`);
    const r = monge('ot', moving, fixed, '-o', out, '--engine', 'js');
    assert.equal(r.code, 2, `${suffix}: ${r.stderr}`);
    assert.equal(
      r.stderr,
      `monge ot: ${out}: a ${suffix} file cannot hold the point arrays 'matched' and 'confidence'; write .vtk, .vtp, .ply, .gii.gz, .gii, .csv, which hold per-point arrays\nTry 'monge ot --help'.\n`,
    );
    // Before anything is read: missing inputs are not reached (they were exit 3 after the check came too late).
    const unread = monge('ot', join(dir, 'missing-a.csv'), join(dir, 'missing-b.csv'), '-o', out);
    assert.equal(unread.code, 2, `${suffix}: ${unread.stderr}`);
    assert.match(unread.stderr, /cannot hold the point arrays/);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['a.csv', 'b.csv'], 'nothing written');
});

test('ot -o OUT.vtp / .ply / .gii: the matched points and confidences are in the file', async (t) => {
  const dir = await tempDir(t, 'ot-format');
  const { moving, fixed } = writeTranslatedPair(dir, 60);
  const points = await readShape(moving);
  for (const suffix of ['.vtp', '.ply', '.gii']) {
    const out = join(dir, `m${suffix}`);
    const r = monge('ot', moving, fixed, '-o', out, '--blur', '0.5', '--engine', 'js');
    assert.equal(r.code, 0, `${suffix}: ${r.stderr}`);
    const shape = await readShape(out);
    const matched = shape.arrays.find((a) => a.name === 'matched');
    const confidence = shape.arrays.find((a) => a.name === 'confidence');
    assert.ok(matched && matched.components === 3 && confidence && confidence.components === 1, `${suffix}: ${shape.arrays.map((a) => a.name).join(', ')}`);
    // The fixed cloud is the moving one moved by (3, −2, 1) mm (LPS as written in the CSV): each point is matched to its copy.
    const shift = [3, -2, 1];
    let worst = 0;
    for (let i = 0; i < matched.values.length; i++) worst = Math.max(worst, Math.abs(matched.values[i] - points.pointsLps[i] - shift[i % 3]));
    assert.ok(worst < 0.1, `${suffix}: worst match deviation ${worst} mm`);
    for (const w of confidence.values) assert.ok(Math.abs(w - 1) < 1e-2, `${suffix}: confidence ${w}`);
  }
});

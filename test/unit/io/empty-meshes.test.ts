import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../../core/io/errors.ts';
import { MESH_CODECS, readMesh } from '../../../core/io/meshes/index.ts';
import { tempDir } from '../../support/temp-dir.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Files that are well formed but hold no point, as other tools write them (hand-written, not Monge's writers). */
const EMPTY_FILES: Record<string, Uint8Array> = {
  'zero-count.stl': new Uint8Array(84), // an all-zero header and a facet count of 0
  'ascii.stl': text('solid x\nendsolid x\n'),
  'empty.off': text('OFF\n0 0 0\n'),
  'empty.ply': text('ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nproperty float y\nproperty float z\nend_header\n'),
  'empty.vtk': text('# vtk DataFile Version 3.0\ne\nASCII\nDATASET POLYDATA\nPOINTS 0 float\n'),
  'comment.obj': text('# nothing but a comment\n'),
};

test('a mesh file with no points is refused as empty, naming the file, whatever its format', async (t) => {
  const dir = await tempDir(t, 'empty-mesh');
  const files = Object.entries(EMPTY_FILES);
  // Formats without a hand-written case above: Monge's own writer gives a syntactically valid empty file.
  for (const codec of MESH_CODECS) {
    if (!codec.serialize || files.some(([name]) => name.endsWith(codec.extensions[codec.extensions.length - 1]))) continue;
    const name = codec.format === 'freesurfer' ? 'lh.white' : `writer${codec.extensions[codec.extensions.length - 1]}`;
    files.push([name, codec.serialize({ points: new Float64Array(0), triangles: new Uint32Array(0), arrays: [] }, { frame: codec.onlyFrame ?? 'LPS' })]);
  }
  assert.ok(files.length >= 8, files.map(([n]) => n).join(' '));
  for (const [name, bytes] of files) {
    const path = join(dir, name);
    await writeFile(path, bytes);
    await assert.rejects(readMesh(path), (e: unknown) => {
      assert.ok(e instanceof InputError, `${name}: expected an InputError, got ${String(e)}`);
      assert.equal(e.problem, 'empty', `${name}: ${e.message}`);
      assert.equal(e.file, path);
      return true;
    });
  }
  // The control case: one triangle reads.
  const one = join(dir, 'one.off');
  await writeFile(one, 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n');
  assert.equal((await readMesh(one)).pointsLps.length, 9);
});

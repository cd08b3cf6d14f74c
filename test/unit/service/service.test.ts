import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { lpsToContinuousIndex, worldBoundsLps } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readShape } from '../../../core/io/index.ts';
import { boundsOf, enclosedVolume } from '../../../core/shape/index.ts';
import type { DisplaySlice, JobEvent } from '../../../main/service/api.ts';
import { MongeService, safeUploadName } from '../../../main/service/service.ts';
import { needsSharedData } from '../../support/data.ts';
import { disagreeingFormsMask } from '../../support/nifti-bytes.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { icosphere } from '../metrics/meshes.ts';
import { BRAIN, LUNG } from '../../e2e/support/results-fixture.ts';

const skip = needsSharedData();

function service(): { s: MongeService; events: JobEvent[] } {
  const s = new MongeService({ host: 'web' });
  const events: JobEvent[] = [];
  s.onJobEvent((e) => events.push(e));
  return { s, events };
}

test('openFile: a mesh by path comes back as Float32 LPS with its triangles and bounds', { skip }, async () => {
  const { s } = service();
  try {
    const opened = await s.openFile({ path: BRAIN.white });
    assert.equal(opened.kind, 'mesh');
    const reference = await readShape(BRAIN.white);
    assert.equal(opened.name, 'white_left.gii.gz');
    assert.equal(opened.shape.pointsLps.length, 3 * 10242);
    assert.equal(opened.shape.triangles.length, 3 * 20480);
    assert.deepEqual(opened.shape.pointsLps, Float32Array.from(reference.pointsLps));
    assert.equal(opened.shape.sourceFrame, 'RAS');
    assert.deepEqual(opened.shape.boundsLps, boundsOf(reference.pointsLps));
  } finally {
    await s.dispose();
  }
});

/** The voxel value at the LPS point of slice pixel (c, r), found through the image geometry (nearest voxel). */
function voxelAtPixel(image: Awaited<ReturnType<typeof readImage>>, slice: DisplaySlice, c: number, r: number): number {
  const p: [number, number, number] = [0, 1, 2].map((a) => slice.originLps[a] + c * slice.uStepLps[a] + r * slice.vStepLps[a]) as [number, number, number];
  const [i, j, k] = lpsToContinuousIndex(image, p).map(Math.round);
  return image.data[(k * image.size[1] + j) * image.size[0] + i];
}

test('openFile: a lung mask gives three LPS-labelled slices that match the voxels, and its surface from a worker', { skip }, async () => {
  const { s, events } = service();
  try {
    const opened = await s.openFile({ path: LUNG.fixedMask });
    assert.equal(opened.kind, 'image');
    if (opened.kind !== 'image') return;
    const image = await readImage(LUNG.fixedMask);
    const v = opened.volume;
    assert.deepEqual(v.geometry.size, [192, 192, 208]);
    assert.equal(v.isMask, true);
    assert.deepEqual(v.valueRange, [0, 1]);
    assert.deepEqual(v.slices.map((x) => x.orientation), ['axial', 'coronal', 'sagittal']);
    // Radiological display: patient left on the right, anterior / superior at the top, anterior left in sagittal.
    assert.deepEqual(v.slices.map((x) => x.edgeLabels), [
      { left: 'R', right: 'L', top: 'A', bottom: 'P' },
      { left: 'R', right: 'L', top: 'S', bottom: 'I' },
      { left: 'A', right: 'P', top: 'S', bottom: 'I' },
    ]);
    for (const slice of v.slices) {
      assert.equal(slice.values.length, slice.width * slice.height);
      let foreground = 0;
      for (let r = 0; r < slice.height; r += 7) {
        for (let c = 0; c < slice.width; c += 5) {
          assert.equal(slice.values[r * slice.width + c], voxelAtPixel(image, slice, c, r), `${slice.orientation} pixel ${c},${r}`);
          foreground += slice.values[r * slice.width + c];
        }
      }
      assert.ok(foreground > 50, `${slice.orientation} slice cuts the lungs (${foreground} sampled foreground pixels)`);
    }
    // The display surface: ~3000 vertices, inside the image, enclosing the mask's volume (within 8 %).
    const surface = v.surface;
    assert.ok(surface);
    const nv = surface.pointsLps.length / 3;
    assert.ok(Math.abs(nv - 3000) <= 300, `${nv} vertices`);
    const wb = worldBoundsLps(image);
    for (let a = 0; a < 3; a++) {
      assert.ok(surface.boundsLps[2 * a] >= wb[2 * a] - 4 && surface.boundsLps[2 * a + 1] <= wb[2 * a + 1] + 4);
    }
    let voxels = 0;
    for (const x of image.data) voxels += x;
    const maskVolume = voxels * image.spacingMm[0] * image.spacingMm[1] * image.spacingMm[2];
    const meshVolume = Math.abs(enclosedVolume(surface.pointsLps, surface.triangles));
    assert.ok(Math.abs(meshVolume / maskVolume - 1) < 0.08, `surface encloses ${meshVolume.toFixed(0)} mm³, mask ${maskVolume.toFixed(0)} mm³`);
    const kinds = events.map((e) => e.type);
    assert.deepEqual([kinds[0], kinds.at(-1)], ['started', 'done']);
    assert.match((events[0] as { label: string }).label, /copd1_insp_lungmask\.nii\.gz/);
  } finally {
    await s.dispose();
  }
});

test('openFile: the reader’s warnings come back with the file, named as the user knows it (an upload too)', async (t) => {
  const dir = await tempDir(t, 'service-warnings');
  const mask = await disagreeingFormsMask(dir);
  const { s } = service();
  try {
    const byPath = await s.openFile({ path: mask });
    assert.equal(byPath.warnings.length, 1);
    assert.match(byPath.warnings[0], /^mask\.nii\.gz: its sform \(sform_code 2, aligned\) and qform \(qform_code 1, scanner\) disagree/);
    const upload = await s.openFile({ name: 'scan.nii.gz', bytes: new Uint8Array(await readFile(mask)) });
    assert.equal(upload.warnings.length, 1);
    assert.match(upload.warnings[0], /^scan\.nii\.gz: its sform/);
    assert.doesNotMatch(upload.warnings[0], /monge-session-|uploads/);
    // A file the reader has no doubt about comes with none.
    const off = 'OFF\n4 4 0\n0 0 0\n10 0 0\n0 10 0\n0 0 10\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n';
    assert.deepEqual((await s.openFile({ name: 'tetra.off', bytes: new TextEncoder().encode(off) })).warnings, []);
  } finally {
    await s.dispose();
  }
});

test('openFile as landmarks refuses a volume before reading it: no surface job starts', async (t) => {
  const dir = await tempDir(t, 'service-landmarks-volume');
  const mask = await disagreeingFormsMask(dir);
  const { s, events } = service();
  try {
    await assert.rejects(s.openFile({ path: mask }, { landmarks: true }), /mask\.nii\.gz: is a volume, not a landmark file/);
    assert.equal(events.length, 0, 'no job event');
    // Opened as a shape, the same file is a volume with its surface, from a job.
    const opened = await s.openFile({ path: mask });
    assert.equal(opened.kind, 'image');
    assert.ok(events.some((e) => e.kind === 'surface' && e.type === 'done'));
  } finally {
    await s.dispose();
  }
});

test('openFile: an upload that is not what its name says fails with a message naming the file, not the session copy', async () => {
  const { s } = service();
  try {
    const bytes = new TextEncoder().encode('this is not a NIfTI file at all');
    await assert.rejects(s.openFile({ name: 'broken_scan.nii.gz', bytes }), (e: unknown) => {
      const error = e as Error & { file?: string };
      assert.match(error.message, /broken_scan\.nii\.gz/);
      assert.doesNotMatch(error.message, /monge-session-/);
      assert.equal(error.file, 'broken_scan.nii.gz');
      return true;
    });
    // A detached MetaImage header, uploaded without its data file: the missing file is named, not its session path.
    const mhd = 'ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_UCHAR\nElementDataFile = scan.raw\n';
    await assert.rejects(s.openFile({ name: 'scan.mhd', bytes: new TextEncoder().encode(mhd) }), (e: unknown) => {
      const error = e as Error;
      assert.match(error.message, /scan\.raw/);
      assert.doesNotMatch(error.message, /monge-session-|uploads/);
      return true;
    });
    // The service keeps working: a valid upload opens.
    const off = 'OFF\n4 4 0\n0 0 0\n10 0 0\n0 10 0\n0 0 10\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n';
    const opened = await s.openFile({ name: '../../tetra.off', bytes: new TextEncoder().encode(off) });
    assert.equal(opened.name, 'tetra.off');
    assert.equal(opened.kind, 'mesh');
    if (opened.kind === 'mesh') assert.deepEqual(opened.shape.boundsLps, [0, 10, 0, 10, 0, 10]);
    await assert.rejects(s.openFile({ path: '/nowhere/shape.xyz' }), /not a file format Monge knows/);
    // A binary STL with no triangles (an 84-byte header and count 0) is an empty shape, refused as such.
    await assert.rejects(s.openFile({ name: 'nothing.stl', bytes: new Uint8Array(84) }), /nothing\.stl: holds no points/);
  } finally {
    await s.dispose();
  }
});

test('uploads sent together share one session folder, and dispose leaves none of it behind', async () => {
  const { s } = service();
  const off = new TextEncoder().encode('OFF\n4 4 0\n0 0 0\n10 0 0\n0 10 0\n0 0 10\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n');
  // The app sends the moving and fixed files at once; each used to make its own session folder.
  const opened = await Promise.all(['moving.off', 'fixed.off', 'third.off'].map((name) => s.openFile({ name, bytes: off })));
  const sessionOf = (path: string) => dirname(dirname(dirname(path)));
  const sessions = new Set(opened.map((o) => sessionOf(o.path)));
  assert.equal(sessions.size, 1, [...sessions].join(', '));
  const [session] = sessions;
  assert.match(basename(session!), /^monge-session-/);
  await s.dispose();
  await assert.rejects(stat(session!), { code: 'ENOENT' });
});

test('safeUploadName keeps the suffix and drops folders and odd characters', () => {
  assert.equal(safeUploadName('../../etc/passwd'), 'passwd');
  assert.equal(safeUploadName('C:\\data\\lung mask.nii.gz'), 'lung mask.nii.gz');
  assert.equal(safeUploadName('.hidden.vtk'), 'hidden.vtk');
  assert.equal(safeUploadName('a;b|c.stl'), 'a_b_c.stl');
  assert.equal(safeUploadName(''), 'upload');
  // Letters of any script stay: messages and downloads name the file as the user knows it.
  assert.equal(safeUploadName('ünïcødé 名前.surf'), 'ünïcødé 名前.surf');
  assert.equal(safeUploadName('Größe$1.vtk'), 'Größe_1.vtk');
  // A name that is all suffix keeps it, so the format is still known.
  assert.equal(safeUploadName('.surf'), 'upload.surf');
  // Names a host on Windows cannot write: device names get a prefix; a trailing '.' or ' ' goes.
  assert.equal(safeUploadName('CON.vtk'), 'upload_CON.vtk');
  assert.equal(safeUploadName('nul'), 'upload_nul');
  assert.equal(safeUploadName('lpt1.nii.gz'), 'upload_lpt1.nii.gz');
  assert.equal(safeUploadName('console.vtk'), 'console.vtk');
  assert.equal(safeUploadName('mask.nii.gz. '), 'mask.nii.gz');
});

test('register: the job is wired to the pipeline entry and ends with one failure event for missing inputs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'monge-register-'));
  const s = new MongeService({ host: 'web', resultsRoot: root });
  try {
    const ended = new Promise<JobEvent>((resolve) => s.onJobEvent((e) => ['done', 'failed', 'cancelled'].includes(e.type) && resolve(e)));
    const id = await s.register({ moving: '/nowhere/moving.vtk', fixed: '/nowhere/fixed.vtk' });
    const end = await ended;
    assert.equal(end.jobId, id);
    // The pipeline ran and refused the input, naming it.
    assert.equal(end.type, 'failed');
    assert.match((end as { message: string }).message, /\/nowhere\/moving\.vtk/);
    await assert.rejects(s.register({ moving: 3 } as never), /needs a moving and a fixed file/);
    // An output folder that holds files is refused before any job starts, in the app's words (it has no --overwrite).
    await writeFile(join(root, 'keep.txt'), 'x');
    await assert.rejects(s.register({ moving: '/nowhere/moving.vtk', fixed: '/nowhere/fixed.vtk', outDir: root }), /already holds files: choose a new or empty folder .*Advanced › Output folder/);
    await assert.rejects(s.register({ moving: '/nowhere/moving.vtk', fixed: '/nowhere/fixed.vtk', outDir: join(root, 'keep.txt') }), /keep\.txt is a file: choose a folder/);
    // Overwriting a folder that holds one of the inputs would delete it: refused, whatever the folder's other files.
    await assert.rejects(
      s.register({ moving: join(root, 'keep.txt'), fixed: '/nowhere/fixed.vtk', outDir: root, overwrite: true }),
      /holds keep\.txt, an input of this registration, which replacing the folder would delete: choose another folder .*Advanced › Output folder/,
    );
    assert.deepEqual(await readdir(root), ['keep.txt']);
  } finally {
    await s.dispose();
    await rm(root, { recursive: true, force: true });
  }
});

test('register: results go under resultsRoot (a relative output folder too) and outlive the service', { timeout: 120_000 }, async (t) => {
  const root = await tempDir(t, 'monge-results-root');
  const dir = await tempDir(t, 'monge-results-inputs');
  const off = (scale: number): string => {
    const { pointsLps: points, triangles } = icosphere(2, 50 * scale);
    const v = Array.from({ length: points.length / 3 }, (_, i) => `${points[3 * i]} ${points[3 * i + 1]} ${points[3 * i + 2]}`);
    const f = Array.from({ length: triangles.length / 3 }, (_, i) => `3 ${triangles[3 * i]} ${triangles[3 * i + 1]} ${triangles[3 * i + 2]}`);
    return `OFF\n${v.length} ${f.length} 0\n${[...v, ...f].join('\n')}\n`;
  };
  await writeFile(join(dir, 'moving.off'), off(1.1));
  await writeFile(join(dir, 'fixed.off'), off(1));
  const s = new MongeService({ host: 'web', resultsRoot: root });
  const outDirs: string[] = [];
  try {
    // Named relative: taken from resultsRoot, never from the process's working directory.
    await mkdir(join(root, 'taken'));
    await writeFile(join(root, 'taken', 'keep.txt'), 'x');
    await assert.rejects(s.register({ moving: join(dir, 'moving.off'), fixed: join(dir, 'fixed.off'), outDir: 'taken' }), new RegExp(`^Error: ${join(root, 'taken')} already holds files`));
    for (const outDir of ['case1', undefined]) {
      const ended = new Promise<JobEvent>((resolve) => s.onJobEvent((e) => ['done', 'failed', 'cancelled'].includes(e.type) && resolve(e)));
      await s.register({ moving: join(dir, 'moving.off'), fixed: join(dir, 'fixed.off'), outDir, preset: 'generic', steps: ['prealign'] });
      const end = await ended;
      assert.equal(end.type, 'done', JSON.stringify(end));
      const done = end as { outDir: string };
      assert.equal(dirname(done.outDir), root);
      if (outDir !== undefined) assert.equal(done.outDir, join(root, outDir));
      outDirs.push(done.outDir);
    }
  } finally {
    await s.dispose();
  }
  // The service's session folder is gone; the results are not.
  for (const out of outDirs) assert.ok((await readdir(out)).includes('report.json'), out);
});

test('register: a failure about an upload names the file as the user knows it, not its session copy', { timeout: 60_000 }, async (t) => {
  const root = await tempDir(t, 'monge-upload-names');
  const s = new MongeService({ host: 'web', resultsRoot: root });
  try {
    // A grey image (a CT-like ramp), which register refuses without --threshold, naming the file.
    const grey = await tempDir(t, 'monge-grey');
    const data = Float32Array.from({ length: 12 ** 3 }, (_, i) => -1000 + (i % 97) * 13.7);
    await writeImage(join(grey, 'scan.nii.gz'), { size: [12, 12, 12], spacingMm: [2, 2, 2], originLps: [0, 0, 0], directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 1, data });
    const bytes = new Uint8Array(await readFile(join(grey, 'scan.nii.gz')));
    const [moving, fixed] = await Promise.all([s.openFile({ name: 'grey_ct.nii.gz', bytes }), s.openFile({ name: 'other_ct.nii.gz', bytes })]);
    const ended = new Promise<JobEvent>((resolve) => s.onJobEvent((e) => ['done', 'failed', 'cancelled'].includes(e.type) && resolve(e)));
    await s.register({ moving: moving.path, fixed: fixed.path });
    const end = await ended;
    assert.equal(end.type, 'failed');
    const { message, file } = end as { message: string; file?: string };
    assert.match(message, /grey_ct\.nii\.gz/);
    assert.doesNotMatch(message, /monge-session-|uploads/);
    if (file !== undefined) assert.equal(file, 'grey_ct.nii.gz');
  } finally {
    await s.dispose();
  }
});

test('hostInfo names the host, the version and a compute engine', async () => {
  const { s } = service();
  const info = await s.hostInfo();
  assert.equal(info.host, 'web');
  assert.equal(info.mongeVersion, JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')).version);
  assert.ok(['cpu', 'webgpu', 'tfjs', 'js'].includes(info.engine.name));
  assert.ok(info.engine.threads >= 1);
  assert.equal(info.versions.node, process.versions.node);
  await s.dispose();
});


import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImageLps } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { writeDicomSeries } from '../../support/dicom-series.ts';
import { axisAlignedImage } from '../../support/image-lps.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** A 4×3×2 image with distinct voxels and an oblique-free, offset geometry. */
function image(): ImageLps {
  return axisAlignedImage([4, 3, 2], [1.5, 2, 2.5], [-10, 20, 7], Float32Array.from({ length: 24 }, (_, i) => i * 1.25 - 3));
}

/** A temporary folder with `data/` and `links/` beside each other (links lead out of their own folder). */
async function dataAndLinks(t: TestContext, prefix: string): Promise<{ root: string; data: string; links: string }> {
  const root = await tempDir(t, prefix);
  const [data, links] = [join(root, 'data'), join(root, 'links')];
  await mkdir(data);
  await mkdir(links);
  return { root, data, links };
}

// itk-wasm mounts only the folder of the path it reads: a link to a file in another folder (a batch manifest's
// folder of links to the data, a DataLad / git-annex dataset) failed as "ITK rejected it".
test('images read through symbolic links to files in other folders: NIfTI, NRRD, MetaImage; a link to a suffixless blob too', async (t) => {
  const { data, links } = await dataAndLinks(t, 'links');
  const original = image();
  for (const suffix of ['nii.gz', 'nrrd', 'mha']) {
    await writeImage(join(data, `scan.${suffix}`), original);
    await symlink(join(data, `scan.${suffix}`), join(links, `linked.${suffix}`));
    const direct = await readImage(join(data, `scan.${suffix}`));
    const linked = await readImage(join(links, `linked.${suffix}`));
    assert.deepEqual(Array.from(linked.data), Array.from(original.data), suffix);
    assert.deepEqual(linked.originLps, direct.originLps, suffix);
    assert.deepEqual(linked.spacingMm, direct.spacingMm, suffix);
  }
  // A content-addressed store keeps the data under a name without the suffix.
  await copyFile(join(data, 'scan.nii.gz'), join(data, 'SHA256-s1234--0f3a'));
  await symlink(join(data, 'SHA256-s1234--0f3a'), join(links, 'annexed.nii.gz'));
  assert.deepEqual(Array.from((await readImage(join(links, 'annexed.nii.gz'))).data), Array.from(original.data));
});

test('a DICOM series read through links: a folder of links to the slices, and a link to the series folder', async (t) => {
  const { root, data, links } = await dataAndLinks(t, 'dicom-links');
  const files = await writeDicomSeries(data, {
    rows: 4,
    columns: 5,
    pixelSpacingMm: [0.8, 1.2],
    rowDirectionLps: [1, 0, 0],
    columnDirectionLps: [0, 1, 0],
    positionsLps: [0, 1, 2].map((k) => [3, -4, 2 * k] as [number, number, number]),
    value: (s, r, c) => 100 * s + 10 * r + c,
  });
  for (const file of files) await symlink(file, join(links, basename(file)));
  await symlink(data, join(root, 'series-link'));
  const direct = await readImage(data);
  assert.deepEqual(direct.size, [5, 4, 3]);
  // Voxel (c, r, s) holds slice s's pixel (r, c): 100 s + 10 r + c.
  assert.equal(direct.data[2 * 20 + 3 * 5 + 4], 234);
  for (const folder of [links, join(root, 'series-link')]) {
    const linked = await readImage(folder);
    assert.deepEqual(linked.size, direct.size, folder);
    assert.deepEqual(Array.from(linked.data), Array.from(direct.data), folder);
    assert.deepEqual(linked.originLps, direct.originLps, folder);
  }
});

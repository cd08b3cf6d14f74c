/**
 * End-to-end: the renderer in Debian's Chromium against the web host (`npm run web`), through the real service,
 * on real data: a copd1 lung mask pair (surfaces decimated for display in workers) and the fsaverage5 white/pial
 * pair. Screenshots go to test-results/e2e/ and are checked pixel by pixel for what must be there.
 *
 * Registration-dependent checks run on a results folder generated with Monge's writers
 * (support/results-fixture.ts) and opened with "open results folder"; when the pipeline lands, a `register` run
 * from the UI produces that folder instead, and the same viewing / metrics / export checks apply to it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImage } from '../../core/io/images/read-image.ts';
import { readShape } from '../../core/io/index.ts';
import { VIRIDIS } from '../../renderer/src/color-scale.ts';
import { needsSharedData } from '../support/data.ts';
import { countPixels, decodePng, type RgbaImage } from './support/png.ts';
import { BRAIN, LUNG, writeLungResults, type LungFixture } from './support/results-fixture.ts';
import { needsChromium, SCREENSHOTS, startWebSession, type WebSession } from './support/web-session.ts';

const skip = needsChromium() || needsSharedData();
let session: WebSession;
let lung: LungFixture;
let work = '';

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'monge-e2e-'));
  [session, lung] = await Promise.all([startWebSession(), writeLungResults(join(work, 'lung', 'out'))]);
});

after(async () => {
  await session?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The part of a screenshot inside an element. */
async function region(png: Buffer, selector: string): Promise<RgbaImage> {
  const box = await session.page.locator(selector).boundingBox();
  assert.ok(box, `${selector} is on the page`);
  const full = decodePng(png);
  const x0 = Math.round(box.x);
  const y0 = Math.round(box.y);
  const width = Math.min(Math.round(box.width), full.width - x0);
  const height = Math.min(Math.round(box.height), full.height - y0);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) data.set(full.data.subarray(((y0 + y) * full.width + x0) * 4, ((y0 + y) * full.width + x0 + width) * 4), y * width * 4);
  return { width, height, data };
}

const orange = (r: number, g: number, b: number): boolean => r > 90 && r - b > 60 && r >= g;
const blue = (r: number, g: number, b: number): boolean => b > 90 && b - r > 60;
const notBackground = (r: number, g: number, b: number): boolean => Math.abs(r - 16) + Math.abs(g - 18) + Math.abs(b - 22) > 30;

/** How many of the viridis stops appear (some pixel within `tolerance` of the stop's colour). */
function viridisStopsPresent(image: RgbaImage, tolerance = 28): number {
  return VIRIDIS.filter(([r, g, b]) => countPixels(image, (R, G, B) => Math.abs(R - 255 * r) + Math.abs(G - 255 * g) + Math.abs(B - 255 * b) < tolerance) > 20).length;
}

/** The 3D view with only the given surface layers shown (then all shown again). */
async function viewWith(layers: ('moving' | 'fixed' | 'warped')[]): Promise<RgbaImage> {
  for (const layer of ['moving', 'fixed', 'warped'] as const) await session.page.locator(`#show-${layer}`).setChecked(layers.includes(layer));
  const image = await region(await session.page.screenshot(), '#view3d');
  for (const layer of ['moving', 'fixed', 'warped'] as const) await session.page.locator(`#show-${layer}`).setChecked(true);
  return image;
}

async function waitLoaded(selector: string, name: string): Promise<void> {
  await session.page.waitForFunction(
    ([sel, text]) => {
      const el = document.querySelector<HTMLElement>(sel);
      return el?.dataset.state === 'loaded' && (el.textContent ?? '').includes(text);
    },
    [selector, name] as const,
    { timeout: 60_000 },
  );
}

test('the web host printed exactly one line, and the page refuses to work without the token', { skip }, async () => {
  assert.equal(session.stdoutLines.length, 1);
  assert.match(session.stdoutLines[0], /^Monge is at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  const bare = session.url.replace(/\?token=.*/, '');
  const other = await session.browser.newPage();
  const response = await other.goto(bare);
  assert.equal(response?.status(), 401);
  await other.close();
  assert.equal(await session.page.locator('#view-placeholder').isVisible(), true, 'an empty view says what to do');
});

test('lung mask pair: both surfaces render overlaid in 3D, slices show the masks with contours', { skip }, async () => {
  const { page } = session;
  await page.setInputFiles('#file-moving', LUNG.movingMask);
  await page.setInputFiles('#file-fixed', LUNG.fixedMask);
  await waitLoaded('#input-moving', 'copd1_exp_lungmask.nii.gz');
  await waitLoaded('#input-fixed', 'copd1_insp_lungmask.nii.gz');
  assert.match(await page.textContent('#input-moving') ?? '', /volume 192×192×208 .* surface \d+ vertices/);
  const png = await session.screenshot('lung-inputs');
  const view = await region(png, '#view3d');
  const total = view.width * view.height;
  assert.ok(countPixels(view, notBackground) > total * 0.05, 'the overlay is not blank');
  assert.ok(countPixels(await viewWith(['moving']), orange) > total * 0.03, 'the moving (orange) lung renders');
  assert.ok(countPixels(await viewWith(['fixed']), blue) > total * 0.03, 'the fixed (blue) lung renders');
  assert.equal(await page.locator('#slices').isVisible(), true);
  for (const orientation of ['axial', 'coronal', 'sagittal']) {
    const slice = await region(png, `#slice-${orientation}`);
    const white = countPixels(slice, (r, g, b) => r > 200 && g > 200 && b > 200);
    assert.ok(white > slice.width * slice.height * 0.03, `${orientation}: the mask shows (${white} white pixels)`);
    assert.ok(countPixels(slice, orange) > 30, `${orientation}: the moving contour shows`);
    assert.ok(countPixels(slice, blue) > 30, `${orientation}: the fixed contour shows`);
  }
});

test('landmarks: the DIR-Lab pairs (CSV columns exp_* / insp_*, RAS) load and draw with their error lines', { skip }, async () => {
  const { page } = session;
  await page.locator('#input-landmarks').evaluate((el) => el.closest('section')?.querySelector('details')?.setAttribute('open', ''));
  await page.locator('#landmarks-frame').selectOption('RAS');
  await page.locator('#landmarks-prefix').fill('exp');
  await page.setInputFiles('#file-moving-landmarks', LUNG.landmarksMm);
  await page.waitForFunction(() => /moving: copd1_300_landmarks_mm\.csv — 300 points/.test(document.querySelector('#input-landmarks')?.textContent ?? ''));
  await page.locator('#landmarks-prefix').fill('insp');
  await page.setInputFiles('#file-fixed-landmarks', LUNG.landmarksMm);
  await page.waitForSelector('#input-landmarks[data-state="loaded"]');
  await session.screenshot('lung-landmarks');
  const lines = await viewWith([]);
  // Only landmarks and error lines (red) remain with every surface hidden.
  assert.ok(countPixels(lines, (r, g, b) => r > 180 && g < 110 && b < 110) > 300, 'error lines are drawn');
});

test('fsaverage5 white/pial pair: both cortical surfaces render; no slice views for meshes', { skip }, async () => {
  const { page } = session;
  await page.setInputFiles('#file-moving', BRAIN.white);
  await waitLoaded('#input-moving', 'white_left.gii.gz');
  await page.setInputFiles('#file-fixed', BRAIN.pial);
  await waitLoaded('#input-fixed', 'pial_left.gii.gz');
  assert.match(await page.textContent('#input-fixed') ?? '', /mesh, 10242 vertices, 20480 triangles/);
  const png = await session.screenshot('brain-inputs');
  const view = await region(png, '#view3d');
  const total = view.width * view.height;
  assert.ok(countPixels(view, notBackground) > total * 0.05, 'the overlay is not blank');
  assert.ok(countPixels(await viewWith(['moving']), orange) > total * 0.03, 'the white surface (orange) renders');
  assert.ok(countPixels(await viewWith(['fixed']), blue) > total * 0.03, 'the pial surface (blue) renders');
  assert.equal(await page.locator('#slices').isVisible(), false);
});

test('a corrupt file gives a message naming it, and the app keeps working', { skip }, async () => {
  const { page } = session;
  const corrupt = join(work, 'corrupt_scan.nii.gz');
  await writeFile(corrupt, Buffer.from('garbage that is not gzip nor NIfTI'));
  await page.setInputFiles('#file-moving', corrupt);
  const message = page.locator('#messages .message[data-kind="error"]').last();
  await message.waitFor({ timeout: 30_000 });
  assert.match(await message.textContent() ?? '', /^Could not open corrupt_scan\.nii\.gz: not a NIfTI file/);
  // The previous moving shape is still shown and listed.
  assert.match(await page.textContent('#input-moving') ?? '', /white_left\.gii\.gz/);
  await session.screenshot('corrupt-file-message');
  const view = await region(await page.screenshot(), '#view3d');
  assert.ok(countPixels(view, blue) > 5000, 'the view is not blank');
  // And a valid file still opens.
  await page.locator('#path-input').fill(BRAIN.pial);
  await page.locator('#path-role').selectOption('moving');
  await page.locator('#path-input').press('Enter');
  await waitLoaded('#input-moving', 'pial_left.gii.gz');
});

test('Escape cancels a running surface extraction within a second; the app stays usable', { skip }, async () => {
  const { page } = session;
  await page.setInputFiles('#file-moving', LUNG.fixedMask);
  await page.waitForSelector('#panel-progress[data-state="running"]', { timeout: 30_000 });
  assert.match(await page.textContent('#progress-label') ?? '', /Extracting the surface of copd1_insp_lungmask\.nii\.gz/);
  const t0 = Date.now();
  await page.keyboard.press('Escape');
  await page.waitForSelector('#panel-progress[data-state="idle"]', { timeout: 5_000 });
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 1000, `the job ended ${elapsed} ms after Escape`);
  const note = page.locator('#messages .message[data-kind="info"]').last();
  await note.waitFor();
  assert.match(await note.textContent() ?? '', /Opening copd1_insp_lungmask\.nii\.gz was cancelled/);
  assert.match(await page.textContent('#input-moving') ?? '', /pial_left\.gii\.gz/, 'the cancelled file did not replace the moving shape');
  // Usable again: a new job runs to the end.
  await page.setInputFiles('#file-moving', LUNG.movingMask);
  await waitLoaded('#input-moving', 'copd1_exp_lungmask.nii.gz');
});

test('results folder (copd1): shapes overlaid, coloured by displacement with a mm legend, metrics, steps, split view', { skip }, async () => {
  const { page } = session;
  await page.locator('#path-input').fill(lung.dir);
  await page.locator('#path-role').selectOption('results');
  await page.locator('#path-open').click();
  await page.waitForSelector('#results-summary[data-state="loaded"]', { timeout: 60_000 });
  // Metrics from report.json: the published copd1 initial TRE, and the after-step values of the fixture.
  const cell = (key: string, column: string) => page.locator(`#metrics tr[data-key="${key}"] td[data-column="${column}"]`).textContent();
  assert.equal(await cell('tre.mean', 'before'), '26.33');
  assert.equal(await cell('tre.mean', 'finetune'), lung.treAfterMm.toFixed(2));
  assert.equal(await cell('jacobian.min', 'finetune'), lung.jacobianMin.toPrecision(3));
  assert.equal(await cell('time', 'net'), '1.60');
  assert.equal(await page.inputValue('#color-by'), 'displacement');
  await page.locator('#panel-results').screenshot({ path: join(SCREENSHOTS, 'lung-results-metrics.png') });
  const png = await session.screenshot('lung-results');
  const view = await region(png, '#view3d');
  assert.ok(viridisStopsPresent(view) >= 3, 'the warped lung is coloured through the map');
  assert.ok(viridisStopsPresent(await viewWith(['warped'])) >= 3, 'the warped lung alone is coloured through the map');
  assert.ok(countPixels(await viewWith(['moving']), orange) > 1000, 'the moving lung is there');
  assert.ok(countPixels(await viewWith(['fixed']), blue) > 1000, 'the fixed lung is there');
  const legend = await region(png, '#legend');
  assert.ok(viridisStopsPresent(legend, 12) >= 9, 'the legend shows the colour map');
  const legendMax = await page.evaluate(() => document.querySelector<HTMLCanvasElement>('#legend')?.hidden);
  assert.equal(legendMax, false);
  for (const orientation of ['axial', 'coronal', 'sagittal']) {
    const slice = await region(png, `#slice-${orientation}`);
    assert.ok(countPixels(slice, (r, g, b) => g > 150 && r < 180 && b < 150) > 20, `${orientation}: the warped contour (green) shows`);
    assert.ok(countPixels(slice, (r, g, b) => r > 120 && b > 120 && g < r * 0.8) > 100, `${orientation}: the warped moving image is blended in (magenta)`);
  }
  // Colour by confidence and by surface distance.
  for (const colorBy of ['confidence', 'surface_distance']) {
    await page.locator('#color-by').selectOption(colorBy);
    const shot = await session.screenshot(`lung-results-${colorBy}`);
    assert.ok(viridisStopsPresent(await region(shot, '#view3d')) >= 2, `coloured by ${colorBy}`);
  }
  await page.locator('#color-by').selectOption('displacement');
  // The network step, the before/after slider and the side-by-side view with linked cameras.
  await page.locator('#step-select').selectOption('net');
  await page.locator('#before-after').fill('0.5');
  await page.locator('#split-view').check();
  await page.locator('#view3d').focus();
  await page.keyboard.press('ArrowLeft');
  const split = await region(await session.screenshot('lung-results-split'), '#view3d');
  const half = (image: RgbaImage, right: boolean): RgbaImage => {
    const w = Math.floor(image.width / 2);
    const data = new Uint8Array(w * image.height * 4);
    for (let y = 0; y < image.height; y++) data.set(image.data.subarray((y * image.width + (right ? w : 0)) * 4, (y * image.width + (right ? w : 0) + w) * 4), y * w * 4);
    return { width: w, height: image.height, data };
  };
  assert.ok(countPixels(half(split, false), orange) > 200, 'before: the moving lung on the left');
  assert.ok(viridisStopsPresent(half(split, true)) >= 2, 'after: the coloured warped lung on the right');
  await page.locator('#split-view').uncheck();
  await page.locator('#before-after').fill('1');
  await page.locator('#step-select').selectOption('final');
});

test('export: the displacement field and the warped mesh download and read back', { skip }, async () => {
  const { page } = session;
  await page.locator('#export-field-format').selectOption('nii.gz');
  const [fieldDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-field').click()]);
  assert.equal(fieldDownload.suggestedFilename(), 'field.nii.gz');
  const fieldPath = join(work, 'exported-field.nii.gz');
  await fieldDownload.saveAs(fieldPath);
  const field = await readImage(fieldPath);
  assert.equal(field.components, 3);
  assert.deepEqual(field.size, lung.field.size);
  assert.deepEqual(Float32Array.from(field.data), lung.field.data);

  await page.locator('#export-field-format').selectOption('mha');
  const [mhaDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-field').click()]);
  assert.equal(mhaDownload.suggestedFilename(), 'field.mha');
  await mhaDownload.saveAs(join(work, 'exported-field.mha'));
  assert.deepEqual(Float32Array.from((await readImage(join(work, 'exported-field.mha'))).data), lung.field.data);

  await page.locator('#export-mesh-format').selectOption('vtp');
  const [meshDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-mesh').click()]);
  assert.equal(meshDownload.suggestedFilename(), 'warped.vtp');
  const meshPath = join(work, 'exported-warped.vtp');
  await meshDownload.saveAs(meshPath);
  const mesh = await readShape(meshPath);
  assert.equal(mesh.pointsLps.length, lung.warped.pointsLps.length);
  assert.deepEqual(Float32Array.from(mesh.arrays.find((a) => a.name === 'displacement')?.values ?? []), lung.warped.arrays[0].values);

  const [shot] = await Promise.all([page.waitForEvent('download'), page.locator('#export-screenshot').click()]);
  const shotPath = join(work, 'screenshot.png');
  await shot.saveAs(shotPath);
  const image = decodePng(new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(shotPath))));
  assert.ok(viridisStopsPresent(image) >= 3, 'the exported screenshot shows the coloured result and legend');
});

test('drag and drop: a file dropped on the view opens', { skip }, async () => {
  const { page } = session;
  const off = 'OFF\n4 4 0\n0 0 0\n80 0 0\n0 80 0\n0 0 80\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n';
  await page.locator('#view3d').evaluate((view, text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'dropped_tetra.off'));
    view.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true }));
    view.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, off);
  await waitLoaded('#input-moving', 'dropped_tetra.off');
  assert.match(await page.textContent('#input-moving') ?? '', /mesh, 4 vertices, 4 triangles/);
});

test('keyboard: the 3D view, the controls and the shortcuts are reachable; no console errors at all', { skip }, async () => {
  const { page } = session;
  await page.locator('#btn-about').click();
  await page.waitForSelector('#about[open]');
  assert.match(await page.textContent('#about-body') ?? '', /Compute engine/);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#about:not([open])', { state: 'attached' });
  await page.locator('#btn-open-moving').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'btn-open-fixed');
  assert.equal(await page.getAttribute('#btn-register', 'aria-keyshortcuts'), 'Control+Enter');
  assert.deepEqual(session.errors, []);
});

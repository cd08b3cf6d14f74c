/**
 * End-to-end: the renderer in Debian's Chromium against the web host (`npm run web`), through the real service,
 * on real data: a copd1 lung mask pair (surfaces decimated for display in workers) and the fsaverage5 white/pial
 * pair. Screenshots go to test-results/e2e/ and are checked pixel by pixel for what must be there.
 *
 * Viewer checks with exact expected values run on a results folder generated with Monge's writers
 * (support/results-fixture.ts: analytic field, known Jacobian) opened with "open results folder". Then the pipeline
 * runs from the UI (Register, Ctrl+Enter) on the lung surfaces (decimated copd1 mask surfaces with the DIR-Lab
 * landmarks) and on fsaverage5 white → pial, with settings that keep each run to seconds (a coarser field grid;
 * for the brain no network step and a wider blur): progress, overlays, the metrics read from the page against
 * published and recomputed values, exports read back; and Cancel / Escape during a run stop its worker within a
 * second, leaving nothing behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GridDisplacement } from '../../core/field/grid-displacement.ts';
import { readImage } from '../../core/io/images/read-image.ts';
import { writeImage } from '../../core/io/images/write-image.ts';
import { boundsOf, type Shape } from '../../core/shape/index.ts';
import { imageFrom } from '../unit/shape/synthetic.ts';
import { readShape, writeShape } from '../../core/io/index.ts';
import { landmarkErrors } from '../../core/metrics/landmark-error.ts';
import { writeResidualPrior } from '../../core/registration/prior/index.ts';
import { constantResidualPrior, lattice } from '../unit/registration/support.ts';
import { LinearSampler } from '../../main/service/image-sampler.ts';
import { VIRIDIS } from '../../renderer/src/color-scale.ts';
import { needsSharedData } from '../support/data.ts';
import { disagreeingFormsMask } from '../support/nifti-bytes.ts';
import { countPixels, decodePng, type RgbaImage } from './support/png.ts';
import {
  cancelLatencyMs,
  clearMessages,
  cpuSeconds,
  metricsColumns,
  metricsTable,
  parseProgress,
  progressLog,
  setParameters,
  waitForResults,
  waitForStage,
  watchProgress,
} from './support/register-ui.ts';
import { BRAIN, LUNG, writeLungResults, type LungFixture } from './support/results-fixture.ts';
import { icosphere } from '../unit/metrics/meshes.ts';
import { needsChromium, SCREENSHOTS, startWebSession, type WebSession } from './support/web-session.ts';

const skip = needsChromium() || needsSharedData();
let session: WebSession;
let lung: LungFixture;
let work = '';
/** Inputs of the registrations run from the UI: the fixture's decimated copd1 lung surfaces as meshes, and a copy of the DIR-Lab landmarks. */
const lungInputs = { moving: '', fixed: '', landmarks: '' };

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'monge-e2e-'));
  [session, lung] = await Promise.all([startWebSession(), writeLungResults(join(work, 'lung', 'out'))]);
  const dir = join(work, 'lung-inputs');
  await mkdir(dir);
  Object.assign(lungInputs, {
    moving: join(dir, 'copd1_exp_lung.vtk'),
    fixed: join(dir, 'copd1_insp_lung.vtk'),
    // Under another name than the landmarks test's file, so that the page visibly switches to it.
    landmarks: join(dir, 'copd1_landmarks_exp_insp.csv'),
  });
  await Promise.all([writeShape(lungInputs.moving, lung.moving), writeShape(lungInputs.fixed, lung.fixed), copyFile(LUNG.landmarksMm, lungInputs.landmarks)]);
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
  // The page is the public bundle; without the token its connection to the service is refused, and it says so.
  const response = await other.goto(bare);
  assert.equal(response?.status(), 200);
  await other.waitForFunction(() => document.getElementById('messages')?.textContent?.includes('could not start'), undefined, { timeout: 20_000 });
  assert.match((await other.textContent('#messages')) ?? '', /could not connect to Monge \(is the address complete, with its token\?\)/);
  assert.deepEqual(await session.page.context().cookies(), [], 'no cookie carries the token');
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
  // A file opened by its path on the host: named once, not followed by its own full path.
  const empty = join(work, 'empty.vtk');
  await writeFile(empty, '');
  await page.locator('#path-input').fill(empty);
  await page.locator('#path-role').selectOption('moving');
  await page.locator('#path-input').press('Enter');
  await page.waitForFunction(() => /Could not open empty\.vtk/.test(document.querySelector('#messages')?.textContent ?? ''));
  assert.equal(await page.locator('#messages .message[data-kind="error"] span').last().textContent(), 'Could not open empty.vtk: the file is empty');
  // And a valid file still opens.
  await page.locator('#path-input').fill(BRAIN.pial);
  await page.locator('#path-role').selectOption('moving');
  await page.locator('#path-input').press('Enter');
  await waitLoaded('#input-moving', 'pial_left.gii.gz');
});

test('a file the reader doubts (NIfTI sform and qform disagree) opens with a warning line that names it', { skip }, async () => {
  const { page } = session;
  await clearMessages(page);
  const dir = join(work, 'doubtful');
  await mkdir(dir);
  await page.setInputFiles('#file-moving', await disagreeingFormsMask(dir));
  await waitLoaded('#input-moving', 'mask.nii.gz');
  const warning = page.locator('#messages .message[data-kind="warning"] span');
  await warning.waitFor({ timeout: 30_000 });
  assert.match(await warning.textContent() ?? '', /^mask\.nii\.gz: its sform \(sform_code 2, aligned\) and qform \(qform_code 1, scanner\) disagree/);
  assert.equal(await page.locator('#messages .message[data-kind="error"]').count(), 0);
  // Back to the shape the next test expects.
  await page.locator('#path-input').fill(BRAIN.pial);
  await page.locator('#path-role').selectOption('moving');
  await page.locator('#path-input').press('Enter');
  await waitLoaded('#input-moving', 'pial_left.gii.gz');
});

test('Escape cancels a running surface extraction within a second; the app stays usable', { skip }, async () => {
  const { page } = session;
  await clearMessages(page);
  await page.setInputFiles('#file-moving', LUNG.fixedMask);
  await page.waitForSelector('#panel-progress[data-state="running"]', { timeout: 30_000 });
  assert.match(await page.textContent('#progress-label') ?? '', /Extracting the surface of copd1_insp_lungmask\.nii\.gz/);
  // Timed in the page, from the key press to the panel going idle (a mutation observer). Timed from here it also
  // counted Playwright's round trips and polling of a page busy drawing in software GL: 0.2–1.7 s on this 2-core
  // machine for a cancel the page shows in 20–60 ms (the host ends the job 10–60 ms after the key).
  await page.evaluate(() => {
    const w = window as unknown as { escapeAt?: number; idleAt?: number };
    document.addEventListener('keydown', (e) => e.key === 'Escape' && (w.escapeAt ??= performance.now()), { capture: true });
    const panel = document.getElementById('panel-progress')!;
    new MutationObserver(() => panel.dataset.state === 'idle' && (w.idleAt ??= performance.now())).observe(panel, { attributes: true });
  });
  await page.keyboard.press('Escape');
  await page.waitForSelector('#panel-progress[data-state="idle"]', { timeout: 5_000 });
  const elapsed = await page.evaluate(() => {
    const w = window as unknown as { escapeAt?: number; idleAt?: number };
    return (w.idleAt ?? NaN) - (w.escapeAt ?? NaN);
  });
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
  // Zoomed in until the lungs fill their halves, the scene still stops short of the legend's strip: below the
  // legend, right of its left edge, only background (before, the "after" lung ran on under the legend).
  for (let i = 0; i < 6; i++) await page.keyboard.press('+');
  const zoomed = await region(await session.screenshot('lung-results-split-zoomed'), '#view3d');
  const [viewBox, legendBox] = await Promise.all([page.locator('#view3d').boundingBox(), page.locator('#legend').boundingBox()]);
  assert.ok(viewBox && legendBox);
  const strip = { x0: Math.ceil(legendBox.x - viewBox.x) - 4, y0: Math.ceil(legendBox.y + legendBox.height - viewBox.y) + 2 };
  const stripWidth = zoomed.width - strip.x0;
  const stripImage: RgbaImage = { width: stripWidth, height: zoomed.height - strip.y0, data: new Uint8Array(stripWidth * (zoomed.height - strip.y0) * 4) };
  for (let y = strip.y0; y < zoomed.height; y++) stripImage.data.set(zoomed.data.subarray((y * zoomed.width + strip.x0) * 4, (y * zoomed.width + zoomed.width) * 4), (y - strip.y0) * stripWidth * 4);
  assert.equal(countPixels(stripImage, notBackground), 0, 'nothing drawn in the legend’s strip');
  const leftOfStrip = { ...stripImage, data: new Uint8Array(stripImage.data.length) };
  for (let y = 0; y < stripImage.height; y++) leftOfStrip.data.set(zoomed.data.subarray(((y + strip.y0) * zoomed.width + strip.x0 - stripWidth) * 4, ((y + strip.y0) * zoomed.width + strip.x0) * 4), y * stripWidth * 4);
  assert.ok(countPixels(leftOfStrip, notBackground) > 500, 'while the zoomed lung fills the view up to it');
  await page.keyboard.press('r');
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

test('apply to another file: an uploaded mesh goes through the results field in a job and downloads', { skip }, async () => {
  const { page } = session;
  assert.equal(await page.locator('#export-apply').isDisabled(), false);
  const input = join(lung.dir, 'moving_surface.vtk');
  const [file] = await Promise.all([page.waitForEvent('download'), page.setInputFiles('#file-apply', input)]);
  assert.equal(file.suggestedFilename(), 'moving_surface_in_fixed.vtk');
  const path = join(work, 'applied.vtk');
  await file.saveAs(path);
  // Each moving point x went to the y with y + T(y) = x, T the folder's field (trilinear, ITK's rule).
  const [moving, warped, field] = await Promise.all([readShape(input), readShape(path), readImage(join(lung.dir, 'field.nii.gz'))]);
  const t = new GridDisplacement(field).sample(warped.pointsLps);
  let worst = 0;
  for (let i = 0; i < t.length; i += 3) worst = Math.max(worst, Math.hypot(...[0, 1, 2].map((a) => warped.pointsLps[i + a] + t[i + a] - moving.pointsLps[i + a])));
  assert.ok(worst < 1e-3, `${worst} mm`);
  assert.equal(warped.arrays.find((a) => a.name === 'displacement')?.components, 3);
  await page.waitForFunction(() => /Applied the registration: moving_surface_in_fixed\.vtk \(\d+ vertices\)/.test(document.querySelector('#messages')?.textContent ?? ''));

  // fixed → moving: each fixed point y goes to y + T(y).
  await page.locator('#apply-inverse').setChecked(true);
  const fixedInput = join(lung.dir, 'fixed_surface.vtk');
  const [back] = await Promise.all([page.waitForEvent('download'), page.setInputFiles('#file-apply', fixedInput)]);
  assert.equal(back.suggestedFilename(), 'fixed_surface_in_moving.vtk');
  await back.saveAs(join(work, 'applied-back.vtk'));
  const [fixedShape, backShape] = await Promise.all([readShape(fixedInput), readShape(join(work, 'applied-back.vtk'))]);
  const tf = new GridDisplacement(field).sample(fixedShape.pointsLps);
  let worstBack = 0;
  for (let i = 0; i < tf.length; i += 3) worstBack = Math.max(worstBack, Math.hypot(...[0, 1, 2].map((a) => fixedShape.pointsLps[i + a] + tf[i + a] - backShape.pointsLps[i + a])));
  assert.ok(worstBack < 1e-3, `${worstBack} mm`);
  await page.locator('#apply-inverse').setChecked(false);
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

test('a results folder is not taken for a shape: its report.json dropped on the page and the folder opened as moving say how to open it', { skip }, async () => {
  const { page } = session;
  await clearMessages(page);
  const report = await readFile(join(lung.dir, 'report.json'), 'utf8');
  await page.locator('#view3d').evaluate((view, text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'report.json'));
    view.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, report);
  const error = page.locator('#messages .message[data-kind="error"] span').last();
  await error.waitFor({ timeout: 10_000 });
  assert.match(await error.textContent() ?? '', /^report\.json belongs to a results folder, which a page cannot open from a dropped file: type the folder’s path under Path on the host \(as results folder/);
  assert.equal(await page.textContent('#input-prior'), 'none', 'not taken for a residual prior');
  await clearMessages(page);
  await page.locator('#path-input').fill(lung.dir);
  await page.locator('#path-role').selectOption('moving');
  await page.locator('#path-input').press('Enter');
  await error.waitFor({ timeout: 10_000 });
  assert.equal(await error.textContent(), 'Could not open out: is a Monge results folder, not a shape: open it with Open results…');
  assert.match(await page.textContent('#input-moving') ?? '', /dropped_tetra\.off/, 'the moving shape stays');
});

/** Progress as recorded while a registration ran: the stages it went through, and whether the bar moved within one. */
async function progressSummary(): Promise<{ stages: string[]; movedWithinStage: boolean; maxValue: number; samples: number }> {
  const samples = (await progressLog(session.page)).flatMap((s) => {
    const parsed = parseProgress(s.label);
    return parsed ? [{ ...parsed, value: s.value }] : [];
  });
  const stages = [...new Set(samples.map((s) => s.stage))];
  const movedWithinStage = samples.some((s, i) => i > 0 && samples[i - 1].stage === s.stage && s.value > samples[i - 1].value);
  return { stages, movedWithinStage, maxValue: Math.max(0, ...samples.map((s) => s.value)), samples: samples.length };
}

/** The displayed text of a metrics cell. */
const metricText = (key: string, column: string) => session.page.locator(`#metrics tr[data-key="${key}"] td[data-column="${column}"]`).textContent();

/** Clicks an export button and saves the download under `work`. */
async function download(button: string, saveAs: string): Promise<{ name: string; path: string }> {
  const [file] = await Promise.all([session.page.waitForEvent('download'), session.page.locator(button).click()]);
  const path = join(work, saveAs);
  await file.saveAs(path);
  return { name: file.suggestedFilename(), path };
}

/** Checks the 3D view of a result: not blank, the three layers there, the warped one coloured, the legend drawn. */
async function checkResultView(name: string): Promise<void> {
  const png = await session.screenshot(name);
  const view = await region(png, '#view3d');
  const total = view.width * view.height;
  assert.ok(countPixels(view, notBackground) > total * 0.05, 'the overlay is not blank');
  assert.ok(viridisStopsPresent(view) >= 3, 'the warped shape is coloured through the map');
  assert.ok(viridisStopsPresent(await viewWith(['warped'])) >= 3, 'the warped shape alone is coloured through the map');
  assert.ok(countPixels(await viewWith(['moving']), orange) > 1000, 'the moving shape (orange) is there');
  assert.ok(countPixels(await viewWith(['fixed']), blue) > 1000, 'the fixed shape (blue) is there');
  assert.equal(await session.page.locator('#legend').isHidden(), false, 'the legend is shown');
  assert.ok(viridisStopsPresent(await region(png, '#legend'), 12) >= 9, 'the legend shows the colour map');
}

/** Mean distance between a field's prediction and the truth: x + u(x) should be the moving vertex each warped vertex came from. */
function fieldInverseErrorMm(field: Awaited<ReturnType<typeof readImage>>, warped: Shape, moving: Shape): { meanMm: number; inside: number } {
  const sampler = new LinearSampler(field);
  const u = new Float64Array(3);
  let sum = 0;
  let inside = 0;
  const n = warped.pointsLps.length / 3;
  for (let i = 0; i < n; i++) {
    const [x, y, z] = warped.pointsLps.subarray(3 * i, 3 * i + 3);
    if (!sampler.sampleInto(x, y, z, u)) continue;
    inside++;
    sum += Math.hypot(x + u[0] - moving.pointsLps[3 * i], y + u[1] - moving.pointsLps[3 * i + 1], z + u[2] - moving.pointsLps[3 * i + 2]);
  }
  return { meanMm: sum / inside, inside: inside / n };
}

test('register from the UI, copd1 lung surfaces with the DIR-Lab landmarks: progress, overlays, metrics, exports', { skip }, async () => {
  const { page } = session;
  await page.setInputFiles('#file-moving', lungInputs.moving);
  await waitLoaded('#input-moving', 'copd1_exp_lung.vtk');
  await page.setInputFiles('#file-fixed', lungInputs.fixed);
  await waitLoaded('#input-fixed', 'copd1_insp_lung.vtk');
  assert.match(await page.textContent('#input-moving') ?? '', /mesh, 2000 vertices/);
  await page.locator('#input-landmarks').evaluate((el) => el.closest('section')?.querySelector('details')?.setAttribute('open', ''));
  await page.locator('#landmarks-frame').selectOption('RAS');
  for (const [role, prefix] of [['moving', 'exp'], ['fixed', 'insp']] as const) {
    await page.locator('#landmarks-prefix').fill(prefix);
    await page.setInputFiles(`#file-${role}-landmarks`, lungInputs.landmarks);
    await page.waitForFunction((r) => new RegExp(`${r}: copd1_landmarks_exp_insp\\.csv — 300 points`).test(document.querySelector('#input-landmarks')?.textContent ?? ''), role);
  }
  await page.locator('#landmarks-prefix').fill('');
  await setParameters(page, { preset: 'lung', steps: ['prealign', 'net', 'finetune'], fieldSpacingMm: 4 });

  // Register with the keyboard shortcut; the buttons follow the job.
  await clearMessages(page);
  await watchProgress(page);
  await page.locator('#view3d').focus();
  const started = Date.now();
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#panel-progress[data-state="running"]', { timeout: 10_000 });
  assert.equal(await page.locator('#btn-register').isDisabled(), true, 'Register is disabled while a registration runs');
  assert.equal(await page.locator('#btn-cancel').isEnabled(), true, 'Cancel is enabled while a registration runs');
  await waitForResults(page);
  const seconds = (Date.now() - started) / 1000;

  const progress = await progressSummary();
  assert.ok(progress.stages.includes('prealign') && progress.stages.includes('finetune'), `the steps showed in the progress panel: ${progress.stages.join(' → ')}`);
  assert.ok(progress.stages.length >= 4, `the stage name changed as the run went on: ${progress.stages.join(' → ')}`);
  assert.ok(progress.movedWithinStage, 'the bar moved within a stage');
  assert.ok(progress.maxValue >= 0.9, `the bar neared the end (${progress.maxValue})`);

  // Metrics from the page. copd1's published initial TRE is 26.33 mm (DIR-Lab); the registration must reduce it
  // (README: 12–14 mm from the lung surfaces), fold nothing, and bring the surfaces together.
  const columns = await metricsColumns(page);
  assert.equal(columns[0], 'before');
  assert.equal(columns.at(-1), 'finetune', `columns: ${columns.join(', ')}`);
  assert.ok(columns.includes('prealign'));
  const m = await metricsTable(page);
  assert.equal(await metricText('tre.mean', 'before'), '26.33');
  const treAfter = m['tre.mean'].finetune;
  assert.ok(treAfter < 20 && treAfter < m['tre.mean'].before, `TRE ${m['tre.mean'].before.toFixed(2)} → ${treAfter.toFixed(2)} mm`);
  assert.ok(m['tre.mean'].prealign < m['tre.mean'].before, 'the pre-alignment alone reduces the TRE');
  assert.ok(m['surfaceDistance.chamferMm'].finetune < m['surfaceDistance.chamferMm'].before, 'the surfaces come closer');
  assert.ok(m['jacobian.min'].finetune > 0, `no folding: Jacobian min ${m['jacobian.min'].finetune}`);
  assert.equal(m['jacobian.foldingFraction'].finetune, 0);
  for (const step of ['prealign', 'finetune']) assert.ok(m.time[step] > 0 && m.time[step] < seconds, `time of ${step}: ${m.time[step]} s`);
  await page.locator('#panel-results').screenshot({ path: join(SCREENSHOTS, 'lung-register-metrics.png') });
  assert.match(await page.textContent('#results-summary') ?? '', /moving copd1_exp_lung\.vtk, fixed copd1_insp_lung\.vtk, preset lung/);
  assert.equal(await page.inputValue('#color-by'), 'displacement');
  await checkResultView('lung-register-results');
  // The result's landmarks, read with the run's CSV column prefixes (no warning), and their error lines.
  assert.deepEqual(await page.locator('#results-warnings li').allTextContents(), []);
  const lines = await viewWith([]);
  assert.ok(countPixels(lines, (r, g, b) => r > 180 && g < 110 && b < 110) > 100, 'the warped landmarks\' error lines are drawn');
  // Headline metrics first; the details (counts, one-way and signed distances) on request.
  const details = page.locator('#metrics tr.detail');
  assert.ok((await details.count()) > 10);
  assert.equal(await details.first().isVisible(), false);
  assert.equal(await page.locator('#metrics tr[data-key="tre.mean"]').isVisible(), true);
  await page.locator('#metrics-details').click();
  assert.equal(await details.first().isVisible(), true);
  await page.locator('#metrics-details').click();
  assert.equal(await details.first().isVisible(), false);

  // Exports read back and checked against the inputs: the field maps each warped vertex back onto the moving vertex
  // it came from (ITK's convention: fixed point + vector = moving point); the warped mesh carries the displacement
  // from the moving mesh; the warped landmarks are as far from the inspiration landmarks as the page says.
  const moving = await readShape(lungInputs.moving);
  await page.locator('#export-field-format').selectOption('nii.gz');
  const field = await download('#export-field', 'lung-register-field.nii.gz');
  assert.equal(field.name, 'field.nii.gz');
  const fieldImage = await readImage(field.path);
  assert.equal(fieldImage.components, 3);
  assert.deepEqual([...fieldImage.spacingMm], [4, 4, 4], 'the field is on the 4 mm grid asked for');
  await page.locator('#export-mesh-format').selectOption('vtp');
  const mesh = await download('#export-mesh', 'lung-register-warped.vtp');
  assert.equal(mesh.name, 'warped.vtp');
  const warped = await readShape(mesh.path);
  assert.equal(warped.pointsLps.length, moving.pointsLps.length);
  const displacement = warped.arrays.find((a) => a.name === 'displacement')?.values;
  assert.ok(displacement, 'the warped mesh has its displacement');
  let worst = 0;
  for (let i = 0; i < displacement.length; i++) worst = Math.max(worst, Math.abs(moving.pointsLps[i] + displacement[i] - warped.pointsLps[i]));
  assert.ok(worst < 1e-3, `warped = moving + displacement (worst ${worst} mm)`);
  const inverse = fieldInverseErrorMm(fieldImage, warped, moving);
  assert.ok(inverse.inside > 0.99, `the field covers the warped lung (${(100 * inverse.inside).toFixed(1)} %)`);
  assert.ok(inverse.meanMm < 1.5, `the field maps warped vertices back to the moving ones (mean ${inverse.meanMm.toFixed(3)} mm)`);
  await page.locator('#export-landmarks-format').selectOption('csv');
  const landmarks = await download('#export-landmarks', 'lung-register-landmarks.csv');
  // The CSV export is landmarks_warped.csv: the DIR-Lab file's layout, its exp_* columns moved into the fixed space.
  const warpedLm = await readShape(landmarks.path, { prefix: 'exp', assumeFrame: 'RAS' });
  const fixedLm = await readShape(LUNG.landmarksMm, { prefix: 'insp', assumeFrame: 'RAS' });
  const errors = landmarkErrors(warpedLm.pointsLps, fixedLm.pointsLps);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  assert.ok(Math.abs(mean - treAfter) < 0.01, `the exported landmarks' TRE ${mean.toFixed(3)} matches the page's ${treAfter.toFixed(3)} mm`);
  assert.deepEqual(session.errors, []);
  console.log(
    `lung from the UI: ${seconds.toFixed(1)} s; TRE ${m['tre.mean'].before.toFixed(2)} → ${m['tre.mean'].prealign.toFixed(2)} (prealign) → ${treAfter.toFixed(2)} mm; ` +
      `chamfer ${m['surfaceDistance.chamferMm'].before.toFixed(2)} → ${m['surfaceDistance.chamferMm'].finetune.toFixed(2)} mm; Jacobian min ${m['jacobian.min'].finetune.toFixed(3)}; ` +
      `steps ${columns.slice(1).map((c) => `${c} ${m.time[c]?.toFixed(2)} s`).join(', ')}; field inverse ${inverse.meanMm.toFixed(3)} mm; stages ${progress.stages.join(' → ')}`,
  );
});

test('cancel during a registration (Cancel button, then Escape): the worker stops within a second; the app stays usable', { skip }, async () => {
  const { page } = session;
  const outDir = join(work, 'cancelled-run');
  await setParameters(page, { preset: 'lung', steps: ['prealign', 'net', 'finetune'], fieldSpacingMm: 4, outDir });
  const latencies: string[] = [];
  for (const how of ['button', 'Escape'] as const) {
    await clearMessages(page);
    await watchProgress(page);
    const notes = await page.locator('#messages .message[data-kind="info"]').count();
    if (how === 'button') {
      await page.locator('#btn-register').click();
    } else {
      await page.locator('#view3d').focus();
      await page.keyboard.press('Control+Enter');
    }
    // Cancel in the middle of the work: the pre-alignment's optimal transport (button), a later step (Escape).
    const stage = await waitForStage(page, how === 'button' ? /^prealign/ : /^(net|finetune)/);
    const t0 = Date.now();
    if (how === 'button') await page.locator('#btn-cancel').click();
    else await page.keyboard.press('Escape');
    await page.waitForSelector('#panel-progress[data-state="idle"]', { timeout: 5_000 });
    // In the page: from the click / key event to the 'cancelled' state shown (the runner reports it when the
    // worker thread has exited). From the test's side the browser automation's round trips come on top.
    const inPage = await cancelLatencyMs(page);
    const outside = Date.now() - t0;
    latencies.push(`${how} ${inPage.toFixed(0)} ms in the page (${outside} ms as the test saw it, during "${stage}")`);
    assert.ok(inPage < 1000, `${how}: the job ended ${inPage.toFixed(0)} ms after the cancel (during "${stage}")`);
    await page.waitForFunction((n) => document.querySelectorAll('#messages .message[data-kind="info"]').length > n, notes);
    assert.equal(await page.locator('#messages .message[data-kind="info"] span').last().textContent(), 'The registration was cancelled.');
    assert.equal(await page.locator('#btn-register').isEnabled(), true, 'Register is available again');

    // The worker is gone: the host's process stops computing, and no output (complete or partial) is left.
    const cpu0 = await cpuSeconds(session.hostPid);
    await sleep(1000);
    const cpu1 = await cpuSeconds(session.hostPid);
    if (cpu0 !== undefined && cpu1 !== undefined) assert.ok(cpu1 - cpu0 < 0.3, `${how}: the host used ${(cpu1 - cpu0).toFixed(2)} s of CPU in the second after the cancel`);
    assert.equal(existsSync(outDir), false, 'no output folder');
    assert.deepEqual((await readdir(work)).filter((n) => n.startsWith('.cancelled-run.partial-')), [], 'no partial output folder');
  }
  // Usable: a file opens, and the next test registers. The lung landmarks go with the lung pair: replacing its
  // moving shape closes them (else the brain run would be scored against them), and the page says so.
  await page.setInputFiles('#file-moving', BRAIN.white);
  await waitLoaded('#input-moving', 'white_left.gii.gz');
  assert.equal(await page.textContent('#input-landmarks'), '—');
  assert.match(await page.locator('#messages .message[data-kind="info"] span').last().textContent() ?? '', /^The landmarks were closed because a new moving shape \(white_left\.gii\.gz\) was opened/);
  assert.deepEqual(session.errors, []);
  console.log(`cancel latency (cancel → 'cancelled' on the page): ${latencies.join('; ')}`);
});

test('register from the UI, fsaverage5 white → pial: progress, overlays, metrics, exports', { skip }, async () => {
  const { page } = session;
  await page.setInputFiles('#file-moving', BRAIN.white);
  await waitLoaded('#input-moving', 'white_left.gii.gz');
  await page.setInputFiles('#file-fixed', BRAIN.pial);
  await waitLoaded('#input-fixed', 'pial_left.gii.gz');
  await setParameters(page, { preset: 'brain', steps: ['prealign', 'finetune'], blurMm: 2, fieldSpacingMm: 3, inverseField: true });

  await clearMessages(page);
  await watchProgress(page);
  const started = Date.now();
  await page.locator('#btn-register').click();
  await waitForResults(page);
  const seconds = (Date.now() - started) / 1000;
  const progress = await progressSummary();
  assert.ok(progress.stages.includes('prealign') && progress.stages.includes('finetune'), `stages: ${progress.stages.join(' → ')}`);
  assert.ok(progress.movedWithinStage && progress.maxValue >= 0.9, 'the bar moved');

  // White and pial share their vertices, so the vertex error is exact ground truth: 2.51 mm before (README), and
  // the fine-tuning must take most of it away.
  const columns = await metricsColumns(page);
  assert.deepEqual(columns, ['before', 'prealign', 'finetune']);
  const m = await metricsTable(page);
  assert.equal(m['tre.mean'], undefined, 'no landmarks, no TRE');
  const before = m['vertexError.mean'].before;
  const after = m['vertexError.mean'].finetune;
  assert.ok(Math.abs(before - 2.51) < 0.05, `vertex error before: ${before} mm`);
  assert.ok(after < 0.5 * before, `vertex error ${before.toFixed(2)} → ${after.toFixed(2)} mm`);
  assert.ok(m['surfaceDistance.chamferMm'].finetune < 0.5 * m['surfaceDistance.chamferMm'].before, 'the surfaces come closer');
  assert.ok(m['jacobian.min'].finetune > 0, `no folding: Jacobian min ${m['jacobian.min'].finetune}`);
  assert.equal(m['jacobian.foldingFraction'].finetune, 0);
  for (const step of ['prealign', 'finetune']) assert.ok(m.time[step] > 0 && m.time[step] < seconds, `time of ${step}: ${m.time[step]} s`);
  await page.locator('#panel-results').screenshot({ path: join(SCREENSHOTS, 'brain-register-metrics.png') });
  await checkResultView('brain-register-results');

  // Exports: the field as MetaImage on the 3 mm grid; the warped mesh as GIfTI, whose distance to the pial
  // vertices is the vertex error the page shows.
  await page.locator('#export-field-format').selectOption('mha');
  const field = await download('#export-field', 'brain-register-field.mha');
  assert.equal(field.name, 'field.mha');
  const fieldImage = await readImage(field.path);
  assert.equal(fieldImage.components, 3);
  assert.deepEqual([...fieldImage.spacingMm], [3, 3, 3]);
  // Parameters › Inverse field: the results folder also holds the field on the moving grid, at the same spacing.
  const resultsDir = /^Results: (\S+)/.exec((await page.textContent('#results-summary')) ?? '')?.[1] ?? '';
  const inverseField = await readImage(join(resultsDir, 'inverse_field.nii.gz'));
  assert.deepEqual([inverseField.components, ...inverseField.spacingMm], [3, 3, 3, 3]);
  await page.locator('#export-mesh-format').selectOption('gii');
  const mesh = await download('#export-mesh', 'brain-register-warped.gii');
  assert.equal(mesh.name, 'warped.gii');
  const warped = await readShape(mesh.path);
  const pial = await readShape(BRAIN.pial);
  assert.equal(warped.pointsLps.length, pial.pointsLps.length);
  const errors = landmarkErrors(warped.pointsLps, pial.pointsLps);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  assert.ok(Math.abs(mean - after) < 0.005, `the exported mesh's vertex error ${mean.toFixed(4)} matches the page's ${after.toFixed(4)} mm`);
  const white = await readShape(BRAIN.white);
  const inverse = fieldInverseErrorMm(fieldImage, warped, white);
  assert.ok(inverse.inside > 0.99 && inverse.meanMm < 1, `the field maps warped vertices back to the white ones (mean ${inverse.meanMm.toFixed(3)} mm)`);
  assert.deepEqual(session.errors, []);
  console.log(
    `brain from the UI: ${seconds.toFixed(1)} s; vertex error ${before.toFixed(3)} → ${after.toFixed(3)} mm; chamfer ${m['surfaceDistance.chamferMm'].before.toFixed(3)} → ` +
      `${m['surfaceDistance.chamferMm'].finetune.toFixed(3)} mm; Jacobian min ${m['jacobian.min'].finetune.toFixed(3)}; steps ${columns.slice(1).map((c) => `${c} ${m.time[c]?.toFixed(2)} s`).join(', ')}; ` +
      `field inverse ${inverse.meanMm.toFixed(3)} mm; stages ${progress.stages.join(' → ')}`,
  );
});

test('residual prior from the UI: a wrong file is refused by name; a prior is applied, reported and shown as a step', { skip }, async () => {
  const { page } = session;
  // The white → pial pair of the previous test is still open.
  const dir = join(work, 'prior');
  await mkdir(dir, { recursive: true });
  const bad = join(dir, 'not-a-prior.json');
  await writeFile(bad, '{"markups": []}');
  await clearMessages(page);
  await page.setInputFiles('#file-prior', bad);
  await page.waitForSelector('#messages .message[data-kind="error"]');
  assert.match(await page.locator('#messages .message[data-kind="error"] span').last().textContent() ?? '', /^Could not open not-a-prior\.json: is not a residual prior/);
  assert.equal(await page.textContent('#input-prior'), 'none');
  assert.equal(await page.locator('#btn-prior-clear').isDisabled(), true);

  // Two cases whose residual is 2 (normalised units) along x everywhere: with fade 0 the correction is that
  // constant, × α 0.5, × the fixed shape's spread along x.
  const priorPath = join(dir, 'cohort.json');
  await writeResidualPrior(priorPath, constantResidualPrior([2, 0, 0], lattice(3), { sigma: 1.5, shrink: 0.5, fade: 0 }, ['cohort/a', 'cohort/b']));
  await clearMessages(page);
  await page.setInputFiles('#file-prior', priorPath);
  await waitLoaded('#input-prior', 'cohort.json — 2 cases, 54 landmarks, σ 1.5, shrink 0.5');
  assert.equal(await page.getAttribute('#input-prior', 'title'), 'Learned from: cohort/a, cohort/b');
  await page.locator('#panel-parameters').screenshot({ path: join(SCREENSHOTS, 'prior-chosen.png') });

  const resultsDir = join(dir, 'run');
  await setParameters(page, { preset: 'brain', steps: ['prealign'], fieldSpacingMm: 4, outDir: resultsDir });
  await page.locator('#btn-register').click();
  // The previous run's results stay on show until this one's arrive.
  await page.waitForFunction((d) => document.getElementById('results-summary')?.textContent?.startsWith(`Results: ${d} `), resultsDir, { timeout: 120_000 });
  await waitForResults(page);
  assert.deepEqual(await metricsColumns(page), ['before', 'prealign', 'prior']);
  const m = await metricsTable(page);
  assert.notEqual(m['vertexError.mean'].prior, m['vertexError.mean'].prealign, 'the prior moved the shape');
  assert.deepEqual(await page.locator('#step-select option').allTextContents(), ['pre-aligned', 'prior-corrected', 'final (warped)']);
  // The run read the uploaded prior (same bytes), and its correction is α · s_x · 2 everywhere.
  const report = JSON.parse(await readFile(join(resultsDir, 'report.json'), 'utf8'));
  assert.equal(report.inputs.residualPrior.sha256, createHash('sha256').update(await readFile(priorPath)).digest('hex'));
  const spreadX = report.inputs.fixedMomentsLps.spreadMm[0];
  assert.ok(Math.abs(report.steps.at(-1).details.largestCorrectionMm - 0.5 * spreadX * 2) < 1e-3, `largest correction ${report.steps.at(-1).details.largestCorrectionMm} mm`);

  // Clear: the next registration runs without a prior.
  await page.locator('#btn-prior-clear').click();
  assert.equal(await page.textContent('#input-prior'), 'none');
  assert.equal(await page.locator('#btn-prior-clear').isDisabled(), true);
  assert.deepEqual(session.errors, []);
});

test('label maps from the UI: Parameters › Label registers one structure of each', { skip }, async () => {
  const { page } = session;
  const dir = join(work, 'labels');
  await mkdir(dir, { recursive: true });
  // Label 2, a ball of radius 14 mm, centred at x = 15 (moving) and 19 mm (fixed); label 1, a small ball elsewhere.
  const volume = (shift: number) =>
    imageFrom([40, 30, 30], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => (Math.hypot(p[0] - 15 - shift, p[1], p[2]) < 14 ? 2 : Math.hypot(p[0] + 22, p[1], p[2]) < 8 ? 1 : 0));
  await writeImage(join(dir, 'labels-moving.nii.gz'), volume(0));
  await writeImage(join(dir, 'labels-fixed.nii.gz'), volume(4));
  await page.setInputFiles('#file-moving', join(dir, 'labels-moving.nii.gz'));
  await waitLoaded('#input-moving', 'labels-moving.nii.gz');
  await page.setInputFiles('#file-fixed', join(dir, 'labels-fixed.nii.gz'));
  await waitLoaded('#input-fixed', 'labels-fixed.nii.gz');
  const vertices = async (): Promise<number> => Number(/surface (\d+) vertices/.exec((await page.textContent('#input-fixed')) ?? '')?.[1]);
  const both = await vertices();
  const resultsDir = join(dir, 'run');
  await setParameters(page, { preset: 'generic', steps: ['prealign'], fieldSpacingMm: 6, outDir: resultsDir, label: 2, finetuneForm: 'diffeomorphic', rotationSearch: true });
  // The surface shown is the selection's, as registered: label 2 alone, fewer vertices than both balls.
  await page.locator('#knob-label').dispatchEvent('change');
  await page.waitForFunction((n) => {
    const m = /surface (\d+) vertices/.exec(document.getElementById('input-fixed')?.textContent ?? '');
    return m !== null && Number(m[1]) < n;
  }, both);
  const labelTwo = await vertices();
  assert.ok(labelTwo > 0.5 * both, `label 2 (the big ball): ${labelTwo} vertices of ${both}`);
  await page.locator('#btn-register').click();
  await page.waitForFunction((d) => document.getElementById('results-summary')?.textContent?.startsWith(`Results: ${d} `), resultsDir, { timeout: 120_000 });
  await waitForResults(page);
  const report = JSON.parse(await readFile(join(resultsDir, 'report.json'), 'utf8'));
  assert.equal(report.settings.volumeSelection, 'label 2');
  // Advanced › Fine-tuning and Rotation search reach the pipeline as --diffeomorphic and --rotation-search do.
  assert.equal(report.settings.overrides.diffeomorphic, true);
  assert.equal(report.settings.resolvedPreset.finetune.diffeomorphic, true, 'over the generic preset’s displacement');
  assert.equal(report.settings.overrides.rotationSearch, true);
  assert.equal(report.settings.resolvedPreset.prealign.rotationSearch, true);
  const b = boundsOf((await readShape(join(resultsDir, 'fixed_surface.vtk'))).pointsLps);
  assert.ok(Math.abs((b[0] + b[1]) / 2 - 19) < 1.5 && Math.abs(b[1] - b[0] - 28) < 4, `fixed surface x ${b[0]}…${b[1]}: label 2 only`);
  await setParameters(page, { preset: 'generic', steps: ['prealign'] });
});

test('landmarks opened in two frames are refused before any job; a double press of Register starts one registration', { skip }, async () => {
  const { page } = session;
  await clearMessages(page);
  const dir = join(work, 'double');
  await mkdir(dir, { recursive: true });
  const sphere = (r: number, dx: number): Shape => {
    const s = icosphere(2, r);
    for (let i = 0; i < s.pointsLps.length; i += 3) s.pointsLps[i] += dx;
    return { kind: 'mesh', pointsLps: s.pointsLps, triangles: s.triangles, arrays: [], sourceFrame: 'LPS' };
  };
  await writeShape(join(dir, 'ball-moving.vtk'), sphere(30, 0));
  await writeShape(join(dir, 'ball-fixed.vtk'), sphere(33, 5));
  await writeFile(join(dir, 'lm-moving.csv'), 'x,y,z\n30,0,0\n0,30,0\n0,0,30\n');
  await writeFile(join(dir, 'lm-fixed.csv'), 'x,y,z\n38,0,0\n5,33,0\n5,0,33\n');
  await page.setInputFiles('#file-moving', join(dir, 'ball-moving.vtk'));
  await waitLoaded('#input-moving', 'ball-moving.vtk');
  await page.setInputFiles('#file-fixed', join(dir, 'ball-fixed.vtk'));
  await waitLoaded('#input-fixed', 'ball-fixed.vtk');
  await setParameters(page, { preset: 'generic', steps: ['prealign'], fieldSpacingMm: 10 });
  await page.locator('#input-landmarks').evaluate((el) => el.closest('section')?.querySelector('details')?.setAttribute('open', ''));
  await page.locator('#landmarks-prefix').fill('');
  const frame = page.locator('#landmarks-frame');
  await frame.selectOption('');
  await page.setInputFiles('#file-moving-landmarks', join(dir, 'lm-moving.csv'));
  await page.waitForFunction(() => /moving: lm-moving\.csv/.test(document.querySelector('#input-landmarks')?.textContent ?? ''));
  await frame.selectOption('RAS');
  await page.setInputFiles('#file-fixed-landmarks', join(dir, 'lm-fixed.csv'));
  await waitLoaded('#input-landmarks', 'lm-fixed.csv');
  // Jobs of the test before (the label maps' surfaces extracted again as Label was cleared) end first, so that a
  // running panel below can only be a registration started despite the refusal.
  await page.waitForSelector('#panel-progress:not([data-state="running"])', { timeout: 60_000 });
  await page.locator('#btn-register').click();
  const error = page.locator('#messages .message[data-kind="error"] span').last();
  await error.waitFor();
  assert.match(await error.textContent() ?? '', /^The moving landmarks were opened in the format’s default and the fixed ones in RAS: choose one frame/);
  assert.notEqual(await page.locator('#panel-progress').getAttribute('data-state'), 'running', 'no job started');
  // Both opened in the format's default (plain CSV: LPS), then the selector moved: the files are read as drawn.
  await frame.selectOption('');
  await page.setInputFiles('#file-fixed-landmarks', join(dir, 'lm-fixed.csv'));
  await page.waitForFunction(() => document.getElementById('input-landmarks')?.dataset.state === 'loaded');
  await frame.selectOption('RAS');
  await clearMessages(page);
  const before = await readdir(session.resultsRoot);
  await page.locator('#btn-register').dblclick();
  await waitForResults(page);
  const after = (await readdir(session.resultsRoot)).filter((n) => !before.includes(n));
  assert.equal(after.length, 1, `one results folder: ${after.join(', ')}`);
  const report = JSON.parse(await readFile(join(session.resultsRoot, after[0], 'report.json'), 'utf8'));
  assert.equal(report.settings.landmarksFrame ?? 'LPS', 'LPS');
  // Both files in one frame: (8 + 2·√34) / 3 mm apart before, whichever frame that is.
  assert.ok(Math.abs(report.metrics.before.tre.mean - (8 + 2 * Math.sqrt(34)) / 3) < 1e-6, `TRE before ${report.metrics.before.tre.mean} mm`);
  await frame.selectOption('');
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
  // The 3D view is one tab stop: Tab leaves it (vtk.js's own element inside is none).
  await page.locator('#view3d').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('#view3d') === null), true, 'Tab leaves the 3D view');
  assert.equal(await page.getAttribute('#btn-register', 'aria-keyshortcuts'), 'Control+Enter');
  assert.deepEqual(session.errors, []);
});

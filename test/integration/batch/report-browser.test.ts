/**
 * report.html in headless Chromium with no network (an offline context; any request other than the file itself and
 * data: URLs is recorded and aborted): the cohort table, the TRE plot and the thumbnails show (every image decoded,
 * with non-uniform pixels), sorting by a column works, no console or page errors. A screenshot is saved under
 * test-results/batch/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { decodePng } from '../../e2e/support/png.ts';
import { CHROMIUM, needsChromium } from '../../e2e/support/web-session.ts';
import { REPO_ROOT } from '../../support/data.ts';
import { FAST_OPTIONS, MANIFEST_HEADER, runMonge, writeSyntheticPairs } from './support.ts';

const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'batch');

test('report.html opens offline in Chromium: table, plot, thumbnails, sorting, no errors', { timeout: 180_000, skip: needsChromium() }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-report-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking'] });
  try {
    const rows = await writeSyntheticPairs(dir, 3);
    rows.splice(1, 0, 'lost,absent.vtk,f0.vtk,,');
    await writeFile(join(dir, 'manifest.csv'), [MANIFEST_HEADER, ...rows].join('\n') + '\n');
    const out = join(dir, 'out');
    const run = await runMonge(['batch', join(dir, 'manifest.csv'), '-o', out, '--jobs', '2', ...FAST_OPTIONS]);
    assert.equal(run.code, EXIT.somePairsFailed, run.stderr);

    const context = await browser.newContext({ offline: true, viewport: { width: 1500, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith('file:') && !url.startsWith('data:')) outside.push(url);
    });
    await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });

    // The table: one row per pair, in manifest order, the failure with its reason.
    const ids = () => page.$$eval('#cohort tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-id')));
    assert.deepEqual(await ids(), ['case0', 'lost', 'case1', 'case2']);
    assert.match(await page.textContent('#cohort tbody tr[data-id="lost"] td.error') ?? '', /absent\.vtk: no such file/);
    // The plot: before / after marks for the three registered cases, a cross for the failed one.
    assert.ok(await page.isVisible('svg#tre-plot'));
    assert.equal(await page.locator('svg#tre-plot > circle.before').count(), 3);
    assert.equal(await page.locator('svg#tre-plot > circle.after').count(), 3);
    assert.equal(await page.locator('svg#tre-plot g.failed').count(), 1);
    // The thumbnails: decoded, sized, and not a flat colour.
    const images = await page.$$eval('img.thumbnail', (imgs) =>
      (imgs as HTMLImageElement[]).map((img) => {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const g = canvas.getContext('2d')!;
        g.drawImage(img, 0, 0);
        const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set<number>();
        for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        return { complete: img.complete, width: img.naturalWidth, height: img.naturalHeight, colours: colours.size, shown: img.getBoundingClientRect().width };
      }),
    );
    assert.equal(images.length, 6, 'before and after for each of the three registered pairs');
    for (const im of images) {
      assert.ok(im.complete && im.width === 192 && im.height === 192, JSON.stringify(im));
      assert.ok(im.colours > 20, `a rendered shape, not a flat image: ${im.colours} colours`);
      assert.ok(im.shown > 0, 'laid out');
    }
    // Sorting: by TRE after, ascending then descending (failed pair last either way).
    const treAfter: [string, number][] = await page.$$eval('#cohort tbody tr', (trs) => trs.map((tr): [string, number] => [tr.getAttribute('data-id') ?? '', Number((tr as HTMLTableRowElement).cells[4].dataset.sort || NaN)]));
    const byTre = treAfter.filter(([, v]) => Number.isFinite(v)).sort((x, y) => x[1] - y[1]).map(([k]) => k);
    const header = page.locator('#cohort th', { hasText: 'TRE after (mm)' });
    await header.click();
    assert.deepEqual(await ids(), [...byTre, 'lost']);
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await header.click();
    assert.deepEqual(await ids(), [...byTre.reverse(), 'lost']);
    await page.locator('#cohort th', { hasText: /^#$/ }).click();
    assert.deepEqual(await ids(), ['case0', 'lost', 'case1', 'case2']);

    await mkdir(SCREENSHOTS, { recursive: true });
    const png = await page.screenshot({ fullPage: true, path: join(SCREENSHOTS, 'report.png') });
    const shot = decodePng(png);
    const thumbBox = await page.locator('img.thumbnail.after').first().boundingBox();
    assert.ok(thumbBox && shot.width >= 1500);
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, []);
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
});

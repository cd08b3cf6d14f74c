import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { AMBIENT, DIFFUSE, GHOST_TINT, crc32, encodePng, fitView, RasterCanvas, renderOverlayPng } from '../../../core/render/index.ts';
import { decodePng } from '../../e2e/support/png.ts';

test('CRC-32 matches the published check value and zlib', () => {
  // The CRC-32 check value of "123456789" (ISO 3309 / ITU-T V.42) is 0xCBF43926.
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new TextEncoder().encode('IEND')), 0xae426082, 'the CRC every PNG ends with');
  const zcrc = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;
  if (zcrc) assert.equal(crc32(Uint8Array.of(1, 2, 3, 250)), zcrc(Uint8Array.of(1, 2, 3, 250)));
});

test('PNG encoding round-trips through an independent decoder', () => {
  const w = 37;
  const h = 11;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 97 + (i >> 5) * 13) & 0xff;
  const png = encodePng(w, h, rgb);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const back = decodePng(png);
  assert.equal(back.width, w);
  assert.equal(back.height, h);
  for (let i = 0; i < w * h; i++) {
    assert.deepEqual([...back.data.subarray(4 * i, 4 * i + 4)], [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255]);
  }
  assert.throws(() => encodePng(2, 2, new Uint8Array(11)), RangeError);
});

test('triangles cover the pixels whose centres they contain, and the z-buffer keeps the nearest whatever the order', () => {
  const red = [255, 0, 0] as const;
  const blue = [0, 0, 255] as const;
  for (const order of ['near-first', 'far-first']) {
    const c = new RasterCanvas(10, 10, [0, 0, 0]);
    // Two squares (two triangles each): the near one (depth 1) covers x 2..6, the far one (depth 5) x 4..9.
    const square = (x0: number, x1: number, z: number, colour: readonly [number, number, number]) => {
      c.triangle(x0, 0, z, x1, 0, z, x1, 10, z, colour);
      c.triangle(x0, 0, z, x1, 10, z, x0, 10, z, colour);
    };
    if (order === 'near-first') {
      square(2, 6, 1, red);
      square(4, 9, 5, blue);
    } else {
      square(4, 9, 5, blue);
      square(2, 6, 1, red);
    }
    const row = Array.from({ length: 10 }, (_, x) => (c.rgb[3 * x] === 255 ? 'R' : c.rgb[3 * x + 2] === 255 ? 'B' : '.')).join('');
    assert.equal(row, '..RRRRBBB.', order);
  }
});

test('flat Lambert shading: a face towards the viewer gets ambient + diffuse · (n · l)', () => {
  // A square in the coronal plane (normal ±y, the anterior view's depth axis) filling the view.
  const pointsLps = Float64Array.of(-10, 0, -10, 10, 0, -10, 10, 0, 10, -10, 0, 10);
  const triangles = Uint32Array.of(0, 1, 2, 0, 2, 3);
  const colour = [200, 100, 50] as const;
  const png = renderOverlayPng([{ shape: { pointsLps, triangles }, colour }], { width: 40, height: 40, background: [0, 0, 0] });
  const image = decodePng(png);
  // Light direction of the anterior view: −forward + 0.45 up − 0.35 right = (−0.35, −1, 0.45), normalised.
  const ndotl = 1 / Math.hypot(0.35, 1, 0.45);
  const intensity = AMBIENT + DIFFUSE * ndotl;
  const centre = 4 * (20 * 40 + 20);
  assert.deepEqual([...image.data.subarray(centre, centre + 3)], colour.map((v) => Math.round(v * intensity)));
  // The square spans the view minus the 6 % margin on each side: (1 − 0.12) × 40 = 35.2 pixels across.
  let lit = 0;
  for (let i = 0; i < 40 * 40; i++) if (image.data[4 * i] > 0) lit++;
  assert.ok(Math.abs(lit - 35.2 ** 2) < 2 * 35.2 * 2, `${lit} pixels lit, ${35.2 ** 2} expected`);
});

test('fitView puts the anterior view the radiological way round: patient left (+x) right, superior (+z) up', () => {
  const view = fitView([-100, 100, -50, 50, -20, 20], 200, 100);
  const p = new Float64Array(3);
  view.project(100, 0, 0, p);
  assert.ok(p[0] > 180, `+x on the right (${p[0]})`);
  view.project(0, 0, 20, p);
  assert.ok(p[1] < 50, `+z up (${p[1]})`);
  view.project(0, -50, 0, p);
  assert.equal(p[2], -50, 'depth grows towards posterior');
  // 200 mm across 200 × 0.88 pixels, 40 mm up 100 × 0.88: the width limits the scale.
  assert.ok(Math.abs(view.scale - 0.88) < 1e-12);
});

test('overlay: the ghost (reference) shows as tint and outline, the solid shape on top, each with its own z-buffer', () => {
  // A big sphere-like box (ghost) enclosing a small one (solid): with one shared z-buffer the small one would vanish.
  const box = (r: number) => {
    const pointsLps = Float64Array.of(-r, -r, -r, r, -r, -r, r, r, -r, -r, r, -r, -r, -r, r, r, -r, r, r, r, r, -r, r, r);
    const triangles = Uint32Array.of(0, 1, 5, 0, 5, 4, 1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 0, 4, 3, 4, 7, 4, 5, 6, 4, 6, 7, 0, 3, 2, 0, 2, 1);
    return { pointsLps, triangles };
  };
  const blue = [0, 0, 255] as const;
  const orange = [255, 128, 0] as const;
  const image = decodePng(renderOverlayPng([{ shape: box(50), colour: blue, style: 'ghost' }, { shape: box(10), colour: orange }], { width: 100, height: 100, supersample: 1 }));
  const at = (x: number, y: number) => [...image.data.subarray(4 * (y * 100 + x), 4 * (y * 100 + x) + 3)];
  const centre = at(50, 50);
  assert.ok(centre[0] > 150 && centre[2] < 50, `the solid inner box shows at the centre: ${centre}`);
  // The ghost's front face (normal −y) shaded, then GHOST_TINT of it over the white background.
  const shaded = blue.map((v) => Math.round(v * (AMBIENT + DIFFUSE / Math.hypot(0.35, 1, 0.45))));
  assert.deepEqual(at(20, 50), shaded.map((v) => Math.round(GHOST_TINT * v + (1 - GHOST_TINT) * 255)), 'the ghost is a light tint');
  assert.deepEqual(at(6, 50), [...blue], 'the ghost outline (the box edge at 6 % margin) in full colour');
  assert.deepEqual(at(2, 50), [255, 255, 255], 'background outside');
});

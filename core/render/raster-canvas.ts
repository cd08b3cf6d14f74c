/**
 * A small offscreen software rasteriser: an RGB colour buffer and a depth buffer (z-buffer: a fragment is kept
 * when it is nearer than what the pixel holds, so the result does not depend on drawing order), filled triangles
 * with depth interpolated across them (edge functions, pixel centres at +0.5, top-left fill rule approximated by
 * a ≥ 0 test), and square point splats for point sets. Shading is the caller's: it passes one colour per
 * triangle (flat shading).
 */

export type Rgb = readonly [number, number, number];

export class RasterCanvas {
  readonly rgb: Uint8Array;
  readonly depth: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`RasterCanvas: invalid size ${width} × ${height}`);
    this.rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.rgb.set(background, 3 * i);
    this.depth = new Float32Array(width * height).fill(Infinity);
  }

  /** Writes a fragment if it is nearer than the pixel's. */
  private fragment(px: number, py: number, z: number, colour: Rgb): void {
    const i = py * this.width + px;
    if (z >= this.depth[i]) return;
    this.depth[i] = z;
    this.rgb[3 * i] = colour[0];
    this.rgb[3 * i + 1] = colour[1];
    this.rgb[3 * i + 2] = colour[2];
  }

  /** A filled triangle in screen coordinates (x right, y down, pixels) with per-vertex depth. */
  triangle(ax: number, ay: number, az: number, bx: number, by: number, bz: number, cx: number, cy: number, cz: number, colour: Rgb): void {
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (!(Math.abs(area) > 1e-12)) return;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by, cy)));
    const inv = 1 / area;
    for (let py = y0; py <= y1; py++) {
      const y = py + 0.5;
      for (let px = x0; px <= x1; px++) {
        const x = px + 0.5;
        // Barycentric weights from the edge functions, signed by the triangle's orientation.
        const wa = ((bx - x) * (cy - y) - (by - y) * (cx - x)) * inv;
        const wb = ((cx - x) * (ay - y) - (cy - y) * (ax - x)) * inv;
        const wc = 1 - wa - wb;
        if (wa < 0 || wb < 0 || wc < 0) continue;
        this.fragment(px, py, wa * az + wb * bz + wc * cz, colour);
      }
    }
  }

  /** A square splat of side `size` pixels centred at (x, y). */
  splat(x: number, y: number, z: number, size: number, colour: Rgb): void {
    const half = size / 2;
    const x0 = Math.max(0, Math.floor(x - half));
    const x1 = Math.min(this.width - 1, Math.ceil(x + half) - 1);
    const y0 = Math.max(0, Math.floor(y - half));
    const y1 = Math.min(this.height - 1, Math.ceil(y + half) - 1);
    for (let py = y0; py <= y1; py++) for (let px = x0; px <= x1; px++) this.fragment(px, py, z, colour);
  }

  /** The image shrunk by an integer factor, each output pixel the mean of a factor × factor block (anti-aliasing). */
  downsample(factor: number): { width: number; height: number; rgb: Uint8Array } {
    if (factor === 1) return { width: this.width, height: this.height, rgb: this.rgb };
    const w = Math.floor(this.width / factor);
    const h = Math.floor(this.height / factor);
    const out = new Uint8Array(w * h * 3);
    const n = factor * factor;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += this.rgb[3 * ((y * factor + dy) * this.width + x * factor + dx) + c];
          out[3 * (y * w + x) + c] = Math.round(sum / n);
        }
      }
    }
    return { width: w, height: h, rgb: out };
  }
}

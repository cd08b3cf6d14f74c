/**
 * Overlay thumbnails: shapes drawn one colour each with flat Lambert shading (intensity = ambient + diffuse ·
 * |n · l| for the triangle's unit normal n and a light l from the viewer's upper left; two-sided, since surfaces
 * from masks and from files wind either way), each shape's hidden surfaces removed by its own z-buffer, then
 * composited in layers: 'ghost' shapes (the reference, e.g. the fixed shape) as a faint tint under everything and
 * their silhouette outline over everything, 'solid' shapes (the moving / warped one) opaque in between. (One shared
 * z-buffer would hide a shape lying inside the other — an expiration lung inside the inspiration one — which is
 * exactly the misalignment a thumbnail must show.) Rendered at 2×, box-filtered down, encoded as PNG. Point sets
 * (no triangles) are drawn as splats shaded by depth. Headless and dependency-free: the batch report renders a
 * before / after pair per case with it.
 */
import type { Shape } from '../shape/index.ts';
import { fitView, ANTERIOR_VIEW, type OrthographicView, type ViewAxes } from './orthographic-view.ts';
import { encodePng } from './png-encoder.ts';
import { RasterCanvas, type Rgb } from './raster-canvas.ts';

export interface OverlayLayer {
  shape: Pick<Shape, 'pointsLps' | 'triangles'>;
  colour: Rgb;
  /** 'solid' (default): opaque; 'ghost': a faint tint below the solid shapes and an outline above them. */
  style?: 'solid' | 'ghost';
}

/** How much of a ghost's shaded colour shows in its tint (the rest is background). */
export const GHOST_TINT = 0.35;

export interface ThumbnailOptions {
  /** Output size in pixels (default 192 × 192). */
  width?: number;
  height?: number;
  background?: Rgb;
  axes?: ViewAxes;
  /** Supersampling factor (default 2). */
  supersample?: number;
  /**
   * Bounds ([xmin, xmax, ymin, ymax, zmin, zmax], LPS mm) the camera is fitted to; default: the layers'. Give the
   * same bounds to thumbnails that are to be compared (before / after).
   */
  boundsLps?: ArrayLike<number>;
}

export const AMBIENT = 0.3;
export const DIFFUSE = 0.7;

/** Union of the layers' bounding boxes. */
export function layersBounds(shapes: readonly Pick<Shape, 'pointsLps'>[]): number[] {
  const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (const s of shapes) {
    const p = s.pointsLps;
    for (let i = 0; i < p.length; i++) {
      const a = i % 3;
      if (p[i] < b[2 * a]) b[2 * a] = p[i];
      if (p[i] > b[2 * a + 1]) b[2 * a + 1] = p[i];
    }
  }
  return b;
}

/** Unit light direction (towards the light) in LPS: from the viewer, up and to the left. */
function lightOf(axes: ViewAxes): [number, number, number] {
  const l = [0, 1, 2].map((k) => -axes.forward[k] + 0.45 * axes.up[k] - 0.35 * axes.right[k]);
  const n = Math.hypot(l[0], l[1], l[2]);
  return [l[0] / n, l[1] / n, l[2] / n];
}

const shade = (colour: Rgb, intensity: number): Rgb => [
  Math.min(255, Math.round(colour[0] * intensity)),
  Math.min(255, Math.round(colour[1] * intensity)),
  Math.min(255, Math.round(colour[2] * intensity)),
];

function drawLayer(canvas: RasterCanvas, view: OrthographicView, layer: OverlayLayer, light: readonly number[], depthRange: [number, number]): void {
  const p = layer.shape.pointsLps;
  const n = p.length / 3;
  const screen = new Float64Array(3 * n);
  const s = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    view.project(p[3 * i], p[3 * i + 1], p[3 * i + 2], s);
    screen.set(s, 3 * i);
  }
  const t = layer.shape.triangles;
  if (t && t.length > 0) {
    for (let k = 0; k < t.length; k += 3) {
      const a = 3 * t[k];
      const b = 3 * t[k + 1];
      const c = 3 * t[k + 2];
      const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
      const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
      const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      const len = Math.hypot(nx, ny, nz);
      if (!(len > 0)) continue;
      const intensity = AMBIENT + (DIFFUSE * Math.abs(nx * light[0] + ny * light[1] + nz * light[2])) / len;
      canvas.triangle(screen[a], screen[a + 1], screen[a + 2], screen[b], screen[b + 1], screen[b + 2], screen[c], screen[c + 1], screen[c + 2], shade(layer.colour, intensity));
    }
    return;
  }
  // Point sets: splats about 1 % of the image wide, nearer points brighter.
  const size = Math.max(2, Math.round(canvas.width / 100));
  const [near, far] = depthRange;
  for (let i = 0; i < n; i++) {
    const z = screen[3 * i + 2];
    const intensity = AMBIENT + DIFFUSE * (far > near ? (far - z) / (far - near) : 1);
    canvas.splat(screen[3 * i], screen[3 * i + 1], z, size, shade(layer.colour, intensity));
  }
}

/** Renders the layers over each other and returns the PNG bytes. */
export function renderOverlayPng(layers: readonly OverlayLayer[], options: ThumbnailOptions = {}): Uint8Array {
  const width = options.width ?? 192;
  const height = options.height ?? 192;
  const factor = options.supersample ?? 2;
  const axes = options.axes ?? ANTERIOR_VIEW;
  const bounds = options.boundsLps ?? layersBounds(layers.map((l) => l.shape));
  const background = options.background ?? [255, 255, 255];
  const view = fitView(bounds, width * factor, height * factor, axes);
  // Depth range of the bounds along the viewing direction (for point shading).
  let near = Infinity;
  let far = -Infinity;
  for (let corner = 0; corner < 8; corner++) {
    const d = axes.forward[0] * bounds[corner & 1 ? 1 : 0] + axes.forward[1] * bounds[corner & 2 ? 3 : 2] + axes.forward[2] * bounds[corner & 4 ? 5 : 4];
    near = Math.min(near, d);
    far = Math.max(far, d);
  }
  const light = lightOf(axes);
  const canvases = layers.map((layer) => {
    const canvas = new RasterCanvas(width * factor, height * factor, background);
    drawLayer(canvas, view, layer, light, [near, far]);
    return canvas;
  });
  const out = new RasterCanvas(width * factor, height * factor, background);
  compositeLayers(
    out,
    canvases.map((canvas, k) => ({ canvas, style: layers[k].style ?? 'solid', colour: layers[k].colour })),
    Math.max(1, factor),
  );
  const image = out.downsample(factor);
  return encodePng(image.width, image.height, image.rgb);
}

/** Whether pixel i of `layer` is covered while one of its 4-neighbours (or the image edge) is not. */
function onSilhouette(layer: RasterCanvas, i: number): boolean {
  const w = layer.width;
  const x = i % w;
  const y = (i - x) / w;
  if (x === 0 || y === 0 || x === w - 1 || y === layer.height - 1) return true;
  return layer.depth[i - 1] === Infinity || layer.depth[i + 1] === Infinity || layer.depth[i - w] === Infinity || layer.depth[i + w] === Infinity;
}

/** One shape rendered alone, for compositing. */
export interface RenderedLayer {
  canvas: RasterCanvas;
  style: 'solid' | 'ghost';
  /** The outline colour of a ghost. */
  colour: Rgb;
}

/**
 * Composites per-layer renderings into `out` (which holds the background): ghost tints, then solid layers in
 * order, then ghost outlines (in the ghost's colour) `thickness` pixels wide.
 */
export function compositeLayers(out: RasterCanvas, layers: readonly RenderedLayer[], thickness = 1): void {
  const n = out.width * out.height;
  const w = out.width;
  const blend = (i: number, src: Uint8Array, weight: number) => {
    for (let c = 0; c < 3; c++) out.rgb[3 * i + c] = Math.round(weight * src[3 * i + c] + (1 - weight) * out.rgb[3 * i + c]);
    out.depth[i] = 0;
  };
  for (const { canvas, style } of layers) if (style === 'ghost') for (let i = 0; i < n; i++) if (canvas.depth[i] !== Infinity) blend(i, canvas.rgb, GHOST_TINT);
  for (const { canvas, style } of layers) if (style === 'solid') for (let i = 0; i < n; i++) if (canvas.depth[i] !== Infinity) blend(i, canvas.rgb, 1);
  for (const { canvas, style, colour } of layers) {
    if (style !== 'ghost') continue;
    for (let i = 0; i < n; i++) {
      if (canvas.depth[i] === Infinity || !onSilhouette(canvas, i)) continue;
      // The edge pixel, thickened by thickness − 1 pixels around it.
      const x = i % w;
      const y = (i - x) / w;
      for (let yy = Math.max(0, y - thickness + 1); yy <= Math.min(out.height - 1, y + thickness - 1); yy++) {
        for (let xx = Math.max(0, x - thickness + 1); xx <= Math.min(w - 1, x + thickness - 1); xx++) {
          out.rgb.set(colour, 3 * (yy * w + xx));
          out.depth[yy * w + xx] = 0;
        }
      }
    }
  }
}

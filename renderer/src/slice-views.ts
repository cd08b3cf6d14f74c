/**
 * Slice views of volume inputs: the axial, coronal and sagittal slices (main/service/slices.ts orients them as
 * radiology viewers do and labels their edges in LPS), drawn on canvases at their physical aspect, with a second
 * image blended over the first (fixed ⟷ moving, or ⟷ the moving image warped through the field) and surface
 * contours (contour.ts) drawn on top.
 */
import type { DisplayShape, DisplaySlice } from '../../main/service/api.ts';
import { sliceContour } from './contour.ts';

export interface SliceSet {
  base: DisplaySlice[];
  baseRange: [number, number];
  /** Blended over the base with the blend slider (same pixels as the base). */
  overlay?: DisplaySlice[];
  overlayRange?: [number, number];
  contours: { shape: DisplayShape; color: string }[];
}

function rangeOf(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 1];
}

export class SliceViews {
  private set: SliceSet | undefined;
  private blend = 0.5;

  constructor(
    private readonly container: HTMLElement,
    private readonly canvases: Record<'axial' | 'coronal' | 'sagittal', HTMLCanvasElement>,
  ) {}

  show(set: SliceSet | undefined): void {
    this.set = set;
    this.container.hidden = set === undefined;
    this.draw();
  }

  setBlend(alpha: number): void {
    this.blend = alpha;
    this.draw();
  }

  get hasOverlay(): boolean {
    return this.set?.overlay !== undefined;
  }

  private draw(): void {
    const set = this.set;
    if (!set) return;
    for (const slice of set.base) {
      const canvas = this.canvases[slice.orientation];
      const overlay = set.overlay?.find((s) => s.orientation === slice.orientation);
      this.drawOne(canvas, slice, set.baseRange, overlay, set.overlayRange ?? (overlay ? rangeOf(overlay.values) : undefined), set.contours);
    }
  }

  private drawOne(
    canvas: HTMLCanvasElement,
    slice: DisplaySlice,
    range: [number, number],
    overlay: DisplaySlice | undefined,
    overlayRange: [number, number] | undefined,
    contours: SliceSet['contours'],
  ): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const { width: W, height: H } = canvas;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, W, H);
    // Physical aspect: pixel steps in mm.
    const du = Math.hypot(...slice.uStepLps);
    const dv = Math.hypot(...slice.vStepLps);
    const scale = Math.min((W - 24) / (slice.width * du), (H - 24) / (slice.height * dv));
    const drawW = slice.width * du * scale;
    const drawH = slice.height * dv * scale;
    const x0 = (W - drawW) / 2;
    const y0 = (H - drawH) / 2;

    const image = new ImageData(slice.width, slice.height);
    const span = range[1] - range[0] || 1;
    const ospan = overlayRange ? overlayRange[1] - overlayRange[0] || 1 : 1;
    const a = overlay ? this.blend : 0;
    for (let i = 0; i < slice.values.length; i++) {
      const g = Math.min(1, Math.max(0, (slice.values[i] - range[0]) / span));
      const o = overlay && overlayRange ? Math.min(1, Math.max(0, (overlay.values[i] - overlayRange[0]) / ospan)) : 0;
      // Base in grey, overlay tinted magenta, mixed by the blend slider.
      image.data[4 * i] = 255 * ((1 - a) * g + a * o);
      image.data[4 * i + 1] = 255 * ((1 - a) * g + a * o * 0.35);
      image.data[4 * i + 2] = 255 * ((1 - a) * g + a * o);
      image.data[4 * i + 3] = 255;
    }
    const bitmap = document.createElement('canvas');
    bitmap.width = slice.width;
    bitmap.height = slice.height;
    bitmap.getContext('2d')?.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(bitmap, x0, y0, drawW, drawH);

    ctx.lineWidth = 1.5;
    for (const { shape, color } of contours) {
      if (shape.triangles.length === 0) continue;
      const seg = sliceContour(shape.pointsLps, shape.triangles, slice);
      ctx.strokeStyle = color;
      ctx.beginPath();
      for (let s = 0; s < seg.length; s += 4) {
        ctx.moveTo(x0 + (seg[s] + 0.5) * (drawW / slice.width), y0 + (seg[s + 1] + 0.5) * (drawH / slice.height));
        ctx.lineTo(x0 + (seg[s + 2] + 0.5) * (drawW / slice.width), y0 + (seg[s + 3] + 0.5) * (drawH / slice.height));
      }
      ctx.stroke();
    }

    ctx.fillStyle = '#e3b341';
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const { left, right, top, bottom } = slice.edgeLabels;
    ctx.fillText(top, W / 2, 8);
    ctx.fillText(bottom, W / 2, H - 8);
    ctx.fillText(left, 8, H / 2);
    ctx.fillText(right, W - 8, H / 2);
    canvas.dataset.orientation = slice.orientation;
    canvas.title = `${slice.orientation} slice ${slice.index} (LPS: left edge ${left}, right ${right}, top ${top}, bottom ${bottom})`;
  }
}

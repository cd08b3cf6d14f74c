/**
 * The colour legend drawn over the 3D view: a vertical bar of the shared colour map (color-scale.ts) with tick
 * labels on the 1/2/5/10 scale and the quantity's name and unit, so that "yellow" reads as a number of mm.
 */
import { colorAt, type ScaleSpec, tickLabel } from './color-scale.ts';

export function drawLegend(canvas: HTMLCanvasElement, scale: ScaleSpec | undefined): void {
  canvas.hidden = scale === undefined;
  if (!scale) return;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = 'rgba(16, 18, 22, 0.75)';
  ctx.fillRect(0, 0, width, height);
  const top = 34;
  const bottom = height - 12;
  const barX = 10;
  const barW = 16;
  for (let y = top; y <= bottom; y++) {
    const [r, g, b] = colorAt((bottom - y) / (bottom - top));
    ctx.fillStyle = `rgb(${Math.round(255 * r)}, ${Math.round(255 * g)}, ${Math.round(255 * b)})`;
    ctx.fillRect(barX, y, barW, 1);
  }
  ctx.fillStyle = '#e6e8ec';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillText(scale.title, 6, 4);
  if (scale.unit) ctx.fillText(`(${scale.unit})`, 6, 17);
  ctx.textBaseline = 'middle';
  for (const t of scale.ticks) {
    const y = bottom - ((t - scale.min) / (scale.max - scale.min || 1)) * (bottom - top);
    ctx.fillRect(barX + barW, Math.round(y), 4, 1);
    ctx.fillText(`${tickLabel(t)}${scale.unit ? ` ${scale.unit}` : ''}`, barX + barW + 7, y);
  }
}

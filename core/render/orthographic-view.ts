/**
 * An orthographic camera for thumbnails: screen axes given as LPS directions, fitted to a bounding box so every
 * shape drawn with it fits the image with a margin. The default is the anterior (coronal) view as radiologists
 * read it, the patient facing the viewer with the patient's right on the image's left: screen right = +x (L),
 * screen up = +z (S), looking along +y (anterior → posterior).
 */

export type Vec3 = readonly [number, number, number];

export interface ViewAxes {
  /** LPS direction drawn towards the image's right. */
  right: Vec3;
  /** LPS direction drawn towards the image's top. */
  up: Vec3;
  /** Viewing direction (into the screen) = up × right: depth grows along it. */
  forward: Vec3;
}

/** Anterior view: right = +x (L), up = +z (S), looking towards +y (P). */
export const ANTERIOR_VIEW: ViewAxes = { right: [1, 0, 0], up: [0, 0, 1], forward: [0, 1, 0] };

export interface OrthographicView {
  axes: ViewAxes;
  width: number;
  height: number;
  /** Pixels per mm. */
  scale: number;
  /** Screen coordinates of `pLps` (x to the right, y down, in pixels) and its depth (mm along `forward`). */
  project(x: number, y: number, z: number, out: Float64Array): void;
}

const dot = (a: Vec3, x: number, y: number, z: number) => a[0] * x + a[1] * y + a[2] * z;

/**
 * A view of `width` × `height` pixels showing the box `boundsLps` ([xmin, xmax, ymin, ymax, zmin, zmax]) whole,
 * centred, with `margin` (a fraction of the image) left free around it.
 */
export function fitView(boundsLps: ArrayLike<number>, width: number, height: number, axes: ViewAxes = ANTERIOR_VIEW, margin = 0.06): OrthographicView {
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let corner = 0; corner < 8; corner++) {
    const x = boundsLps[corner & 1 ? 1 : 0];
    const y = boundsLps[corner & 2 ? 3 : 2];
    const z = boundsLps[corner & 4 ? 5 : 4];
    const u = dot(axes.right, x, y, z);
    const v = dot(axes.up, x, y, z);
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  if (![minU, maxU, minV, maxV].every(Number.isFinite)) throw new RangeError('fitView: the bounds are not finite');
  const spanU = Math.max(maxU - minU, 1e-9);
  const spanV = Math.max(maxV - minV, 1e-9);
  const scale = Math.min((width * (1 - 2 * margin)) / spanU, (height * (1 - 2 * margin)) / spanV);
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2;
  return {
    axes,
    width,
    height,
    scale,
    project(x, y, z, out) {
      out[0] = width / 2 + scale * (dot(axes.right, x, y, z) - cu);
      out[1] = height / 2 - scale * (dot(axes.up, x, y, z) - cv);
      out[2] = dot(axes.forward, x, y, z);
    },
  };
}

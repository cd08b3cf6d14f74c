/**
 * A built-in sample that Monge generates itself: a lung-like two-lobe mask and a known, realistic breathing
 * motion. Used by `npm run demo` and by tests that need a shape pair with exact ground truth.
 *
 * Anatomy (LPS mm, origin at the carina): two half-ellipsoids, 12 × 10 × 13 cm semi-axes scaled per lung, flat on
 * the medial side and domed above the diaphragm; the left lung is slightly smaller (the heart sits there).
 * Motion (expiration → inspiration): the diaphragm descends (inferior points move down most, up to `amplitudeMm`),
 * the chest wall expands anteriorly and laterally by a few percent: a smooth, invertible map.
 */
import type { ImageLps } from '../image/index.ts';

/** Voxel spacing of the sample mask. */
export const SAMPLE_SPACING_MM = 2.5;

interface Lobe {
  /** Centre of the lobe (LPS mm). */
  centre: [number, number, number];
  /** Semi-axes (mm). */
  radii: [number, number, number];
  /** +1 for the left lung (+x in LPS), −1 for the right. */
  side: 1 | -1;
}

const LOBES: Lobe[] = [
  { centre: [-75, 10, -60], radii: [62, 85, 120], side: -1 },
  { centre: [72, 12, -65], radii: [56, 80, 112], side: 1 },
];

/** True inside a lobe: an ellipsoid cut flat 15 mm from the midline, with the dome at the bottom flattened. */
function insideLobe(p: readonly number[], lobe: Lobe): boolean {
  const [cx, cy, cz] = lobe.centre;
  const [rx, ry, rz] = lobe.radii;
  if (lobe.side * p[0] < 15) return false;
  const u = (p[0] - cx) / rx;
  const v = (p[1] - cy) / ry;
  // The diaphragm: below the centre, the ellipsoid is squashed upwards (a dome).
  const w = p[2] < cz ? (p[2] - cz) / (rz * 0.8) : (p[2] - cz) / rz;
  return u * u + v * v + w * w <= 1;
}

/** The sample lung mask (uint8, 1 inside) on a 2.5 mm grid with identity direction. */
export function syntheticLungMask(): ImageLps {
  const s = SAMPLE_SPACING_MM;
  const origin: [number, number, number] = [-150, -100, -200];
  const size: [number, number, number] = [121, 93, 105];
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  const p = [0, 0, 0];
  for (let k = 0; k < size[2]; k++) {
    p[2] = origin[2] + k * s;
    for (let j = 0; j < size[1]; j++) {
      p[1] = origin[1] + j * s;
      for (let i = 0; i < size[0]; i++) {
        p[0] = origin[0] + i * s;
        if (LOBES.some((lobe) => insideLobe(p, lobe))) data[i + size[0] * (j + size[1] * k)] = 1;
      }
    }
  }
  return { size, spacingMm: [s, s, s], originLps: origin, directionLps: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), components: 1, data };
}

/**
 * The known breathing displacement u(p) (mm, LPS) at LPS point p, expiration → inspiration:
 *   u_z = −A · σ((z₀ − z)/40)          diaphragm descent, largest at the base (σ the logistic function)
 *   u_y = −0.04 · (y − y₀) · σ(…)      anterior expansion (−y is anterior in LPS)
 *   u_x =  0.05 · (x − sign(x)·15)      lateral expansion of each lung
 */
export function breathingDisplacementMm(p: readonly number[], amplitudeMm = 18): [number, number, number] {
  const sigma = 1 / (1 + Math.exp(-(-60 - p[2]) / 40));
  const lateral = Math.abs(p[0]) > 15 ? 0.05 * (p[0] - Math.sign(p[0]) * 15) : 0;
  return [lateral, -0.04 * (p[1] - 10) * (0.5 + sigma), -amplitudeMm * sigma];
}

/** Applies the breathing motion to interleaved xyz points (a new array). */
export function applyBreathing(pointsLps: Float64Array, amplitudeMm = 18): Float64Array {
  const out = new Float64Array(pointsLps.length);
  for (let i = 0; i < pointsLps.length; i += 3) {
    const u = breathingDisplacementMm([pointsLps[i], pointsLps[i + 1], pointsLps[i + 2]], amplitudeMm);
    out[i] = pointsLps[i] + u[0];
    out[i + 1] = pointsLps[i + 1] + u[1];
    out[i + 2] = pointsLps[i + 2] + u[2];
  }
  return out;
}

/**
 * Trilinear sampling of an ImageLps at LPS points (ITK's LinearInterpolateImageFunction: voxel values sit at voxel
 * centres; points outside the centres' hull give `outside`). Used to resample the moving image and the
 * displacement field on the fixed image's slices.
 */
import { indexToLpsLinear, invert3, type ImageLps } from '../../core/image/index.ts';

export class LinearSampler {
  private readonly inv: Float64Array;
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;

  constructor(
    private readonly image: ImageLps,
    private readonly outside = 0,
  ) {
    this.inv = invert3(indexToLpsLinear(image));
    [this.nx, this.ny, this.nz] = image.size;
  }

  /** Writes the interpolated components at LPS (x, y, z) into `out` (length ≥ components); false when outside. */
  sampleInto(x: number, y: number, z: number, out: Float64Array): boolean {
    const { inv, nx, ny, nz } = this;
    const o = this.image.originLps;
    const dx = x - o[0];
    const dy = y - o[1];
    const dz = z - o[2];
    const fi = inv[0] * dx + inv[1] * dy + inv[2] * dz;
    const fj = inv[3] * dx + inv[4] * dy + inv[5] * dz;
    const fk = inv[6] * dx + inv[7] * dy + inv[8] * dz;
    const nc = this.image.components;
    if (!(fi >= 0 && fj >= 0 && fk >= 0 && fi <= nx - 1 && fj <= ny - 1 && fk <= nz - 1)) {
      out.fill(this.outside, 0, nc);
      return false;
    }
    const i0 = Math.min(Math.floor(fi), nx - 2 < 0 ? 0 : nx - 2);
    const j0 = Math.min(Math.floor(fj), ny - 2 < 0 ? 0 : ny - 2);
    const k0 = Math.min(Math.floor(fk), nz - 2 < 0 ? 0 : nz - 2);
    const ti = nx > 1 ? fi - i0 : 0;
    const tj = ny > 1 ? fj - j0 : 0;
    const tk = nz > 1 ? fk - k0 : 0;
    const i1 = nx > 1 ? 1 : 0;
    const j1 = ny > 1 ? nx : 0;
    const k1 = nz > 1 ? nx * ny : 0;
    const base = (k0 * ny + j0) * nx + i0;
    const d = this.image.data;
    for (let c = 0; c < nc; c++) {
      const at = (offset: number): number => d[(base + offset) * nc + c];
      const c00 = at(0) * (1 - ti) + at(i1) * ti;
      const c10 = at(j1) * (1 - ti) + at(j1 + i1) * ti;
      const c01 = at(k1) * (1 - ti) + at(k1 + i1) * ti;
      const c11 = at(k1 + j1) * (1 - ti) + at(k1 + j1 + i1) * ti;
      const c0 = c00 * (1 - tj) + c10 * tj;
      const c1 = c01 * (1 - tj) + c11 * tj;
      out[c] = c0 * (1 - tk) + c1 * tk;
    }
    return true;
  }
}

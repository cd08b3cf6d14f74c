/** Storage for per-point values. */
export type ArrayValues = Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/**
 * A named per-point array (VTK point data, PLY extra vertex properties, GIfTI data arrays, …).
 * `values` is interleaved: values[i * components + c].
 */
export interface PointArray {
  name: string;
  components: number;
  values: ArrayValues;
  /**
   * True when each tuple is a spatial 3-vector (a displacement, a normal): it is then stored in the same frame
   * as the points and changes sign with them on RAS↔LPS conversion.
   */
  spatialVector?: boolean;
  /**
   * True when each tuple is a spatial 3×3 tensor (9 components, row-major: a diffusion tensor, a strain, VTK's
   * TENSORS), in the same frame as the points: on RAS↔LPS conversion T' = F·T·F with F = diag(−1, −1, 1), so
   * xz, zx, yz and zy change sign.
   */
  spatialTensor?: boolean;
}

/**
 * VTK's symmetric tensors of 6 values (legacy TENSORS6, a 6-component `Tensors` array in VTK XML) as the full 3×3
 * tensors Monge keeps (PointArray.spatialTensor: 9 values, row-major), so that they change frame with the points
 * (T' = F·T·F on RAS↔LPS, core/frames) as VTK's 9-value TENSORS do: kept as 6 plain values, their yz and xz entries
 * stayed in the file's frame, of the wrong sign once a RAS file was read into LPS.
 *
 * The 6 values are XX, YY, ZZ, XY, YZ, XZ: vtkMath::TensorFromSymmetricTensor, the order VTK reads and writes them in.
 */
import type { ArrayValues } from '../../arrays/index.ts';

/**
 * The row-major 3×3 tensors of the 6-value symmetric tensors in `values`: float32 for float32 values, else float64
 * (exact for every integer type, and a float type, which frame conversion needs).
 */
export function tensorsFromSymmetric(values: ArrayValues): Float32Array | Float64Array {
  const n = Math.floor(values.length / 6);
  const out = values instanceof Float32Array ? new Float32Array(9 * n) : new Float64Array(9 * n);
  for (let t = 0; t < n; t++) {
    const [xx, yy, zz, xy, yz, xz] = [0, 1, 2, 3, 4, 5].map((k) => values[6 * t + k]);
    out.set([xx, xy, xz, xy, yy, yz, xz, yz, zz], 9 * t);
  }
  return out;
}

import type { ArrayValues } from '../../arrays/index.ts';
import { det3, type ImageLps } from '../../image/index.ts';
import { InputError } from '../errors.ts';
import type { ItkImage } from './itk-wasm-runner.ts';

/**
 * Conversion between itk-wasm's `Image` and Monge's ImageLps.
 *
 * Layout facts (itk-wasm 1.0.0-b.201, verified in test/unit/io/images-geometry.test.ts against a hand-written NIfTI
 * whose direction matrix is not symmetric): itk-wasm reports every format in LPS millimetres (ITK's physical frame,
 * NIfTI's RAS included), and `direction` is ITK's `Image::GetDirection()` matrix flattened ROW-major (vnl's
 * data_block order), whose column c is the direction of index axis c. That is exactly ImageLps's `directionLps`, so
 * the 3×3 block is copied as is, without transposition. `data` is interleaved by component, index i fastest.
 */

/** itk-wasm's component type names (itk-wasm IntTypes / FloatTypes) for each typed array Monge stores. */
export function componentTypeOf(data: ArrayValues): string {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** An ImageLps read through itk-wasm, with what the file stored. */
export interface ItkImageLps extends ImageLps {
  /** Component type stored in the file (itk-wasm's names: uint8, int16, float32, int64, …). */
  componentType: string;
  /** ITK pixel type: Scalar, Vector (a displacement field), RGB, CovariantVector, … */
  pixelType: string;
  /** The format's header fields and key/value pairs as itk-wasm reports them (non-strings JSON-encoded). */
  metadata: Record<string, string>;
}

/**
 * 64-bit integers (nibabel writes int64 label maps by default) are not in ArrayValues: they become Int32Array when
 * every value fits, else Float64Array (exact up to 2⁵³). Other typed arrays are returned as they are (no copy).
 */
function toArrayValues(data: ArrayBufferView, file: string): ArrayValues {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    let fits = true;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v > 2147483647n || v < -2147483648n) {
        fits = false;
        break;
      }
    }
    const out = fits ? new Int32Array(data.length) : new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  if (
    data instanceof Uint8Array ||
    data instanceof Int8Array ||
    data instanceof Uint16Array ||
    data instanceof Int16Array ||
    data instanceof Uint32Array ||
    data instanceof Int32Array ||
    data instanceof Float32Array ||
    data instanceof Float64Array
  ) {
    return data;
  }
  throw new InputError(file, 'unsupported', `unsupported voxel type (${data.constructor.name})`);
}

function metadataRecord(metadata: Map<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!metadata) return out;
  for (const [k, v] of metadata) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** Numbers for messages (itk-wasm's JSON turns NaN and ±∞ into null). */
const fmt = (v: readonly (number | null)[]): string => v.map((x) => (x === null ? 'NaN' : String(x))).join(' × ');

/**
 * Checks itk-wasm's image and turns it into an ItkImageLps. Rejects (InputError naming `file`): 2-D images and true
 * 4-D+ images ('unsupported'; trailing axes of length 1 are dropped, and ITK already returns NIfTI vector images,
 * stored 5-D with intent 1007, as 3-D Vector images), non-finite spacing or origin ('non-finite'), zero or negative
 * spacing and singular directions ('malformed'), and a voxel count that disagrees with the size ('count-mismatch').
 */
export function fromItkImage(itk: ItkImage, file: string): ItkImageLps {
  const dim = itk.imageType.dimension;
  const size = itk.size;
  if (dim < 3 || size.length < 3) {
    throw new InputError(file, 'unsupported', `a ${dim}-D image (${fmt(size)} voxels); Monge needs a 3-D volume`);
  }
  if (size.slice(3).some((n) => n !== 1)) {
    throw new InputError(
      file,
      'unsupported',
      `a ${dim}-D image (${fmt(size)} voxels, e.g. a time series); Monge reads 3-D volumes and 3-D vector images`,
    );
  }
  const size3: [number, number, number] = [size[0], size[1], size[2]];
  if (!size3.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new InputError(file, 'malformed', `invalid image size ${fmt(size)}`);
  }
  const spacing: [number, number, number] = [itk.spacing[0], itk.spacing[1], itk.spacing[2]];
  const origin: [number, number, number] = [itk.origin[0], itk.origin[1], itk.origin[2]];
  if (!spacing.every(Number.isFinite)) throw new InputError(file, 'non-finite', `non-finite voxel spacing ${fmt(spacing)}`);
  if (!spacing.every((s) => s > 0)) throw new InputError(file, 'malformed', `voxel spacing ${fmt(spacing)} mm is not positive`);
  if (!origin.every(Number.isFinite)) throw new InputError(file, 'non-finite', `non-finite image origin ${fmt(origin)}`);
  const directionLps = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) directionLps[3 * r + c] = itk.direction[r * dim + c];
  if (!directionLps.every(Number.isFinite)) throw new InputError(file, 'non-finite', 'non-finite direction cosines');
  if (Math.abs(det3(directionLps)) < 1e-6) throw new InputError(file, 'malformed', 'the direction matrix is singular');
  const components = itk.imageType.components;
  if (!Number.isInteger(components) || components < 1) {
    throw new InputError(file, 'malformed', `invalid number of components per voxel (${components})`);
  }
  if (!itk.data) throw new InputError(file, 'malformed', 'itk-wasm returned no voxel data');
  const data = toArrayValues(itk.data, file);
  const expected = size3[0] * size3[1] * size3[2] * components;
  if (data.length !== expected) {
    throw new InputError(
      file,
      'count-mismatch',
      `${data.length} voxel values for a ${fmt(size3)} image with ${components} component(s) (${expected} expected)`,
    );
  }
  return {
    size: size3,
    spacingMm: spacing,
    originLps: origin,
    directionLps,
    components,
    data,
    componentType: itk.imageType.componentType,
    pixelType: itk.imageType.pixelType,
    metadata: metadataRecord(itk.metadata),
  };
}

/**
 * The itk-wasm Image for writing `image`. More than one component is written with ITK pixel type `Vector`: ITK's
 * NIfTI writer then stores a 5-D (x, y, z, 1, c) image with intent code 1007 (NIFTI_INTENT_VECTOR), which ITK, ANTs
 * and nibabel read back as a vector field (a displacement field when c = 3), and NRRD/MetaImage store a vector axis.
 * The voxel buffer is passed as given; the caller copies it if it must not be detached.
 */
export function toItkImage(image: ImageLps, metadata: Record<string, string> = {}): ItkImage {
  return {
    imageType: {
      dimension: 3,
      componentType: componentTypeOf(image.data),
      pixelType: image.components === 1 ? 'Scalar' : 'Vector',
      components: image.components,
    },
    name: 'image',
    origin: [...image.originLps],
    spacing: [...image.spacingMm],
    direction: Float64Array.from(image.directionLps),
    size: [...image.size],
    metadata: new Map(Object.entries(metadata)),
    data: image.data,
  };
}

import type { ImageLps } from '../image/index.ts';
import { imageSuffixOf } from '../io/images/image-format.ts';
import { writeImage } from '../io/images/write-image.ts';
import { sampleOnGrid, type SampledField, type SampleOnGridOptions } from './sample-on-grid.ts';
import type { Deformation, GridLps } from './types.ts';

/**
 * Displacement field files that ITK, ANTs and 3D Slicer read as a transform.
 *
 * CONVENTION (all three formats): the field lies on the FIXED grid and holds T(y) = φ⁻¹(y) − y in LPS mm, so that
 * y + T(y) is the moving-space point whose value resampling pulls to y — ITK's DisplacementFieldTransform, ANTs'
 * `*Warp.nii.gz` / `*InverseWarp.nii.gz`, Slicer's grid transform "FromParent".
 *
 * .nii.gz / .nii: ITK writes a Vector image as a 5-D NIfTI (X, Y, Z, 1, 3) with intent_code 1007
 * (NIFTI_INTENT_VECTOR) and the geometry converted to RAS in the qform/sform, but the VECTOR COMPONENTS AS STORED,
 * i.e. LPS — ITK converts vector components RAS↔LPS only for intent 1006 (NIFTI_INTENT_DISPVECT, flag
 * ConvertRASDisplacementVectors, on by default) or when ConvertRASVectors is set (off by default), both since
 * ITK 5.4. ANTs' own warps are written and read this way, and nibabel-based tools negate components 0 and 1 to get
 * RAS (NiTransforms `ITKDisplacementsField`). Sources: ITK v5.4 Modules/IO/NIFTI/include/itkNiftiImageIO.h and
 * src/itkNiftiImageIO.cxx (WriteImageInformation, ConvertRASToFromLPS_*),
 * https://github.com/InsightSoftwareConsortium/ITK/blob/v5.4.0/Modules/IO/NIFTI/src/itkNiftiImageIO.cxx ;
 * nipy/nitransforms nitransforms/io/itk.py. So Monge writes LPS vectors, intent 1007 (test/unit/field checks the
 * header bytes and the stored vectors). Intent 1006 with RAS vectors is NOT used: ITK before 5.4 (and ANTs built on
 * it) would read those vectors unconverted, with x and y of the wrong sign. 3D Slicer reads the file as a grid
 * transform when added as type "Transform" (File → Add Data); it proposes that type by itself only for intent 1006
 * (Slicer Modules/Loadable/Transforms/qSlicerTransformsReader.cxx, canLoadFileConfidence).
 *
 * .nrrd: ITK's NRRD writer stores `kinds: vector domain domain domain`, `space: left-posterior-superior` and the
 * LPS vectors; Slicer loads a 3-vector NRRD as a grid transform when added as "Transform" (vtkMRMLTransformStorageNode
 * reads any .nrrd/.nhdr/.mha/.mhd/.nii/.nii.gz through itk::ImageFileReader<Image<Vector<double,3>,3>>).
 *
 * .mha: MetaImage with ElementNumberOfChannels = 3, AnatomicalOrientation RAI (= LPS), LPS vectors (elastix and
 * ITK's own examples use it).
 */

/** Suffixes a displacement field can be written with. */
export const DISPLACEMENT_FIELD_SUFFIXES: readonly string[] = ['.nii.gz', '.nii', '.nrrd', '.mha'];

/** The header key (NRRD and MetaImage) saying which way a field's vectors point. */
const FIELD_CONVENTION_KEY = 'monge_displacement_field';

/** Its value for a field T on the fixed grid (field.<fmt>), and for the inverse field on the moving grid. */
const FIELD_CONVENTIONS = {
  forward: 'ITK resampling convention: fixed-space point + vector = moving-space point; LPS millimetres',
  inverse: 'inverse field: moving-space point + vector = fixed-space point (phi - id on the moving grid); LPS millimetres',
} as const;

/**
 * NIfTI keeps no key-value pairs, but has the 80-byte `descrip` text, which ITK writes from and reads into the
 * metadata key ITK_FileNotes (FSL's fslhd and nibabel show it): the same statement, short enough for it.
 */
const NIFTI_NOTES_KEY = 'ITK_FileNotes';
const NIFTI_NOTES: Record<keyof typeof FIELD_CONVENTIONS, string> = {
  forward: 'monge field, ITK convention: fixed point + vector = moving point (LPS mm)',
  inverse: 'monge inverse field: moving point + vector = fixed point (LPS mm)',
};

/** Which way a field read back says its vectors point (undefined: not said, as in any other tool's field). */
export function declaredFieldConvention(metadata: Readonly<Record<string, string>>): keyof typeof FIELD_CONVENTIONS | undefined {
  for (const way of ['forward', 'inverse'] as const) {
    if (metadata[FIELD_CONVENTION_KEY] === FIELD_CONVENTIONS[way] || metadata[NIFTI_NOTES_KEY] === NIFTI_NOTES[way]) return way;
  }
  return undefined;
}

/**
 * Writes an already sampled displacement field (3 components), atomically: T on the fixed grid in ITK's convention,
 * or with `inverse` the inverse field on the moving grid; the header says which, where the format has room.
 */
export async function writeDisplacementFieldImage(path: string, field: ImageLps, options: { compress?: boolean; inverse?: boolean } = {}): Promise<void> {
  const suffix = imageSuffixOf(path);
  if (suffix === undefined || !DISPLACEMENT_FIELD_SUFFIXES.includes(suffix)) {
    throw new RangeError(`cannot write ${path}: a displacement field is written as ${DISPLACEMENT_FIELD_SUFFIXES.join(', ')}`);
  }
  if (field.components !== 3) throw new RangeError(`cannot write ${path}: a displacement field has 3 components (got ${field.components})`);
  // A float field is all but incompressible by LZ77: Node's run-length gzip is 3× faster for the same size.
  const way = options.inverse ? 'inverse' : 'forward';
  const metadata: Record<string, string> = suffix.startsWith('.nii') ? { [NIFTI_NOTES_KEY]: NIFTI_NOTES[way] } : { [FIELD_CONVENTION_KEY]: FIELD_CONVENTIONS[way] };
  await writeImage(path, field, { metadata, compress: options.compress, niftiGzip: 'fast' });
}

/**
 * Samples T(y) = φ⁻¹(y) − y of `deformation` on `grid` (the fixed image's grid, or gridAroundBounds of the fixed
 * shape) and writes it (see the file comment for the convention). Returns the sampled field and the inversion
 * residuals, for the report.
 */
export async function writeDisplacementField(
  path: string,
  deformation: Deformation,
  grid: GridLps,
  options: Omit<SampleOnGridOptions, 'direction'> & { compress?: boolean } = {},
): Promise<SampledField> {
  const sampled = await sampleOnGrid(deformation, grid, { ...options, direction: 'inverse' });
  await writeDisplacementFieldImage(path, sampled.image, { compress: options.compress });
  return sampled;
}

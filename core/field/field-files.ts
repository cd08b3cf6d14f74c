/**
 * The displacement-field files of a `monge register` output folder: `field.<fmt>` (T on the fixed grid, ITK's
 * resampling convention) and, with `--inverse-field`, `inverse_field.<fmt>`, in one of FIELD_FORMATS. Named here, below
 * core/registration, whose REGISTRATION_OUTPUTS lists them, and core/warp, which finds them in a folder. This module
 * imports nothing: the renderer reads REGISTRATION_OUTPUTS too.
 */

/** Displacement-field file formats. */
export type FieldFormat = 'nii.gz' | 'nrrd' | 'mha';
export const FIELD_FORMATS: readonly FieldFormat[] = ['nii.gz', 'nrrd', 'mha'];

/** The stems of the field files: `<stem>.<fmt>`. */
export const FIELD_FILE_STEMS = { field: 'field', inverseField: 'inverse_field' } as const;

/**
 * The contract of a registration run, shared by the `monge register` command, the app's service and `monge batch`:
 * what is asked (RegisterRequest) and the output folder it leaves (REGISTRATION_OUTPUTS). Every door runs the
 * same `register()` and reads the same folder.
 */
import { FIELD_FILE_STEMS, type FieldFormat } from '../field/field-files.ts';
import type { Frame } from '../frames/index.ts';

export { FIELD_FORMATS, type FieldFormat } from '../field/field-files.ts';

/** Pipeline steps, in order (RobOT: pre-alignment, learned registration, robust-OT fine-tuning). */
export type StepName = 'prealign' | 'net' | 'finetune';
export const STEP_NAMES: readonly StepName[] = ['prealign', 'net', 'finetune'];

/**
 * Phases that leave the moving shape as it stood after them in `steps/<phase>.vtk`, in order: the steps, then the
 * cohort residual prior's correction when a run applies one (core/registration/prior).
 */
export type ShapePhaseName = StepName | 'prior';
export const SHAPE_PHASE_NAMES: readonly ShapePhaseName[] = [...STEP_NAMES, 'prior'];

/** Parameter presets. */
export type PresetName = 'lung' | 'brain' | 'generic';

export interface RegisterRequest {
  /** Moving shape or volume (masks and label maps become surfaces). */
  moving: string;
  /** Fixed shape or volume. */
  fixed: string;
  /** Output folder (created; files appear only when complete). */
  outDir: string;
  movingLandmarks?: string;
  fixedLandmarks?: string;
  /** Frame of landmark files that declare none (plain CSV: LPS by default). */
  landmarksFrame?: Frame;
  preset?: PresetName;
  /** Steps to run (default all available). */
  steps?: StepName[];
  fieldFormat?: FieldFormat;
  /** Spacing of the exported field when there is no fixed image grid (mm). */
  fieldSpacingMm?: number;
  /**
   * Volume inputs: the shape is the voxels equal to `label` (one structure of a label map) or ≥ `threshold` (a grey
   * image), on both sides, instead of every voxel > 0.
   */
  label?: number;
  threshold?: number;
  /**
   * Other files of the patient in the moving space (a CT, a label map, a mesh, landmarks), carried into the fixed space
   * through the exported field as `monge warp` does and written to OUTDIR/applied/<name>_in_fixed.<ext> with the
   * other outputs (all or nothing).
   */
  apply?: string[];
  /**
   * Also write inverse_field.<fmt>: φ − id on the moving grid (the moving image's, else the moving shape's box at the
   * field spacing), what ANTs calls the inverse warp — for resampling fixed-space images into the moving space.
   */
  inverseField?: boolean;
  /** Kernel engine: 'auto' | 'cpu' | 'webgpu' | 'tfjs' | 'js' (core/kernels ENGINE_NAMES). */
  engine?: string;
  seed?: number;
  /** Advanced knobs overriding the preset (mm where lengths). */
  blurMm?: number;
  reachMm?: number | null;
  kernelWidthMm?: number;
  /** CSV landmark files holding several point sets side by side: the column prefix of each (`exp` → exp_x, …). */
  movingLandmarksPrefix?: string;
  fixedLandmarksPrefix?: string;
  /** The column prefix of the CSV point files among `apply` (as `monge warp --prefix`). */
  applyPrefix?: string;
  /** Replace a non-empty output folder (default false: refused). */
  overwrite?: boolean;
  /** Try the 24 axis-aligned starting orientations in the pre-alignment (shapes in arbitrary orientation). */
  rotationSearch?: boolean;
  /** Integrate the fine-tuning displacement as a stationary velocity field (a diffeomorphism: no folding). */
  diffeomorphic?: boolean;
  /** Stretch the fine-tuning kernels along line-like structures (vessel trees) by up to this factor (1 = off). */
  anisotropy?: number;
  /** Folder of a trained network for the 'net' step (default: assets/models/<preset>). */
  netModelDir?: string;
  /**
   * A cohort residual prior (`monge train-prior`): its correction of the systematic landmark error of earlier,
   * annotated cases is added after the steps (core/registration/prior).
   */
  residualPrior?: string;
}

/**
 * What register() takes where the request leaves a setting out. One place, so that a request stating a default
 * (`--seed 0`) is known to ask for the same registration as one leaving it out (the batch's resume fingerprint).
 */
export const REQUEST_DEFAULTS: {
  readonly preset: PresetName;
  readonly steps: readonly StepName[];
  readonly fieldFormat: FieldFormat;
  readonly engine: string;
  readonly seed: number;
  readonly apply: readonly string[];
  readonly inverseField: boolean;
} = {
  preset: 'generic',
  steps: STEP_NAMES,
  fieldFormat: 'nii.gz',
  engine: 'auto',
  seed: 0,
  apply: [],
  inverseField: false,
};

/**
 * Files a registration leaves in its output folder (relative names). `<ext>` is the moving shape's mesh
 * extension (`.vtk` for volumes). Per-step warped shapes let viewers show pre-aligned / network / fine-tuned.
 */
export const REGISTRATION_OUTPUTS = {
  /** The moving shape warped onto the fixed one, with `displacement` (mm, spatial vector) and `confidence` arrays. */
  warped: 'warped',
  /** Surfaces extracted from volume inputs (absent for mesh inputs). */
  movingSurface: 'moving_surface.vtk',
  fixedSurface: 'fixed_surface.vtk',
  /** The moving shape after each step (and the prior's correction), `steps/<phase>.vtk` (SHAPE_PHASE_NAMES). */
  stepsDir: 'steps',
  /** Dense displacement field on the fixed grid, ITK resampling convention: `field.<fmt>`. */
  field: FIELD_FILE_STEMS.field,
  /** Linear part as an ITK transform (fixed → moving, ITK convention). */
  transform: 'transform.tfm',
  /** Linear part as a plain 4×4 matrix, moving → fixed, LPS (numpy.loadtxt reads it). */
  affineMatrix: 'affine-moving-to-fixed.mat4.txt',
  /** With `inverseField`: the displacement φ(x) − x on the moving grid, `inverse_field.<fmt>` (ITK's convention for the inverse). */
  inverseField: FIELD_FILE_STEMS.inverseField,
  /** With `apply`: the other files carried into the fixed space, `applied/<name>_in_fixed.<ext>`. */
  appliedDir: 'applied',
  /** Jacobian determinant of the forward map on the field grid. */
  jacobian: 'jacobian.nii.gz',
  landmarksWarped: 'landmarks_warped.csv',
  /**
   * With Slicer markups as moving landmarks (.fcsv, .mrk.json): the same warped landmarks also as a file like the
   * input, ids, labels and descriptions kept, that Slicer loads back: `landmarks_warped.fcsv` / `.mrk.json`.
   */
  landmarksWarpedMarkups: 'landmarks_warped',
  landmarksError: 'landmarks_error.csv',
  report: 'report.json',
} as const;

import { GridDisplacement } from '../../field/grid-displacement.ts';
import { GridSampler } from '../../field/grid-sampler.ts';
import { gridOfImage, gridPointsLps, gridVoxelCount } from '../../field/grid.ts';
import { deformationFromItkField } from '../../field/inverted.ts';
import type { Deformation, GridLps } from '../../field/types.ts';
import { InputError } from '../../io/errors.ts';
import { imageFormatOf } from '../../io/images/image-format.ts';
import { looksLikeMask } from '../../io/images/looks-like-mask.ts';
import { readImage } from '../../io/images/read-image.ts';
import type { ImageLps } from '../../io/images/types.ts';
import { writeImage } from '../../io/images/write-image.ts';
import { inputKindOf, readShape, writeShape } from '../../io/index.ts';
import { pointCodecFor } from '../../io/points/index.ts';
import type { Shape } from '../../shape/types.ts';
import { readItkField } from '../../warp/field-file.ts';
import { warpImage, type ImageInterpolation } from '../../warp/warp-image.ts';
import { displacedShape } from '../../warp/warp-shape.ts';
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { frameOption, parseCommandLine } from '../options.ts';
import { printJson, printMessage, shortPath } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

/** What `monge warp --json` prints. */
interface WarpSummary {
  input: string;
  output: string;
  field: string;
  direction: 'moving-to-fixed' | 'fixed-to-moving';
  kind: 'mesh' | 'points' | 'image';
  /** Images: the interpolation used. */
  interpolation?: ImageInterpolation;
  /**
   * Points, or output voxels of a forward image warp, whose fixed-space position lies outside the field's grid, where T
   * is 0 (ITK's rule); not counted for --inverse image warps.
   */
  outsideField?: number;
  count: number;
  /** Largest residual |y + T(y) − x| of the field's inversion, where it was inverted (mm). */
  maxInversionResidualMm: number;
  /** Points or voxels where the inversion did not reach 1e-4 mm. */
  unconverged: number;
  seconds: number;
}

/** Fixed-space points (interleaved LPS) outside the field's grid. */
function countOutside(sampler: GridSampler, pointsLps: Float64Array): number {
  const ci = new Float64Array(3);
  let outside = 0;
  for (let i = 0; i < pointsLps.length; i += 3) if (!sampler.contains(pointsLps[i], pointsLps[i + 1], pointsLps[i + 2], ci)) outside++;
  return outside;
}

/** Voxel centres of `grid` outside the field's grid, a slab at a time (a CT grid's points would not fit at once). */
function countGridOutside(field: ImageLps, grid: GridLps): number {
  const sampler = new GridSampler(field);
  const n = gridVoxelCount(grid);
  let outside = 0;
  for (let start = 0; start < n; start += 1 << 18) outside += countOutside(sampler, gridPointsLps(grid, start, Math.min(1 << 18, n - start)));
  return outside;
}

/**
 * A mesh, point set or landmark file through the field. Moving → fixed: x ↦ y with y + T(y) = x (fixed-point
 * inversion of the trilinear field, as register's warped shape and landmarks); fixed → moving: y ↦ y + T(y).
 */
async function warpShapeThroughField(shape: Shape, field: ImageLps, inverse: boolean, keepColumns: boolean): Promise<{ shape: Shape; fixedSidePointsLps: Float64Array; maxResidualMm: number; unconverged: number }> {
  const grid = new GridDisplacement(field, 'zero');
  let displacements: Float64Array;
  let maxResidualMm = 0;
  let unconverged = 0;
  if (inverse) {
    displacements = grid.sample(shape.pointsLps);
  } else {
    ({ displacementsLps: displacements, maxResidualMm, unconverged } = await grid.evaluateInverse(shape.pointsLps));
  }
  // Landmark files keep their columns (as register's landmarks_warped.csv); meshes gain the displacement array.
  const warped = keepColumns ? { ...shape, pointsLps: shape.pointsLps.map((v, i) => v + displacements[i]) } : displacedShape(shape, displacements);
  return { shape: warped, fixedSidePointsLps: inverse ? shape.pointsLps : warped.pointsLps, maxResidualMm, unconverged };
}

export const warpCommand: Command = {
  name: 'warp',
  summary: 'apply a registration (its displacement field) to a mesh, point set, landmarks or image',
  cancellable: true,
  help: `Usage: monge warp INPUT --field FIELD -o OUT [--inverse] [--reference IMAGE]
                   [--interpolation auto|linear|nearest] [--landmarks-frame ras|lps] [--prefix P]
                   [--frame ras|lps] [--json]

Applies a registration to another file of the same patient: a CT or MR image, a mask or label map, a mesh, a
point set or landmarks. FIELD is a \`monge register\` output folder (its field.<fmt> is used) or any displacement
field in ITK's convention (.nii.gz .nrrd .mha, as ANTs, ITK and Slicer write it): fixed-space point + vector =
moving-space point, LPS mm.

By default INPUT lies in the moving space and OUT in the fixed space:
  meshes, point sets, landmarks  each point x goes to the y with y + T(y) = x (the field inverted by fixed-point
                                 iteration), as register's warped.<ext> and landmarks_warped.csv; meshes gain a
                                 'displacement' array, point files (.csv .fcsv .mrk.json) keep their columns;
  images                         resampled on the fixed grid: voxel y takes INPUT(y + T(y)) (ITK's resampling, as
                                 antsApplyTransforms does; 0 outside INPUT). The grid is FIELD's own, or that of
                                 --reference (e.g. the fixed CT at full resolution).
With --inverse, INPUT lies in the fixed space and OUT in the moving space: points go to y + T(y); an image is
resampled on the grid of --reference (required: a moving-space image), voxel x taking INPUT(φ(x)).
Outside FIELD's grid T is 0 (ITK's rule): such points are not moved, and counted in the output.
OUT is written to a temporary name and renamed; INPUT is only read.

Options:
  --field FIELD              a \`monge register\` output folder, or a displacement field file
  -o, --output OUT           output file: an image format for an image, a mesh or point format otherwise
  --inverse                  map fixed-space INPUT to the moving space
  --reference IMAGE          the output grid for images (default: FIELD's grid; required with --inverse)
  --interpolation MODE       images: auto (default: nearest for masks and label maps — integer voxels, at most
                             256 values — so labels are never blended, trilinear otherwise), linear, nearest
  --landmarks-frame ras|lps  frame of a mesh or point file that declares none (plain CSV: LPS)
  --prefix P                 read and write CSV columns P_x,P_y,P_z (e.g. exp in DIR-Lab's mm CSV)
  --frame ras|lps            frame to write OUT in (meshes and point sets; default INPUT's)
  --json                     print a summary as JSON on stdout
  -h, --help                 this help`,
  async run(argv, signal) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        field: { type: 'string' },
        output: { type: 'string', short: 'o' },
        inverse: { type: 'boolean' },
        reference: { type: 'string' },
        interpolation: { type: 'string' },
        'landmarks-frame': { type: 'string' },
        prefix: { type: 'string' },
        frame: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'INPUT' },
    );
    const inputPath = positionals[0];
    if (!values.field) throw new UsageError('--field FIELD is required (a `monge register` output folder or a field file)');
    if (!values.output) throw new UsageError('-o OUT is required');
    const outPath = values.output;
    const mode = values.interpolation ?? 'auto';
    if (!['auto', 'linear', 'nearest'].includes(mode)) throw new UsageError(`--interpolation must be auto, linear or nearest, not '${mode}'`);
    const inverse = values.inverse ?? false;
    const frame = frameOption(values.frame, '--frame');
    const assumeFrame = frameOption(values['landmarks-frame'], '--landmarks-frame');

    const kind = await inputKindOf(inputPath);
    if (kind === undefined) throw new InputError(inputPath, 'unsupported', 'not a file format Monge knows (see `monge --help` for the list)');
    // The output's kind must match before any work is done.
    if (kind === 'image' && !imageFormatOf(outPath)) throw new UsageError(`${outPath}: an image is written as .nii.gz, .nii, .nrrd or .mha`);
    if (kind !== 'image' && imageFormatOf(outPath)) throw new UsageError(`${outPath}: a ${kind === 'mesh' ? 'mesh' : 'point set'} cannot be written as an image`);
    if (kind === 'image' && inverse && !values.reference) throw new UsageError('--inverse on an image needs --reference IMAGE: the moving-space grid to resample on');
    if (kind !== 'image' && values.reference) throw new UsageError('--reference applies to images only');

    const started = performance.now();
    const bar = progressBar();
    try {
      bar.onProgress({ stage: 'reading', fraction: 0 });
      const { path: fieldPath, field } = await readItkField(values.field);
      let summary: WarpSummary;
      if (kind === 'image') {
        const [image, reference] = await Promise.all([readImage(inputPath), values.reference ? readImage(values.reference) : undefined]);
        const interpolation: ImageInterpolation = mode === 'auto' ? (looksLikeMask(image.data) ? 'nearest' : 'linear') : (mode as ImageInterpolation);
        const grid = gridOfImage(reference ?? field);
        // warpImage pulls through the deformation's inverse: T's lookup (the field file as a Monge deformation, moving →
        // fixed), or for --inverse φ, which is the grid displacement T inverted by fixed-point iteration.
        const deformation: Deformation = inverse ? new GridDisplacement(field, 'zero') : deformationFromItkField(field);
        const warped = await warpImage(image, grid, deformation, { interpolation, signal, onProgress: bar.onProgress });
        await writeImage(outPath, warped.image);
        // Forward on FIELD's own grid nothing is outside; --inverse would need φ at every voxel again, so is not counted.
        const outsideField = inverse ? undefined : reference ? countGridOutside(field, grid) : 0;
        summary = { input: inputPath, output: outPath, field: fieldPath, direction: inverse ? 'fixed-to-moving' : 'moving-to-fixed', kind, interpolation, outsideField, count: gridVoxelCount(grid), maxInversionResidualMm: warped.maxResidualMm, unconverged: warped.unconverged, seconds: 0 };
      } else {
        const shape = await readShape(inputPath, { assumeFrame, prefix: values.prefix });
        const keepColumns = shape.kind === 'points' && pointCodecFor(outPath) !== undefined;
        const warped = await warpShapeThroughField(shape, field, inverse, keepColumns);
        await writeShape(outPath, warped.shape, { frame });
        summary = {
          input: inputPath,
          output: outPath,
          field: fieldPath,
          direction: inverse ? 'fixed-to-moving' : 'moving-to-fixed',
          kind,
          outsideField: countOutside(new GridSampler(field), warped.fixedSidePointsLps),
          count: shape.pointsLps.length / 3,
          maxInversionResidualMm: warped.maxResidualMm,
          unconverged: warped.unconverged,
          seconds: 0,
        };
      }
      summary.seconds = (performance.now() - started) / 1000;
      bar.done();
      const what = summary.kind === 'image' ? `${summary.count} voxels, ${summary.interpolation}` : `${summary.count} ${summary.kind === 'mesh' ? 'vertices' : 'points'}`;
      printMessage(`wrote ${shortPath(outPath)} (${what}, ${summary.direction}) in ${summary.seconds.toFixed(1)} s`);
      if (summary.outsideField) {
        printMessage(`warning: ${summary.outsideField} of ${summary.count} ${summary.kind === 'image' ? 'voxels' : 'points'} lie outside the field's grid, where it is 0 (ITK's rule): they are not moved`);
      }
      if (summary.unconverged > 0) {
        printMessage(
          `warning: at ${summary.unconverged} of ${summary.count} ${summary.kind === 'image' ? 'voxels' : 'points'} the field could not be inverted to 1e-4 mm (largest residual ` +
            `${summary.maxInversionResidualMm.toFixed(2)} mm): their fixed-space point falls at the edge of the field's grid, where it drops to 0 (usually outside the shapes: the grid covers the fixed shape with a margin), or where the field folds`,
        );
      }
      if (values.json) printJson(summary);
      return EXIT.ok;
    } finally {
      bar.done();
    }
  },
};

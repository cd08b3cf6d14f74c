import { frameOption, parseCommandLine, UsageError } from '../../options/index.ts';
import { appliedUnit, applyField, applyFieldProblem, outsideFieldWarning, outsideInputWarning, type ApplyFieldRequest } from '../../warp/apply-field.ts';
import type { ImageInterpolation } from '../../warp/warp-image.ts';
import { fieldFilesOf } from '../../warp/field-file.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { outputFileProblem } from '../../io/output-file.ts';
import { printJson, printMessage, shortPath } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

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
resampled with voxel x taking INPUT(φ(x)): φ looked up in FIELD's inverse_field.<fmt> (written by \`monge register
--inverse-field\`), on its grid or --reference's, else found by inverting T at each voxel of --reference (then
required: a moving-space image).
Outside FIELD's grid T is 0 (ITK's rule): such points are not moved, and counted in the output (points, and
voxels of a moving → fixed image on --reference; not for a fixed → moving image, which would take φ again).
OUT is written to a temporary name and renamed; INPUT is only read.

Options:
  --field FIELD              a \`monge register\` output folder, or a displacement field file
  -o, --output OUT           output file: an image format for an image, a mesh or point format otherwise
  --inverse                  map fixed-space INPUT to the moving space
  --reference IMAGE          the output grid for images (default: FIELD's grid; with --inverse the inverse
                             field's, and required without one)
  --interpolation MODE       images: auto (default: nearest for masks and label maps — integer voxels, at most
                             256 values, piecewise constant — so labels are never blended; trilinear otherwise,
                             8-bit grey images included), linear, nearest
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
    if (!values.field) throw new UsageError('--field FIELD is required (a `monge register` output folder or a field file)');
    if (!values.output) throw new UsageError('-o OUT is required');
    const interpolation = values.interpolation ?? 'auto';
    if (!['auto', 'linear', 'nearest'].includes(interpolation)) throw new UsageError(`--interpolation must be auto, linear or nearest, not '${interpolation}'`);
    const request: ApplyFieldRequest = {
      input: positionals[0],
      field: values.field,
      output: values.output,
      inverse: values.inverse ?? false,
      reference: values.reference,
      interpolation: interpolation as ImageInterpolation | 'auto',
      assumeFrame: frameOption(values['landmarks-frame'], '--landmarks-frame'),
      prefix: values.prefix,
      frame: frameOption(values.frame, '--frame'),
    };
    // A wrong combination is a usage error, found before any file is read.
    const inputs = [request.input, ...(await fieldFilesOf(request.field)), ...(request.reference ? [request.reference] : [])];
    const problem = (await outputFileProblem(request.output, inputs, 'any')) ?? (await applyFieldProblem(request));
    if (problem) throw new UsageError(problem);
    const bar = progressBar();
    try {
      const result = await applyField(request, { signal, onProgress: bar.onProgress });
      bar.done();
      const unit = appliedUnit(result);
      printMessage(`wrote ${shortPath(result.output)} (${result.count} ${unit}${result.interpolation ? `, ${result.interpolation}` : ''}, ${result.direction}) in ${result.seconds.toFixed(1)} s`);
      for (const w of result.warnings) printMessage(`warning: ${w}`);
      for (const warning of [outsideFieldWarning(result), outsideInputWarning(result)]) if (warning) printMessage(`warning: ${warning}`);
      if (result.unconverged > 0) {
        printMessage(
          `warning: at ${result.unconverged} of ${result.count} ${unit} the field could not be inverted to 1e-4 mm (largest residual ${result.maxInversionResidualMm.toFixed(2)} mm): ` +
            "their fixed-space point falls at the edge of the field's grid, where it drops to 0 (usually outside the shapes: the grid covers the fixed shape with a margin), or where the field folds",
        );
      }
      if (values.json) printJson(result);
      return EXIT.ok;
    } finally {
      bar.done();
    }
  },
};

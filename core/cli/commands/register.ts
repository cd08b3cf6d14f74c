import { commandLineRegistrationValues, NEGATED_REGISTRATION_OPTIONS, parseCommandLine, REGISTRATION_OPTIONS, registrationSettings, UsageError } from '../../options/index.ts';
import { FieldGridError, OutputFolderError, register, type RegistrationSummary } from '../../registration/index.ts';
import type { RegisterRequest } from '../../registration/types.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printMessage, printResult } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

/** The human summary printed on stderr. */
function describe(summary: RegistrationSummary): string {
  const lines = [`registered in ${summary.seconds.toFixed(1)} s (preset ${summary.preset}) → ${summary.outDir}`];
  for (const s of summary.steps) lines.push(s.status === 'done' ? `  ${s.name.padEnd(9)} ${s.seconds.toFixed(1)} s` : `  ${s.name.padEnd(9)} skipped: ${s.note}`);
  const p = summary.prior;
  if (p) lines.push(`  ${'prior'.padEnd(9)} ${p.seconds.toFixed(1)} s (${p.cases} cases, correction up to ${p.largestCorrectionMm.toFixed(1)} mm)`);
  const { before, after } = summary.metrics;
  if (before.tre && after.tre) lines.push(`  landmark error (TRE) ${before.tre.mean.toFixed(2)} → ${after.tre.mean.toFixed(2)} mm (mean; p90 ${after.tre.p90.toFixed(2)}, max ${after.tre.max.toFixed(2)})`);
  lines.push(`  surface distance (chamfer) ${before.surfaceDistance.chamferMm.toFixed(2)} → ${after.surfaceDistance.chamferMm.toFixed(2)} mm, HD95 ${after.surfaceDistance.hausdorff95Mm.toFixed(2)} mm`);
  if (after.vertexError) lines.push(`  vertex error ${before.vertexError?.mean.toFixed(2)} → ${after.vertexError.mean.toFixed(2)} mm (vertex i ↔ vertex i)`);
  const j = summary.jacobian.insideFixed;
  lines.push(`  Jacobian in the ${summary.jacobian.region}: min ${j.min.toFixed(3)}, folding ${(100 * j.nonPositiveFraction).toFixed(3)} % of voxels`);
  return lines.join('\n');
}

export const registerCommand: Command = {
  name: 'register',
  cancellable: true,
  summary: 'register a moving shape or mask onto a fixed one (OT pre-alignment, network, OT fine-tuning)',
  help: `Usage: monge register MOVING FIXED -o OUTDIR [--moving-landmarks F --fixed-landmarks F]
                       [--landmarks-frame ras|lps] [--preset lung|brain|generic] [--steps prealign,net,finetune]
                       [--label N | --threshold T] [--field-format nii.gz|nrrd|mha] [--field-spacing MM]
                       [--inverse-field] [--apply FILE]... [--apply-prefix P] [--engine auto|cpu|webgpu|tfjs|js]
                       [--seed N] [--rotation-search] [--diffeomorphic | --no-diffeomorphic] [--net-model DIR]
                       [--residual-prior PRIOR.json] [--json] [--overwrite]

Registers MOVING onto FIXED. Each is a mesh or point set (.vtk .vtp .stl .obj .off .ply .gii, FreeSurfer, .csv …)
or a volume (.nii/.nii.gz .nrrd .mha/.mhd .mgz, DICOM folder): masks and label maps (voxels > 0, or one label, or
a threshold) become surfaces, and their interiors take part in the matching; a grey image needs --threshold or
--label. The deformation maps moving-space points to fixed-space points. Warnings (on stderr and in report.json)
name shapes at very different scales, masks that touch the edge of their image (the scan's field of view cuts the
shape: the map there is less reliable), and a map that folds (Jacobian ≤ 0; --diffeomorphic cannot fold, though
a kernel narrower than the field spacing can show a few folded voxels in the sampled field).

Writes OUTDIR only when everything is done (nothing is left there on failure or Ctrl-C):
  warped.<ext>            the moving shape warped, with 'displacement' (mm) and 'confidence' point arrays, and
                          'Absolute' / 'Signed' (mm): each vertex's distance to the fixed shape, as 3D Slicer's
                          ModelToModelDistance names them (signed: positive outside a fixed surface)
  steps/<step>.vtk        the moving shape after each step (and steps/prior.vtk with --residual-prior)
  moving_surface.vtk, fixed_surface.vtk   surfaces extracted from volume inputs
  field.<fmt>             displacement field for ITK / ANTs / 3D Slicer (fixed grid, fixed point + vector =
                          moving point, LPS mm): the fixed image's grid, or a box around the fixed shape
  inverse_field.<fmt>     with --inverse-field: the inverse displacement on the moving grid (moving point +
                          vector = fixed point; ANTs' inverse warp), for resampling fixed-space images into the
                          moving space: the moving image's grid, or a box around the moving shape
  applied/<name>_in_fixed.<ext>   with --apply: other files of the patient carried into the fixed space, as
                          'monge warp' does (images on the field's grid, label maps nearest; meshes, landmarks)
  transform.tfm           the linear part, ITK text transform (fixed → moving, as ITK expects)
  affine-moving-to-fixed.mat4.txt   the linear part as a 4×4 matrix, moving → fixed
  jacobian.nii.gz         Jacobian determinant of the map on the field grid (≤ 0 = folding)
  landmarks_warped.csv, landmarks_error.csv   with landmarks: moving landmarks mapped into fixed space (in the
                          input's frame) and the per-landmark errors; with .fcsv or .mrk.json moving landmarks also
                          landmarks_warped.fcsv / .mrk.json (the input with warped positions, ids and labels kept)
  report.json             settings, versions, input SHA-256, time and memory per step, metrics before and after
                          each step (TRE, surface distances, vertex error, Jacobian statistics); with landmarks
                          also the TRE the other way, fixed landmarks through the field (Learn2Reg's convention)

Options:
  -o, --output OUTDIR        output folder (must be new or empty unless --overwrite)
  --moving-landmarks F       landmarks of the moving shape (.csv .fcsv .mrk.json), paired row by row with
  --fixed-landmarks F        those of the fixed shape
  --moving-landmarks-prefix P, --fixed-landmarks-prefix P
                             CSV files holding several point sets: read columns P_x, P_y, P_z
  --landmarks-frame ras|lps  frame of landmark files that declare none (CSV default: LPS)
  --label N                  volume inputs: register the voxels equal to N (one structure of a label map)
  --threshold T              volume inputs: register the voxels ≥ T (a grey image) instead of every voxel > 0
  --preset NAME              lung (mm, DIR-Lab-tuned), brain (cortical surfaces), generic (scale-free; default);
                             lung and brain refuse a fixed shape smaller than their first blur (40 / 10 mm:
                             normalised, cm or m coordinates), exit 3
  --steps LIST               steps to run, comma-separated (default prealign,net,finetune; 'net' is skipped
                             with a note when no trained model is available)
  --field-format FMT         nii.gz (default), nrrd or mha
  --field-spacing MM         field spacing: regrids the fixed image's box, or sets the box spacing for meshes
                             (at most 100 M voxels; a larger fixed image grid is regridded to fit, with a warning)
  --inverse-field            also write inverse_field.<fmt> (same format and spacing as the field)
  --apply FILE               carry another moving-space file (a CT, a label map, a mesh, landmarks) into the fixed
                             space with the result (repeat for several; checked before the pipeline runs)
  --apply-prefix P           CSV columns P_x,P_y,P_z of --apply's point files (e.g. exp in DIR-Lab's mm CSV)
  --engine NAME              kernel engine: auto (default; MONGE_ENGINE chooses then), cpu, webgpu (a GPU
                             through the optional 'webgpu' package), tfjs, js
  --seed N                   seed of every random choice (default 0): same inputs and seed, same outputs
  --rotation-search          try 24 axis-aligned starting orientations (shapes in arbitrary orientation)
  --diffeomorphic            integrate the fine-tuning as a stationary velocity field (cannot fold; the lung and
                             brain presets' default)
  --no-diffeomorphic         a plain displacement fine-tuning, even where the preset integrates it (lung, brain)
  --net-model DIR            trained network folder for the 'net' step (default assets/models/<preset>)
  --residual-prior F         after the steps, correct the map by a cohort's systematic landmark error, learned
                             by 'monge train-prior' from annotated cases of the same protocol and orientation
  --overwrite                replace a non-empty OUTDIR
  --json                     print the summary as JSON on stdout
 Advanced (override the preset, mm):
  --blur MM                  finest OT blur of the fine-tuning
  --reach MM|none            unbalanced OT reach of the fine-tuning (none, in any case: balanced)
  --kernel-width MM          finest kernel width of the displacement fit
  --anisotropy A             stretch the fit's kernels along line-like structures (vessels) up to A× (≥ 1)
  -h, --help                 this help

Exit codes: 0 ok, 2 usage error (including an OUTDIR in the way), 3 bad input, 1 internal error. Cancelled
(Ctrl-C or SIGTERM; a second Ctrl-C stops at once), it cleans up and ends by that signal (shell status 130 / 143).`,
  async run(argv, signal) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        output: { type: 'string', short: 'o' },
        'moving-landmarks': { type: 'string' },
        'fixed-landmarks': { type: 'string' },
        overwrite: { type: 'boolean' },
        json: { type: 'boolean' },
        ...REGISTRATION_OPTIONS,
        ...NEGATED_REGISTRATION_OPTIONS,
      },
      { min: 2, max: 2, names: 'MOVING and FIXED' },
    );
    if (!values.output) throw new UsageError('-o OUTDIR is required');
    if ((values['moving-landmarks'] === undefined) !== (values['fixed-landmarks'] === undefined)) {
      throw new UsageError('give both --moving-landmarks and --fixed-landmarks, or neither');
    }
    const request: RegisterRequest = {
      moving: positionals[0],
      fixed: positionals[1],
      outDir: values.output,
      ...(values['moving-landmarks'] !== undefined ? { movingLandmarks: values['moving-landmarks'], fixedLandmarks: values['fixed-landmarks'] } : {}),
      ...registrationSettings(commandLineRegistrationValues(values)),
      ...(values.overwrite ? { overwrite: true } : {}),
    };
    const bar = progressBar();
    let summary: RegistrationSummary;
    try {
      summary = await register(request, { onProgress: bar.onProgress, signal });
    } catch (e) {
      if (e instanceof OutputFolderError || e instanceof FieldGridError) throw new UsageError(e.message);
      throw e;
    } finally {
      bar.done();
    }
    if (values.json) printJson(summary);
    else printResult(describe(summary));
    for (const w of summary.warnings) printMessage(`monge register: warning: ${w}`);
    return EXIT.ok;
  },
};

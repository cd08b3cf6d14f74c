import { readImage } from '../../io/images/read-image.ts';
import { writeShape } from '../../io/index.ts';
import { InputError } from '../../io/errors.ts';
import { frameOption, numberOption, parseCommandLine, UsageError } from '../../options/index.ts';
import { boundsOf, EmptyMaskError, extractSurface, GREY_IMAGE_REMEDY, greyVolumeProblem, vectorVolumeProblem } from '../../shape/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { outputFileProblem } from '../../io/output-file.ts';
import { dirLabOutputProblem } from '../../io/points/index.ts';
import { printJson, printMessage } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

export const surfaceCommand: Command = {
  name: 'surface',
  summary: 'extract a closed surface from a mask, label map or image',
  help: `Usage: monge surface VOLUME -o OUT [--label N | --threshold T] [--target-vertices K] [--smooth N]
                      [--frame ras|lps] [--json]

Turns a volume (.nii/.nii.gz, .nrrd, .mha/.mhd, .mgh/.mgz, or a DICOM folder) into a closed triangle surface in
world coordinates (mm; the image's origin, spacing and direction cosines are honoured). Of a mask or label map,
every voxel > 0 is inside by default; --label N keeps one label of a label map, --threshold T keeps voxels ≥ T of a
grey image. A grey image (a CT, an MR, a probability map) needs --threshold T or --label N: without one it is refused
(exit 3), as register and ot refuse it, for its voxels > 0 are no anatomy (in a CT, the tissue denser than water).
The surface is optionally smoothed (Taubin λ/μ: no overall shrinkage, but a structure a few voxels across melts
away under many iterations, which is warned about) and decimated (quadric error metrics).

Options:
  -o, --output OUT         output mesh (.vtk .vtp .stl .obj .ply .gii …), written atomically
  --label N                voxels equal to N are inside
  --threshold T            voxels ≥ T are inside
  --target-vertices K      decimate to about K vertices
  --smooth N               N Taubin smoothing iterations (default 0)
  --frame ras|lps          frame to write OUT in (default LPS, as ITK reads images)
  --json                   print {output, points, cells, bounds_mm, seconds} on stdout
  -h, --help               this help`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        output: { type: 'string', short: 'o' },
        label: { type: 'string' },
        threshold: { type: 'string' },
        'target-vertices': { type: 'string' },
        smooth: { type: 'string' },
        frame: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'VOLUME' },
    );
    if (!values.output) throw new UsageError('-o OUT is required');
    if (values.label !== undefined && values.threshold !== undefined) throw new UsageError('give --label or --threshold, not both');
    const label = numberOption(values.label, '--label', Number.isInteger);
    const threshold = numberOption(values.threshold, '--threshold');
    const targetVertices = numberOption(values['target-vertices'], '--target-vertices', (v) => Number.isInteger(v) && v >= 4);
    const smoothIterations = numberOption(values.smooth, '--smooth', (v) => Number.isInteger(v) && v >= 0);
    const frame = frameOption(values.frame, '--frame');
    const problem = (await outputFileProblem(values.output, [positionals[0]], 'shape')) ?? dirLabOutputProblem(values.output);
    if (problem) throw new UsageError(problem);

    const started = performance.now();
    const bar = progressBar();
    let shape;
    try {
      bar.onProgress({ stage: 'reading', fraction: 0 });
      const image = await readImage(positionals[0]);
      for (const w of image.warnings) printMessage(`warning: ${w}`);
      const selecting = label !== undefined || threshold !== undefined;
      const vector = vectorVolumeProblem(image, selecting);
      if (vector !== undefined) throw new InputError(positionals[0], 'unsupported', vector);
      // A grey image's voxels > 0 are no anatomy (in a CT, the tissue denser than water): register and ot refuse it too.
      const grey = selecting ? undefined : greyVolumeProblem(image);
      if (grey !== undefined) throw new InputError(positionals[0], 'unsupported', `${grey}: ${GREY_IMAGE_REMEDY}`);
      bar.onProgress({ stage: 'extracting surface', fraction: 0.4 });
      shape = extractSurface(image, { label, threshold, smoothIterations, targetVertices, onWarning: (w) => printMessage(`warning: ${w} (--smooth)`) });
      bar.onProgress({ stage: 'writing', fraction: 0.9 });
      await writeShape(values.output, shape, { frame: frame ?? 'LPS' });
    } catch (e) {
      // An empty selection is a property of the input file, not a bug.
      if (e instanceof EmptyMaskError) throw new InputError(positionals[0], 'empty', e.message);
      throw e;
    } finally {
      bar.done();
    }
    const seconds = (performance.now() - started) / 1000;
    const points = shape.pointsLps.length / 3;
    const cells = (shape.triangles?.length ?? 0) / 3;
    if (values.json) {
      printJson({ output: values.output, points, cells, bounds_mm: boundsOf(shape.pointsLps), seconds });
    } else {
      printMessage(`wrote ${values.output}: ${points} vertices, ${cells} triangles (${seconds.toFixed(2)} s)`);
    }
    return EXIT.ok;
  },
};

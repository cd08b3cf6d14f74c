import { inputKindOf, readAny, writeShape } from '../../io/index.ts';
import { writeImage } from '../../io/images/write-image.ts';
import { frameOption, parseCommandLine, spacingOption, UsageError } from '../../options/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { outputFileProblem } from '../../io/output-file.ts';
import { printMessage } from '../output.ts';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a mesh, point set or image to another format',
  help: `Usage: monge convert IN OUT [--frame ras|lps] [--ascii] [--landmarks-frame ras|lps] [--spacing X,Y,Z] [--prefix P]

Reads IN and writes OUT in the format of OUT's extension: meshes to .vtk .vtp .stl .obj .off .ply .gii .gii.gz
or a FreeSurfer .surf; point sets to .csv .fcsv .mrk.json (or meshes' vertices to .csv); images to .nii.gz .nii
.nrrd .mha. Point data arrays are carried over where the output format can hold them. OUT is written in IN's
frame unless --frame says otherwise (GIfTI and FreeSurfer are always RAS). OUT is written to a temporary name
and renamed, so a failure never leaves a partial file.

Options:
  --frame ras|lps            frame to write OUT in (meshes and point sets)
  --landmarks-frame ras|lps  frame of an input mesh or point file that declares none (plain CSV: LPS)
  --ascii                    ASCII instead of binary (VTK, STL, PLY, VTP)
  --spacing X,Y,Z            voxel spacing (mm) for DIR-Lab .txt landmark files (input or output)
  --prefix P                 read IN's CSV point set in columns P_x,P_y,P_z (e.g. exp in DIR-Lab's mm CSV)
  -h, --help                 this help`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        frame: { type: 'string' },
        'landmarks-frame': { type: 'string' },
        ascii: { type: 'boolean' },
        spacing: { type: 'string' },
        prefix: { type: 'string' },
      },
      { min: 2, max: 2, names: 'IN OUT' },
    );
    const [inPath, outPath] = positionals;
    const frame = frameOption(values.frame, '--frame');
    const spacingMm = spacingOption(values.spacing, '--spacing');
    const inputKind = await inputKindOf(inPath);
    const problem = await outputFileProblem(outPath, [inPath], inputKind === undefined ? 'any' : inputKind === 'image' ? 'image' : 'shape');
    if (problem) throw new UsageError(problem);
    const input = await readAny(inPath, {
      assumeFrame: frameOption(values['landmarks-frame'], '--landmarks-frame'),
      spacingMm,
      ...(values.prefix ? { prefix: values.prefix } : {}),
    });
    if (input.kind === 'image') for (const w of input.image.warnings) printMessage(`warning: ${w}`);
    if (input.kind === 'image') {
      await writeImage(outPath, input.image);
    } else {
      await writeShape(outPath, input.shape, { frame, binary: !values.ascii, spacingMm, onWarning: (m) => printMessage(`warning: ${outPath}: ${m}`) });
    }
    printMessage(`wrote ${outPath}`);
    return EXIT.ok;
  },
};

import { InputError } from '../../io/errors.ts';
import { readShape } from '../../io/index.ts';
import { landmarkErrors, summarizeErrors } from '../../metrics/landmark-error.ts';
import { frameOption, parseCommandLine, spacingOption } from '../../options/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printResult } from '../output.ts';

export const landmarksErrorCommand: Command = {
  name: 'landmarks-error',
  summary: 'distance statistics between two corresponding landmark sets',
  help: `Usage: monge landmarks-error A B [--frame-a ras|lps] [--frame-b ras|lps]
                              [--spacing-a X,Y,Z] [--spacing-b X,Y,Z] [--prefix-a P] [--prefix-b P] [--json]

Compares landmark k of A with landmark k of B (both converted to LPS mm first, so A and B may be in different
frames and formats) and prints n, mean, median, SD (population), 90th percentile and max of the distances (mm).
A and B: .csv (x,y,z header), .fcsv, .mrk.json, a DIR-Lab *_xyz_r1.txt (needs --spacing-a/-b), or any mesh
with the same number of vertices.

Options:
  --frame-a, --frame-b ras|lps   frame of A / B when the file declares none (plain CSV: LPS)
  --spacing-a, --spacing-b X,Y,Z voxel spacing (mm) of a DIR-Lab .txt file
  --prefix-a, --prefix-b P       read CSV columns P_x,P_y,P_z (e.g. insp / exp in DIR-Lab's mm CSV)
  --json                         JSON on stdout: {n, mean, median, std, p90, max} in mm
  -h, --help                     this help`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        json: { type: 'boolean' },
        'frame-a': { type: 'string' },
        'frame-b': { type: 'string' },
        'spacing-a': { type: 'string' },
        'spacing-b': { type: 'string' },
        'prefix-a': { type: 'string' },
        'prefix-b': { type: 'string' },
      },
      { min: 2, max: 2, names: 'A B' },
    );
    const [pathA, pathB] = positionals;
    const a = await readShape(pathA, {
      assumeFrame: frameOption(values['frame-a'], '--frame-a'),
      spacingMm: spacingOption(values['spacing-a'], '--spacing-a'),
      prefix: values['prefix-a'],
    });
    const b = await readShape(pathB, {
      assumeFrame: frameOption(values['frame-b'], '--frame-b'),
      spacingMm: spacingOption(values['spacing-b'], '--spacing-b'),
      prefix: values['prefix-b'],
    });
    const na = a.pointsLps.length / 3;
    const nb = b.pointsLps.length / 3;
    if (na !== nb) throw new InputError(pathB, 'count-mismatch', `has ${nb} landmarks but ${pathA} has ${na}`);
    if (na === 0) throw new InputError(pathA, 'empty', 'holds no landmarks');
    const summary = summarizeErrors(landmarkErrors(a.pointsLps, b.pointsLps));
    if (values.json) {
      printJson(summary);
    } else {
      const f = (v: number) => v.toFixed(2);
      printResult(
        `n ${summary.n}  mean ${f(summary.mean)}  median ${f(summary.median)}  SD ${f(summary.std)}  p90 ${f(summary.p90)}  max ${f(summary.max)} mm`,
      );
    }
    return EXIT.ok;
  },
};

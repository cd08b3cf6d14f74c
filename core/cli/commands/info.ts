import { worldBoundsLps } from '../../image/index.ts';
import type { ImageFormat } from '../../io/images/image-format.ts';
import { readAny } from '../../io/index.ts';
import { nrrdDeclaredFrame } from '../../io/images/nrrd-space.ts';
import { meshCodecFor } from '../../io/meshes/index.ts';
import { pointCodecFor } from '../../io/points/index.ts';
import { frameOption, parseCommandLine, spacingOption } from '../../options/index.ts';
import { boundsOf, type Shape } from '../../shape/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printMessage, printResult } from '../output.ts';

/** `monge info --json` document (the keys are part of the CLI contract, see README). */
export interface InfoJson {
  file: string;
  format: string;
  kind: 'mesh' | 'image' | 'points';
  points: number;
  cells: number;
  /** [xmin, xmax, ymin, ymax, zmin, zmax] in mm, LPS. */
  bounds_mm: number[];
  /** The frame the file is in. */
  frame: string;
  arrays: { name: string; components: number; type: string }[];
  /** Images only: voxel grid and geometry (LPS). */
  image?: { size: number[]; spacing_mm: number[]; origin_lps: number[]; direction_lps: number[]; components: number; pixel_type: string };
}

function arrayType(values: ArrayBufferView): string {
  return values.constructor.name.replace('Array', '').toLowerCase();
}

/** The format name of a mesh or point file, from the codec that reads it. */
function shapeFormat(path: string): string {
  return meshCodecFor(path)?.format ?? pointCodecFor(path)?.format ?? 'unknown';
}

/**
 * The frame an image file is in. ITK hands every format over in LPS; the frame reported is the one the file
 * uses: RAS for NIfTI and MGH, the `space:` a NRRD header declares (Slicer writes RAS as well as LPS), LPS for the
 * rest (MetaImage and DICOM are LPS by definition, and ITK takes a NRRD without a known space as LPS).
 */
async function imageFrame(file: string, format: ImageFormat): Promise<string> {
  if (format === 'nifti' || format === 'mgh') return 'RAS';
  if (format === 'nrrd') return (await nrrdDeclaredFrame(file)) ?? 'LPS';
  return 'LPS';
}

function shapeInfo(file: string, shape: Shape): InfoJson {
  const n = shape.pointsLps.length / 3;
  return {
    file,
    format: shapeFormat(file),
    kind: shape.kind,
    points: n,
    cells: shape.triangles ? shape.triangles.length / 3 : 0,
    bounds_mm: n > 0 ? boundsOf(shape.pointsLps) : [],
    frame: shape.sourceFrame,
    arrays: shape.arrays.map((a) => ({ name: a.name, components: a.components, type: arrayType(a.values) })),
  };
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'summarise a mesh, image or point-set file',
  help: `Usage: monge info FILE [--json] [--frame ras|lps] [--spacing X,Y,Z] [--prefix P]

Prints what FILE holds: format, kind (mesh, image, points), point and cell counts, bounds in mm (LPS),
the frame the file is in, and its per-point arrays. Images also report size, spacing, origin and direction.

Options:
  --json             machine-readable output on stdout; keys: format, kind, points, cells,
                     bounds_mm [xmin,xmax,ymin,ymax,zmin,zmax] (LPS), frame, arrays
  --frame ras|lps    frame of a mesh or point file that declares none
  --spacing X,Y,Z    voxel spacing (mm) for DIR-Lab landmark .txt files
  --prefix P         a CSV's point set in columns P_x,P_y,P_z (e.g. exp in DIR-Lab's mm CSV)
  -h, --help         this help`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      { json: { type: 'boolean' }, frame: { type: 'string' }, spacing: { type: 'string' }, prefix: { type: 'string' } },
      { min: 1, max: 1, names: 'FILE' },
    );
    const file = positionals[0];
    const input = await readAny(file, {
      assumeFrame: frameOption(values.frame, '--frame'),
      spacingMm: spacingOption(values.spacing, '--spacing'),
      ...(values.prefix ? { prefix: values.prefix } : {}),
    });
    if (input.kind === 'image') for (const w of input.image.warnings) printMessage(`warning: ${w}`);
    let info: InfoJson;
    if (input.kind === 'image') {
      const im = input.image;
      const voxels = im.size[0] * im.size[1] * im.size[2];
      info = {
        file,
        format: im.format,
        kind: 'image',
        points: voxels,
        cells: voxels,
        bounds_mm: worldBoundsLps(im),
        frame: await imageFrame(file, im.format),
        arrays: [{ name: 'voxels', components: im.components, type: im.componentType }],
        image: {
          size: [...im.size],
          spacing_mm: [...im.spacingMm],
          origin_lps: [...im.originLps],
          direction_lps: Array.from(im.directionLps),
          components: im.components,
          pixel_type: im.pixelType,
        },
      };
    } else {
      info = shapeInfo(file, input.shape);
    }
    if (values.json) {
      printJson(info);
    } else {
      const b = info.bounds_mm.map((v) => v.toFixed(2));
      const lines = [
        `${info.file}`,
        `  format   ${info.format} (${info.kind}), frame ${info.frame}`,
        `  points   ${info.points}${info.kind === 'image' ? ' voxels' : ''}`,
        `  cells    ${info.cells}`,
        b.length === 6 ? `  bounds   x [${b[0]}, ${b[1]}]  y [${b[2]}, ${b[3]}]  z [${b[4]}, ${b[5]}] mm (LPS)` : '  bounds   none (no points)',
      ];
      if (info.image) {
        const fmt = (v: readonly number[], digits: number) => v.map((x) => (Math.abs(x) < 0.5 * 10 ** -digits ? 0 : x).toFixed(digits)).join(', ');
        // direction_lps is row-major; its column c is index axis c's direction.
        const axis = (c: number) => fmt([0, 1, 2].map((r) => info.image!.direction_lps[3 * r + c]), 4);
        lines.push(
          `  size     ${info.image.size.join(' × ')}, spacing ${info.image.spacing_mm.map((v) => v.toFixed(4)).join(' × ')} mm`,
          `  origin   (${fmt(info.image.origin_lps, 3)}) mm (LPS)`,
          `  axes     i (${axis(0)})  j (${axis(1)})  k (${axis(2)}) (LPS)`,
        );
      }
      for (const a of info.arrays) lines.push(`  array    ${a.name} (${a.components} × ${a.type})`);
      printResult(lines.join('\n'));
    }
    return EXIT.ok;
  },
};

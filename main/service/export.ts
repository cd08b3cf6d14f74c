/**
 * Exports from a results folder: the displacement field in any of its three formats (NIfTI, NRRD, MetaImage —
 * converted through core/io when the folder holds another), the warped mesh in any mesh format, the warped
 * landmarks as CSV / Slicer .fcsv / .mrk.json, the report, and a screenshot the user interface rendered.
 *
 * With a destination the file is written there (atomically, by core/io's writers or writeFileAtomic); without one
 * it is written to a scratch folder and its bytes come back for the user interface to download.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../core/io/atomic-write.ts';
import { readImage } from '../../core/io/images/read-image.ts';
import { writeImage } from '../../core/io/images/write-image.ts';
import { InputError, readShape, writeShape } from '../../core/io/index.ts';
import { meshCodecFor } from '../../core/io/meshes/index.ts';
import { outputFileProblem } from '../../core/io/output-file.ts';
import { pointCodecFor } from '../../core/io/points/index.ts';
import { readInputBytes } from '../../core/io/read-bytes.ts';
import { REGISTRATION_OUTPUTS } from '../../core/registration/types.ts';
import { readWarpedLandmarks } from '../../core/registration/warped-landmarks.ts';
import { EXPORT_FORMATS, type ExportRequest, type ExportResult } from './api.ts';
import { readReportFile } from '../../core/registration/report-file.ts';
import { reportWarpedLandmarksRun } from './report-view.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format of an export: as asked, else the destination's suffix, else the kind's first format. */
export function exportFormat(request: ExportRequest): string {
  const formats = EXPORT_FORMATS[request.kind];
  if (!formats) throw new Error(`unknown export kind "${String(request.kind)}"`);
  if (request.format !== undefined) {
    if (!formats.includes(request.format)) throw new Error(`${request.kind} cannot be exported as .${request.format} (use ${formats.map((f) => `.${f}`).join(', ')})`);
    return request.format;
  }
  const name = request.destination ? basename(request.destination).toLowerCase() : '';
  return formats.find((f) => name.endsWith(`.${f}`)) ?? formats[0];
}

/** The file name an export gets when the user has not chosen one. */
function defaultName(request: ExportRequest, format: string): string {
  switch (request.kind) {
    case 'field':
      return `${REGISTRATION_OUTPUTS.field}.${format}`;
    case 'warped-mesh':
      return `warped.${format}`;
    case 'warped-landmarks':
      return `landmarks_warped.${format}`;
    case 'report':
      return REGISTRATION_OUTPUTS.report;
    case 'screenshot':
      return `monge-screenshot.${format}`;
  }
}

function requireFile(dir: string, name: string | undefined, what: string): string {
  if (name === undefined) throw new InputError(dir, 'not-found', `holds no ${what}`);
  return join(dir, name);
}

/** Writes the export to `target` (its suffix is the format). */
async function writeExport(request: ExportRequest, format: string, target: string): Promise<void> {
  if (request.kind === 'screenshot') {
    const bytes = request.bytes;
    if (!(bytes instanceof Uint8Array) || !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error('the screenshot is not a PNG image');
    await writeFileAtomic(target, bytes);
    return;
  }
  if (request.resultsDir === undefined) throw new Error(`exporting ${request.kind} needs a results folder`);
  const dir = resolve(request.resultsDir);
  const names = await readdir(dir).catch(() => {
    throw new InputError(dir, 'not-found', 'no such results folder');
  });
  switch (request.kind) {
    case 'field': {
      const present = EXPORT_FORMATS.field.find((f) => names.includes(`${REGISTRATION_OUTPUTS.field}.${f}`));
      const source = requireFile(dir, present && `${REGISTRATION_OUTPUTS.field}.${present}`, 'displacement field (field.nii.gz, .nrrd or .mha)');
      // Read either way: a damaged field (cut short by a full disk) is refused by name, never handed on as it is.
      const image = await readImage(source);
      if (present === format) await copyAtomic(source, target);
      else await writeImage(target, image);
      return;
    }
    case 'warped-mesh': {
      const name = names.find((n) => n.startsWith(`${REGISTRATION_OUTPUTS.warped}.`) && meshCodecFor(n) !== undefined);
      const shape = await readShape(requireFile(dir, name, 'warped mesh (warped.<ext>)'));
      await writeShape(target, shape);
      return;
    }
    case 'warped-landmarks': {
      const name = names.includes(REGISTRATION_OUTPUTS.landmarksWarped) ? REGISTRATION_OUTPUTS.landmarksWarped : undefined;
      const source = requireFile(dir, name, `warped landmarks (${REGISTRATION_OUTPUTS.landmarksWarped}); register with landmarks to get them`);
      // Slicer markups in, markups out: the run's own copy of the input file keeps its ids, labels and descriptions.
      const markups = `${REGISTRATION_OUTPUTS.landmarksWarpedMarkups}.${format}`;
      if (format === 'csv') await copyAtomic(source, target);
      else if (names.includes(markups)) await copyAtomic(join(dir, markups), target);
      else await writeShape(target, await readWarpedLandmarks(dir, reportWarpedLandmarksRun(await readReport(dir, names))));
      return;
    }
    case 'report': {
      const name = names.includes(REGISTRATION_OUTPUTS.report) ? REGISTRATION_OUTPUTS.report : undefined;
      await copyAtomic(requireFile(dir, name, REGISTRATION_OUTPUTS.report), target);
      return;
    }
  }
}

/** The folder's report.json, parsed (undefined where it has none or it cannot be read: its settings are then the defaults). */
async function readReport(dir: string, names: readonly string[]): Promise<unknown> {
  if (!names.includes(REGISTRATION_OUTPUTS.report)) return undefined;
  try {
    return await readReportFile(join(dir, REGISTRATION_OUTPUTS.report));
  } catch {
    return undefined;
  }
}

/**
 * The files of a results folder that its registration wrote (REGISTRATION_OUTPUTS: `report.json`, `warped.<ext>`,
 * `field.<fmt>`, …), which an export reads and must never write over; none for a folder that cannot be listed.
 */
async function registrationOutputsIn(dir: string): Promise<string[]> {
  const outputs: string[] = Object.values(REGISTRATION_OUTPUTS);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => outputs.some((o) => n === o || n.startsWith(`${o}.`))).map((n) => join(dir, n));
}

async function copyAtomic(source: string, target: string): Promise<void> {
  await writeFileAtomic(target, await readInputBytes(source));
}

/** Runs an export: to `request.destination`, or into bytes. */
export async function exportResult(request: ExportRequest): Promise<ExportResult> {
  const format = exportFormat(request);
  if (request.destination !== undefined) {
    const destination = resolve(request.destination);
    const fileName = basename(destination);
    if (!fileName.toLowerCase().endsWith(`.${format}`)) throw new Error(`${fileName}: the file name must end in .${format}`);
    if (request.kind === 'warped-landmarks' && !pointCodecFor(destination)) throw new Error(`${fileName}: not a landmark format`);
    const problem = await outputFileProblem(destination, request.resultsDir === undefined ? [] : await registrationOutputsIn(resolve(request.resultsDir)), 'any');
    if (problem) throw new Error(problem);
    await writeExport(request, format, destination);
    return { fileName, path: destination };
  }
  const scratch = await mkdtemp(join(tmpdir(), 'monge-export-'));
  try {
    const fileName = defaultName(request, format);
    const target = join(scratch, fileName);
    await writeExport(request, format, target);
    const bytes = new Uint8Array(await readFile(target));
    return { fileName, bytes };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

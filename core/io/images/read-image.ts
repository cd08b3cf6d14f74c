import type { Stats } from 'node:fs';
import { copyFile, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { checkReadable, gunzipInput, isGzip, readInputBytes } from '../read-bytes.ts';
import { listDicomFiles } from './dicom-folder.ts';
import { checkDicomSeries } from './dicom-positions.ts';
import { IMAGE_SUFFIXES, imageFormatOf, imageSuffixOf } from './image-format.ts';
import type { ImageFormat } from './image-format.ts';
import { fromItkImage, type ItkImageLps } from './itk-image.ts';
import { defaultTimeoutMs, ItkWasmError, runItkWasm, type ItkWasmRequest, type ItkWasmResponse } from './itk-wasm-runner.ts';
import { niftiGeometryWarning, parseNiftiGeometry, readNiftiHead, shearedSformProblem } from './nifti-header.ts';
import { isNifti2, nifti2ToNifti1 } from './nifti2.ts';
import { checkNiftiFitsItkWasm } from './nifti-voxel-bytes.ts';
import { correctNrrdGeometry, nrrdSpaceOf, readNrrdHeader } from './nrrd-space.ts';
import { convertNrrdVectorValues } from './nrrd-vectors.ts';
import { checkImagePayload } from './payload-check.ts';

/** A 3-D image as read: LPS geometry and voxels, plus what the file stored. */
export interface ReadImageResult extends ItkImageLps {
  format: ImageFormat;
  /**
   * What the reader found doubtful but read anyway, each naming the file (a NIfTI whose sform and qform disagree:
   * see nifti-header.ts). Commands print them as `warning: …`; empty for most files.
   */
  warnings: string[];
}

export interface ReadImageOptions {
  /** Time limit for itk-wasm (default: 60 s plus 1 s per 10 MB); past it the read fails as 'malformed'. */
  timeoutMs?: number;
}

/** The itk-wasm (@itk-wasm/image-io) reader of each file format. */
const READER: Record<Exclude<ImageFormat, 'dicom'>, string> = {
  nifti: 'niftiReadImageNode',
  nrrd: 'nrrdReadImageNode',
  metaimage: 'metaReadImageNode',
  mgh: 'mghReadImageNode',
};

const FORMAT_NAME: Record<ImageFormat, string> = {
  nifti: 'NIfTI',
  nrrd: 'NRRD',
  metaimage: 'MetaImage',
  mgh: 'MGH',
  dicom: 'DICOM series',
};

/** Runs an itk-wasm read and returns its image, turning every failure into an InputError naming `file`. */
async function itkRead(file: string, format: ImageFormat, answer: Promise<ItkWasmResponse>): Promise<ReadImageResult> {
  let response: ItkWasmResponse;
  try {
    response = await answer;
  } catch (e) {
    if (e instanceof ItkWasmError) {
      throw new InputError(file, 'malformed', `cannot be read as ${FORMAT_NAME[format]}: ${e.message}`);
    }
    throw e;
  }
  if (!response.ok) {
    throw new InputError(file, 'malformed', `cannot be read as ${FORMAT_NAME[format]}: ${response.message}`);
  }
  if (!response.couldRead || !response.image) {
    throw new InputError(file, 'malformed', `not a readable ${FORMAT_NAME[format]} file (itk-wasm's reader refused it)`);
  }
  return { ...fromItkImage(response.image, file), format, warnings: [] };
}

async function readDicomFolder(folder: string, options: ReadImageOptions): Promise<ReadImageResult> {
  const files = await listDicomFiles(folder);
  if (files.length === 0) {
    throw new InputError(folder, 'is-directory', 'is a folder without DICOM files (expected an image file or a folder holding one DICOM series)');
  }
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  // Real paths, as for the other formats (withLowerCaseSuffix): itk-wasm mounts each file's folder, where a link's
  // target does not exist. The names it sorts are mapped back to the folder's own for messages.
  const real = await Promise.all(files.map((f) => realpath(f).catch(() => resolve(f))));
  const shown = new Map(real.map((r, i) => [r, files[i]]));
  const request: ItkWasmRequest = { op: 'read-dicom-series', files: real };
  const answer = runItkWasm(request, options.timeoutMs ?? defaultTimeoutMs(bytes));
  const image = await itkRead(folder, 'dicom', answer);
  const sorted = ((await answer.then((r) => (r.ok ? r.sortedFilenames : undefined))) ?? []).map((f) => shown.get(f) ?? f);
  if (Array.isArray(sorted) && sorted.length > 0 && sorted.length < files.length) {
    throw new InputError(
      folder,
      'unsupported',
      `the folder holds ${files.length} DICOM files but only ${sorted.length} form the series read; put one series per folder`,
    );
  }
  // ITK reads some broken series without an error: a missing slice, a tilted gantry, a file cut short (see there).
  await checkDicomSeries(folder, sorted.length > 0 ? sorted : files);
  return image;
}

/**
 * Reads a 3-D image (scalar, or vector such as a displacement field) in LPS millimetres:
 * NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr with its detached data file beside it), MetaImage (.mha, .mhd),
 * FreeSurfer MGH (.mgh, .mgz, .mgh.gz), or a DICOM series given as the folder that holds its files (slices sorted by
 * position along the slice normal, by GDCM).
 *
 * Reading goes through itk-wasm in an isolated worker (see itk-wasm-runner.ts), while checkImagePayload verifies
 * in parallel that the file holds all the voxel bytes its header declares and that its compression is intact.
 * Rejects with an InputError naming the file: 'not-found', 'empty', 'is-directory' (a folder without DICOM files),
 * 'unsupported' (unknown suffix, 2-D or 4-D image), 'too-large' (a NIfTI image past the 2 GiB itk-wasm holds),
 * 'truncated', 'corrupt-compression', 'bad-magic', 'non-finite' (spacing or origin), 'malformed' (anything itk-wasm
 * cannot read, crashes on, or takes too long over).
 *
 * A NRRD's geometry is taken to LPS from the space its header declares, where ITK does not (nrrd-space.ts), and so
 * are the values of a NRRD vector image (nrrd-vectors.ts).
 *
 * The voxel buffer is the one itk-wasm produced, moved from the worker without a copy (a plain ArrayBuffer).
 */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<ReadImageResult> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch {
    throw new InputError(path, 'not-found', 'no such file or folder');
  }
  if (info.isDirectory()) {
    // A file's permission is checked where its payload is (checkImagePayload); a folder's here, before listing it.
    await checkReadable(path, true);
    return readDicomFolder(path, options);
  }
  const format = imageFormatOf(path);
  if (format === undefined || format === 'dicom') {
    const known = IMAGE_SUFFIXES.map(([s]) => s).join(', ');
    throw new InputError(path, 'unsupported', `unsupported image format (known suffixes: ${known}, or a DICOM series folder)`);
  }
  if (info.size === 0) throw new InputError(path, 'empty', 'the file is empty');
  const head = format === 'nifti' ? await readNiftiHead(path) : undefined;
  // Before itk-wasm is given the file: past its memory it fails without saying why (nifti-voxel-bytes.ts).
  if (head) checkNiftiFitsItkWasm(path, head);
  let image: ReadImageResult;
  let header = head;
  try {
    image = await readWithItk(path, format, info, options);
  } catch (e) {
    if (format !== 'nifti' || !isRefusal(e)) throw e;
    const nifti1 = await nifti1BytesOfRefused(path);
    if (nifti1 === undefined) throw niftiRefusal(path, head) ?? e;
    try {
      image = await readNifti1Bytes(path, nifti1, options);
    } catch (e2) {
      throw (isRefusal(e2) && niftiRefusal(path, nifti1)) || e2;
    }
    header = nifti1;
  }
  const geometry = header && parseNiftiGeometry(header);
  const warning = geometry && niftiGeometryWarning(path, geometry, image);
  if (warning) image.warnings.push(warning);
  if (format === 'nrrd') {
    // ITK misplaces some NRRD spaces (left-anterior-superior, the -time ones): see nrrd-space.ts. And it leaves the
    // values of a vector image in the file's space (a RAS displacement field): see nrrd-vectors.ts.
    const nrrdHeader = await readNrrdHeader(path);
    const space = nrrdSpaceOf(nrrdHeader);
    if (space) {
      const spaceWarning = correctNrrdGeometry(image, space, path);
      if (spaceWarning) image.warnings.push(spaceWarning);
      convertNrrdVectorValues(image, nrrdHeader, space, path);
    }
  }
  return image;
}

const isRefusal = (e: unknown): e is InputError => e instanceof InputError && e.problem === 'malformed';

/** The cause of ITK's refusal of a NIfTI file where its header shows one (ITK's release build gives none). */
function niftiRefusal(path: string, header: Uint8Array | undefined): InputError | undefined {
  const geometry = header && parseNiftiGeometry(header);
  const problem = geometry && shearedSformProblem(geometry);
  return problem ? new InputError(path, 'unsupported', `cannot be read as NIfTI: ${problem}`) : undefined;
}

/**
 * The uncompressed NIfTI-1 bytes of a .nii/.nii.gz file that itk-wasm's reader refused, where there is a form it
 * reads, else undefined:
 * - a NIfTI-2 file (nibabel's Nifti2Image, HCP data), which itk-wasm does not read, as the NIfTI-1 file of the same
 *   image;
 * - gzip data under a plain `.nii` name (a file renamed, or written by a tool that compresses whatever the name),
 *   which ITK reads as gzip only under a `.gz` name, uncompressed. nibabel and FSL go by the content here too.
 */
async function nifti1BytesOfRefused(path: string): Promise<Uint8Array | undefined> {
  const raw = await readInputBytes(path);
  const zipped = isGzip(raw);
  const bytes = zipped ? gunzipInput(raw, path) : raw;
  if (isNifti2(bytes)) return nifti2ToNifti1(bytes, path);
  return zipped && !path.toLowerCase().endsWith('.gz') ? bytes : undefined;
}

/** Reads NIfTI-1 bytes through a scratch .nii file; errors and the result name `path`, the file they came from. */
async function readNifti1Bytes(path: string, bytes: Uint8Array, options: ReadImageOptions): Promise<ReadImageResult> {
  return inScratchFile(
    'image.nii',
    (file) => writeFile(file, bytes),
    (file) => itkRead(path, 'nifti', runItkWasm({ op: 'read', fn: READER.nifti, path: file }, options.timeoutMs ?? defaultTimeoutMs(bytes.length))),
  );
}

/**
 * Runs `use` on a file named `name` that `put` writes in a fresh scratch folder (itk-wasm mounts that folder alone),
 * and removes the folder afterwards, whatever happened.
 */
async function inScratchFile<T>(name: string, put: (file: string) => Promise<void>, use: (file: string) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), 'monge-read-'));
  try {
    const file = join(scratch, name);
    await put(file);
    return await use(file);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The itk-wasm read of `path`, with the payload check beside it. */
async function readWithItk(path: string, format: Exclude<ImageFormat, 'dicom'>, info: Stats, options: ReadImageOptions): Promise<ReadImageResult> {
  return withLowerCaseSuffix(path, async (itkPath) => {
    const cancel = new AbortController();
    const request: ItkWasmRequest = { op: 'read', fn: READER[format], path: itkPath };
    const answer = runItkWasm(request, options.timeoutMs ?? defaultTimeoutMs(info.size), [], cancel.signal);
    answer.catch(() => undefined); // awaited in itkRead; this only keeps an early payload error from leaving it unhandled
    try {
      await checkImagePayload(path, format);
    } catch (e) {
      cancel.abort();
      throw e;
    }
    return itkRead(path, format, answer);
  });
}

/**
 * Runs `read` on the real path of `path` (symbolic links resolved), or — where that file's name lacks the suffix in
 * lower case (`T1.MGZ`, `ct.MHA`, a link to a content-addressed blob) — on a copy of it named with the suffix in
 * lower case, in a scratch folder: ITK's MGH and MetaImage readers recognise their suffixes in lower case only, and
 * the input itself is never renamed nor linked. Links are resolved because itk-wasm mounts only the folder of the
 * path it is given, where a link's target in another folder does not exist (a batch manifest's folder of links to
 * the data, DataLad and git-annex datasets). A detached `.MHD` header's data file is looked for beside the real
 * header, or beside the copy, so a pair read through a copy must be named in lower case.
 */
async function withLowerCaseSuffix<T>(path: string, read: (itkPath: string) => Promise<T>): Promise<T> {
  const suffix = imageSuffixOf(path);
  const real = await realpath(path).catch(() => resolve(path));
  if (suffix === undefined || basename(real).endsWith(suffix)) return read(real);
  return inScratchFile(`image${suffix}`, (lower) => copyFile(real, lower), read);
}

/**
 * The space a NRRD header declares in its `space:` field (NRRD0004+, https://teem.sourceforge.net/nrrd/format.html),
 * and the geometry ITK makes of it.
 *
 * itk-wasm cannot tell the space: ITK's NrrdImageIO converts a right-anterior-superior or left-anterior-superior image
 * to LPS on reading and then reports `NRRD_space` as left-posterior-superior, so the metadata no longer says what the
 * file holds. `monge info` reports the frame of the file, so it reads the header.
 *
 * Nor is ITK's conversion always right (ITK 5.4 in @itk-wasm/image-io 1.6, NrrdImageIO::ReadImageInformation; checked
 * in test/unit/io/images-nrrd-space.test.ts against the header's own numbers):
 * - left-anterior-superior: ITK negates axis 0 (x), where LAS → LPS negates axis 1 (y): origin and directions come
 *   out mirrored in x and y, the object turned 180° about z;
 * - the 4-D spaces with a time axis (right-anterior-superior-time, left-anterior-superior-time), read as a 3-D image
 *   when there is one time point: ITK converts nothing, so a RAS-time image comes out mirrored in x and y;
 * - scanner-xyz, 3D-right-handed, 3D-left-handed (and their -time forms) name no patient orientation: ITK takes
 *   their coordinates as LPS, and so does Monge, with a warning.
 * correctNrrdGeometry turns ITK's geometry into the true LPS one for each of them.
 */
import { open } from 'node:fs/promises';
import { signsToLps, type AnatomicalFrame } from '../../frames/index.ts';
import type { ImageLps } from '../../image/index.ts';

/** The header, up to its blank line, is text at the start of the file; a real one is a few hundred bytes. */
const HEADER_LIMIT = 64 * 1024;

type Signs = readonly [number, number, number];

export interface NrrdSpace {
  /** The space's name as the NRRD format spells it in full. */
  name: string;
  /** The anatomical frame ('RAS', 'LAS', 'LPS'); undefined for the spaces that name no patient orientation. */
  frame?: AnatomicalFrame;
  /**
   * The sign that takes each coordinate of the space to LPS (RAS: −x, −y; LAS: −y): core/frames' signsToLps of
   * `frame`, LPS's (none) for a space that names no orientation, whose coordinates are taken as LPS.
   */
  toLps: Signs;
  /** The signs ITK's NrrdImageIO applies to each coordinate instead (see above). */
  itk: Signs;
}

/** No change of sign: ITK's for the spaces it leaves alone. */
const SAME: Signs = [1, 1, 1];

/** NRRD space names (the full one and its abbreviation, any case) and what each one is. */
const SPACES = new Map<string, NrrdSpace>();
for (const [names, frame, itk] of [
  // ITK converts RAS as core/frames does; LAS it gets wrong (x negated where y should be: see above).
  [['right-anterior-superior', 'ras'], 'RAS', signsToLps('RAS')],
  [['left-anterior-superior', 'las'], 'LAS', [-1, 1, 1]],
  [['left-posterior-superior', 'lps'], 'LPS', SAME],
  // The 4-D ones (a time axis added) keep the same spatial frame; ITK converts none of them.
  [['right-anterior-superior-time', 'rast'], 'RAS', SAME],
  [['left-anterior-superior-time', 'last'], 'LAS', SAME],
  [['left-posterior-superior-time', 'lpst'], 'LPS', SAME],
  [['scanner-xyz'], undefined, SAME],
  [['scanner-xyz-time'], undefined, SAME],
  [['3d-right-handed'], undefined, SAME],
  [['3d-right-handed-time'], undefined, SAME],
  [['3d-left-handed'], undefined, SAME],
  [['3d-left-handed-time'], undefined, SAME],
] as const) {
  // The signs to LPS come from core/frames, the one place that converts between frames; a space naming no patient
  // orientation is taken as LPS (correctNrrdGeometry warns).
  const toLps = signsToLps(frame ?? 'LPS');
  for (const n of names) SPACES.set(n, { name: names[0].replace(/^3d/, '3D'), frame, toLps, itk });
}

/** The value of field `name` (e.g. `space`, `kinds`) in a NRRD header, trimmed; undefined when the header has none. */
export function nrrdFieldOf(header: string, name: string): string | undefined {
  for (const line of header.split(/\r?\n/)) {
    if (line === '') break; // the blank line ends the header (data, or nothing for a detached .nhdr, follows)
    if (line.startsWith(`${name}:`)) return line.slice(name.length + 1).trim();
  }
  return undefined;
}

/** The space named by a NRRD header's `space:` field; undefined when it names none (or one NRRD does not define). */
export function nrrdSpaceOf(header: string): NrrdSpace | undefined {
  const name = nrrdFieldOf(header, 'space');
  return name === undefined ? undefined : SPACES.get(name.toLowerCase());
}

/** The header text of the NRRD (.nrrd or detached .nhdr) file `path`: its first 64 KiB, as latin1. */
export async function readNrrdHeader(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(HEADER_LIMIT);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_LIMIT, 0);
    return new TextDecoder('latin1').decode(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The space declared by the NRRD (.nrrd or detached .nhdr) header of `path`; undefined when it declares none. */
export async function nrrdDeclaredSpace(path: string): Promise<NrrdSpace | undefined> {
  return nrrdSpaceOf(await readNrrdHeader(path));
}

/** The frame ('RAS', 'LAS', 'LPS') declared by the NRRD header of `path`; undefined when it declares none. */
export async function nrrdDeclaredFrame(path: string): Promise<AnatomicalFrame | undefined> {
  return (await nrrdDeclaredSpace(path))?.frame;
}

/**
 * Turns the geometry ITK read from a NRRD declaring `space` into the true LPS one, in place: coordinate r of the
 * origin and of every axis direction (row r of the direction matrix) is multiplied by the sign ITK should have
 * applied and by the one it did (±1 each, so this undoes ITK's and applies the right one). Returns a warning for a
 * space that names no patient orientation, else undefined.
 */
export function correctNrrdGeometry(image: ImageLps, space: NrrdSpace, file: string): string | undefined {
  for (let r = 0; r < 3; r++) {
    const sign = space.toLps[r] * space.itk[r];
    if (sign === 1) continue;
    image.originLps[r] = 0 - image.originLps[r]; // 0 − x, not −x: no −0 for a coordinate 0
    for (let c = 0; c < 3; c++) image.directionLps[3 * r + c] = 0 - image.directionLps[3 * r + c];
  }
  return space.frame
    ? undefined
    : `${file}: the NRRD space '${space.name}' names no patient orientation (left, posterior, superior); its coordinates are taken as LPS`;
}

/**
 * Checks of a DICOM series that ITK's series reader reads without an error but wrongly, silently, from the files' own
 * tags: slices not evenly spaced (a slice missing, or two stacks in one series: ITK spaces the slices evenly over the
 * distance from the first to the last, so every slice after a gap is misplaced), slices not stacked along their
 * normal (gantry tilt: ITK stacks them straight, the volume is sheared), a slice whose PixelSpacing or
 * ImageOrientationPatient differs from the others', and a slice whose pixel data is cut short (ITK reads the missing
 * pixels as 0).
 *
 * DICOM PS3.3 C.7.6.2 Image Plane: ImagePositionPatient (0020,0032) is the LPS position (mm) of a slice's first
 * pixel, ImageOrientationPatient (0020,0037) its row and column directions; their cross product is the slice normal,
 * along which the slices lie; PixelSpacing (0028,0030). C.7.6.3 Image Pixel: Rows, Columns, SamplesPerPixel,
 * BitsAllocated (and NumberOfFrames, C.7.6.6) give the length of an uncompressed Pixel Data (7FE0,0010). Only these
 * tags are parsed (PS3.10 file, PS3.5 §7 data elements), in the file's transfer syntax: implicit or explicit VR,
 * little or big endian (a deflated data set is not parsed, and encapsulated, i.e. compressed, pixel data not measured).
 */
import { open } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { checkSliceOrientations } from './dicom-orientation.ts';

type Vec3 = [number, number, number];

interface SlicePlane {
  position: Vec3;
  /** Row direction, then column direction. */
  orientation: [number, number, number, number, number, number];
}

/** What one slice file says of itself: its Image Plane, and what its Image Pixel module and Pixel Data hold. */
interface SliceTags {
  /** Undefined where ImagePositionPatient or ImageOrientationPatient is absent or unreadable. */
  plane?: SlicePlane;
  /** PixelSpacing (0028,0030): between rows, between columns (mm). */
  pixelSpacing?: [number, number];
  /**
   * The pixel data bytes the slice declares (Rows × Columns × SamplesPerPixel × BitsAllocated/8 × NumberOfFrames) and
   * the bytes it holds; undefined where they cannot be told: compressed (encapsulated or deflated) pixel data, bit-packed
   * pixels (BitsAllocated not a multiple of 8), or a tag missing.
   */
  pixelBytes?: { declared: number; held: number };
}

/** Raised where the bytes end inside the data set: read more of the file, or give up. */
class OutOfBytes extends Error {}

/** VRs whose explicit-VR length is 4 bytes after 2 reserved ones (PS3.5 §7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

/**
 * The tags of the data set in `bytes` (a Part-10 file, or its first bytes; `fileSize` the whole file's length) that
 * the series checks need. Raises OutOfBytes where the bytes end before the Pixel Data element's header.
 */
function parseSliceTags(bytes: Uint8Array, fileSize: number): SliceTags {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = (at: number, n: number) => Buffer.from(bytes.buffer, bytes.byteOffset + at, n).toString('latin1');
  const need = (end: number) => {
    if (end > bytes.length) throw new OutOfBytes();
  };
  // File Meta Information: explicit VR little endian, group 0002, after the 128-byte preamble and "DICM".
  let pos = 132;
  let syntax = '';
  for (;;) {
    need(pos + 8);
    if (view.getUint16(pos, true) !== 0x0002) break;
    const element = view.getUint16(pos + 2, true);
    const long = LONG_VRS.has(latin1(pos + 4, 2));
    const length = long ? (need(pos + 12), view.getUint32(pos + 8, true)) : view.getUint16(pos + 6, true);
    const start = pos + (long ? 12 : 8);
    need(start + length);
    if (element === 0x0010) syntax = latin1(start, length).replace(/[\0 ]+$/, '');
    pos = start + length;
  }
  if (syntax === '1.2.840.10008.1.2.1.99') return {}; // deflated
  const explicit = syntax !== '1.2.840.10008.1.2';
  const little = syntax !== '1.2.840.10008.1.2.2';

  /** Reads one element's header at `pos`: tag, VR (explicit only) and value length. */
  const header = () => {
    need(pos + 8);
    const group = view.getUint16(pos, little);
    const element = view.getUint16(pos + 2, little);
    // Items and delimiters (FFFE,xxxx) have no VR, whatever the syntax.
    if (!explicit || group === 0xfffe) {
      const length = view.getUint32(pos + 4, little);
      pos += 8;
      return { group, element, length };
    }
    const vr = latin1(pos + 4, 2);
    if (LONG_VRS.has(vr)) {
      need(pos + 12);
      const length = view.getUint32(pos + 8, little);
      pos += 12;
      return { group, element, length };
    }
    const length = view.getUint16(pos + 6, little);
    pos += 8;
    return { group, element, length };
  };
  /** Skips a value of undefined length: a sequence's items up to its delimiter (FFFE,E0DD). */
  const skipUndefined = (): void => {
    for (;;) {
      const item = header();
      if (item.group === 0xfffe && item.element === 0xe0dd) return;
      if (item.length !== UNDEFINED) {
        pos += item.length;
        continue;
      }
      // An item of undefined length: its elements up to the item delimiter (FFFE,E00D).
      for (;;) {
        const e = header();
        if (e.group === 0xfffe && e.element === 0xe00d) break;
        if (e.length === UNDEFINED) skipUndefined();
        else pos += e.length;
      }
    }
  };

  let position: number[] | undefined;
  let orientation: number[] | undefined;
  let pixelSpacing: number[] | undefined;
  const pixel: Record<string, number> = {};
  let pixelData: { length: number; at: number } | undefined;
  const numbers = (length: number) => latin1(pos, length).split('\\').map((s) => Number(s.trim()));
  const uint16 = () => view.getUint16(pos, little);
  /** Image Pixel module (0028,xxxx) US elements, by element number. */
  const PIXEL_US: Record<number, string> = { 0x0002: 'samples', 0x0010: 'rows', 0x0011: 'columns', 0x0100: 'bitsAllocated' };
  try {
    for (;;) {
      const e = header();
      if (e.group === 0x7fe0 && e.element === 0x0010) {
        // Pixel Data: its value is not read, only measured (undefined length: encapsulated, i.e. compressed, frames).
        if (e.length !== UNDEFINED) pixelData = { length: e.length, at: pos };
        break;
      }
      if (e.group > 0x7fe0) break;
      if (e.length === UNDEFINED) {
        skipUndefined();
        continue;
      }
      need(pos + e.length);
      if (e.group === 0x0020 && e.element === 0x0032) position = numbers(e.length);
      if (e.group === 0x0020 && e.element === 0x0037) orientation = numbers(e.length);
      if (e.group === 0x0028 && e.element === 0x0030) pixelSpacing = numbers(e.length);
      if (e.group === 0x0028 && e.element === 0x0008) pixel.frames = numbers(e.length)[0]; // NumberOfFrames, IS
      if (e.group === 0x0028 && PIXEL_US[e.element] && e.length === 2) pixel[PIXEL_US[e.element]] = uint16();
      pos += e.length;
    }
  } catch (e) {
    // The whole file ends before its Pixel Data: it holds none of it (where the Image Pixel tags were read).
    if (!(e instanceof OutOfBytes) || bytes.length < fileSize) throw e;
    pixelData = { length: 0, at: fileSize };
  }
  const tags: SliceTags = {};
  if (position?.length === 3 && orientation?.length === 6 && [...position, ...orientation].every(Number.isFinite)) {
    tags.plane = { position: position as Vec3, orientation: orientation as SlicePlane['orientation'] };
  }
  if (pixelSpacing?.length === 2 && pixelSpacing.every((v) => Number.isFinite(v) && v > 0)) {
    tags.pixelSpacing = pixelSpacing as [number, number];
  }
  const { rows, columns, bitsAllocated, samples = 1, frames = 1 } = pixel;
  if (pixelData && rows > 0 && columns > 0 && bitsAllocated > 0 && bitsAllocated % 8 === 0 && Number.isInteger(frames) && frames > 0) {
    tags.pixelBytes = {
      declared: rows * columns * samples * (bitsAllocated / 8) * frames,
      held: Math.max(0, Math.min(pixelData.length, fileSize - pixelData.at)),
    };
  }
  return tags;
}

/**
 * The tags of a DICOM file that the series checks need: from its first 64 KiB, or from the whole file where they lie
 * further. A file that ends before its Pixel Data element gives its Image Plane and a pixel data length of 0, where
 * its Image Pixel tags were read.
 */
async function sliceTagsOf(file: string): Promise<SliceTags> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    for (const n of [Math.min(size, 64 * 1024), size]) {
      const bytes = new Uint8Array(n);
      const { bytesRead } = await handle.read(bytes, 0, n, 0);
      try {
        return parseSliceTags(bytes.subarray(0, bytesRead), size);
      } catch (e) {
        if (!(e instanceof OutOfBytes)) throw e;
      }
    }
    return {};
  } finally {
    await handle.close();
  }
}

const mm = (v: number): string => `${Number(v.toFixed(3))} mm`;

const nameOf = (file: string): string => file.split(/[\\/]/).pop() ?? file;

/**
 * Refuses a DICOM series that ITK reads without an error but wrongly, from the slices' own tags:
 * - a slice whose pixel data is shorter than its Rows × Columns × bytes per pixel (uncompressed transfer syntaxes): a
 *   file cut short, whose missing pixels ITK reads as 0 (InputError 'truncated' naming the file);
 * - a slice whose PixelSpacing differs from the rest of the series: ITK reads every slice at the first one's spacing
 *   (InputError 'unsupported' naming the file);
 * - a slice whose ImageOrientationPatient differs from the rest of the series: ITK reads every slice in the first one's
 *   orientation (InputError 'unsupported' naming the file; see dicom-orientation.ts);
 * - slices, projected on the slice normal of the first file, that are not evenly spaced: a gap differing from the
 *   median gap by more than 1 % of it or 0.01 mm, whichever is larger (ITK spaces them evenly from the first to the
 *   last, so every slice after a gap is misplaced);
 * - slices not stacked along their normal: consecutive slices offset within the slice plane by more than 1 % of the
 *   pixel spacing or 0.01 mm, whichever is larger (a gantry-tilted CT; ITK stacks them straight and shears the volume).
 * The last two name `folder` ('unsupported'). A file whose tags cannot be parsed is not checked for what it lacks,
 * and where any Image Plane cannot be parsed the positions are not checked (ITK has read the series; nothing is
 * refused on a guess). `files` are the series' files in any order.
 */
export async function checkDicomSeries(folder: string, files: readonly string[]): Promise<void> {
  const slices: { file: string; tags: SliceTags }[] = [];
  for (const file of files) slices.push({ file, tags: await sliceTagsOf(file).catch((): SliceTags => ({})) });
  for (const { file, tags } of slices) {
    const bytes = tags.pixelBytes;
    if (bytes && bytes.held < bytes.declared) {
      throw new InputError(
        file,
        'truncated',
        `a slice of the DICOM series in ${folder} is cut short: its pixel data holds ${bytes.held} bytes where its Rows × Columns × bytes per pixel make ${bytes.declared} ` +
          `(ITK would read the missing pixels as 0); copy the file again from its source, or remove it if the series is complete without it`,
      );
    }
  }
  checkPixelSpacing(folder, slices);
  // Before the positions, which are measured along the first slice's normal: a turned slice is named as such.
  checkSliceOrientations(folder, slices.flatMap(({ file, tags }) => (tags.plane ? [{ file, orientation: tags.plane.orientation }] : [])));
  const planes: { file: string; plane: SlicePlane }[] = [];
  for (const { file, tags } of slices) {
    if (!tags.plane) return;
    planes.push({ file, plane: tags.plane });
  }
  if (planes.length < 2) return;
  const o = planes[0].plane.orientation;
  const normal = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
  const along = (p: Vec3) => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
  const sorted = planes.map(({ file, plane }) => ({ file, position: plane.position, at: along(plane.position) })).sort((a, b) => a.at - b.at);
  checkEvenSpacing(folder, sorted);
  const spacing = slices.find((s) => s.tags.pixelSpacing)?.tags.pixelSpacing;
  checkStacked(folder, sorted, normal, Math.max(0.01, 0.01 * (spacing ? Math.min(...spacing) : 0)));
}

/** Refuses a slice whose PixelSpacing differs (by more than 0.001 mm) from the one most slices have, naming it. */
function checkPixelSpacing(folder: string, slices: readonly { file: string; tags: SliceTags }[]): void {
  const withSpacing = slices.filter((s) => s.tags.pixelSpacing);
  const same = (a: readonly number[], b: readonly number[]) => Math.abs(a[0] - b[0]) <= 0.001 && Math.abs(a[1] - b[1]) <= 0.001;
  let common: readonly number[] | undefined;
  let most = 0;
  for (const { tags } of withSpacing) {
    const n = withSpacing.filter((s) => same(s.tags.pixelSpacing!, tags.pixelSpacing!)).length;
    if (n > most) [common, most] = [tags.pixelSpacing, n];
  }
  if (!common) return;
  const odd = withSpacing.find((s) => !same(s.tags.pixelSpacing!, common));
  if (!odd) return;
  const [a, b] = odd.tags.pixelSpacing!;
  throw new InputError(
    odd.file,
    'unsupported',
    `its PixelSpacing (${a} × ${b} mm) differs from the ${common[0]} × ${common[1]} mm of ${most} other slice(s) of the DICOM series in ${folder}: ` +
      `ITK reads every slice at one spacing, so this one would be misplaced; remove it, or give a series whose slices share one spacing`,
  );
}

interface SortedSlice {
  file: string;
  position: Vec3;
  /** Position along the slice normal (mm). */
  at: number;
}

/** Refuses slices whose gaps along the normal are not even (see checkDicomSeries). */
function checkEvenSpacing(folder: string, slices: readonly SortedSlice[]): void {
  if (slices.length < 3) return;
  const gaps = slices.slice(1).map((s, k) => s.at - slices[k].at);
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
  const tolerance = Math.max(0.01, 0.01 * median);
  const odd = gaps.findIndex((g) => Math.abs(g - median) > tolerance);
  if (odd < 0) return;
  const gap = gaps[odd];
  const where = `between slices ${odd + 1} and ${odd + 2} (${nameOf(slices[odd].file)} and ${nameOf(slices[odd + 1].file)}, in order along the slice normal)`;
  const cause =
    gap <= tolerance
      ? `two slices lie at the same position ${where}: the folder holds a repeated slice or two series with the same UID?`
      : `a gap of ${mm(gap)} ${where} where the others are ${mm(median)} apart${gap > median ? ': a slice is missing?' : '.'}`;
  throw new InputError(
    folder,
    'unsupported',
    `the slice positions (ImagePositionPatient along the slice normal) are not evenly spaced: ${cause} ` +
      `ITK, and so Monge, would space all ${slices.length} slices evenly (${mm((slices[slices.length - 1].at - slices[0].at) / (slices.length - 1))}) and misplace them; complete the series, or give only an evenly spaced part of it`,
  );
}

/** Refuses consecutive slices offset within the slice plane by more than `tolerance` mm (see checkDicomSeries). */
function checkStacked(folder: string, slices: readonly SortedSlice[], normal: readonly number[], tolerance: number): void {
  for (let k = 1; k < slices.length; k++) {
    const d = [0, 1, 2].map((i) => slices[k].position[i] - slices[k - 1].position[i]);
    const alongNormal = d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2];
    const offset = Math.hypot(...d.map((v, i) => v - alongNormal * normal[i]));
    if (offset <= tolerance) continue;
    throw new InputError(
      folder,
      'unsupported',
      `the slices are not stacked along their normal (a gantry-tilted acquisition?): slice ${k + 1} (${nameOf(slices[k].file)}) is offset ${mm(offset)} ` +
        `within the slice plane from slice ${k} (${nameOf(slices[k - 1].file)}), ${mm(alongNormal)} away along the normal. ITK, and so Monge, would stack ` +
        `the slices straight along the normal and read the volume sheared; resample the series onto a straight grid first (e.g. dcm2niix, which corrects ` +
        `gantry tilt, to a NIfTI file) and give the result`,
    );
  }
}

/**
 * Slice positions of a DICOM series, read from the files' own tags, to refuse a series whose slices are not evenly
 * spaced (a slice missing, or two stacks in one series): ITK's series reader spaces the slices evenly over the
 * distance from the first to the last, so such a series is read with every slice after a gap misplaced, silently.
 *
 * DICOM PS3.3 C.7.6.2 Image Plane: ImagePositionPatient (0020,0032) is the LPS position (mm) of a slice's first
 * pixel, ImageOrientationPatient (0020,0037) its row and column directions; their cross product is the slice normal,
 * along which the slices lie. Only these two tags are parsed (PS3.10 file, PS3.5 §7 data elements), in the file's
 * transfer syntax: implicit or explicit VR, little or big endian (a deflated data set is not parsed).
 */
import { open } from 'node:fs/promises';
import { InputError } from '../errors.ts';

type Vec3 = [number, number, number];

interface SlicePlane {
  position: Vec3;
  /** Row direction, then column direction. */
  orientation: [number, number, number, number, number, number];
}

/** Raised where the bytes end inside the data set: read more of the file, or give up. */
class OutOfBytes extends Error {}

/** VRs whose explicit-VR length is 4 bytes after 2 reserved ones (PS3.5 §7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

/** The Image Plane tags of the data set in `bytes` (a Part-10 file, or its first bytes); undefined where absent. */
function parseSlicePlane(bytes: Uint8Array): SlicePlane | undefined {
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
  if (syntax === '1.2.840.10008.1.2.1.99') return undefined; // deflated
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
  const numbers = (length: number) => latin1(pos, length).split('\\').map((s) => Number(s.trim()));
  while (position === undefined || orientation === undefined) {
    const e = header();
    if (e.group > 0x0020) break;
    if (e.length === UNDEFINED) {
      skipUndefined();
      continue;
    }
    need(pos + e.length);
    if (e.group === 0x0020 && e.element === 0x0032) position = numbers(e.length);
    if (e.group === 0x0020 && e.element === 0x0037) orientation = numbers(e.length);
    pos += e.length;
  }
  if (position?.length !== 3 || orientation?.length !== 6 || ![...position, ...orientation].every(Number.isFinite)) return undefined;
  return { position: position as Vec3, orientation: orientation as SlicePlane['orientation'] };
}

/** The Image Plane tags of a DICOM file: from its first 64 KiB, or from the whole file where they lie further. */
async function slicePlaneOf(file: string): Promise<SlicePlane | undefined> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    for (const n of [Math.min(size, 64 * 1024), size]) {
      const bytes = new Uint8Array(n);
      const { bytesRead } = await handle.read(bytes, 0, n, 0);
      try {
        return parseSlicePlane(bytes.subarray(0, bytesRead));
      } catch (e) {
        if (!(e instanceof OutOfBytes)) throw e;
      }
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

const mm = (v: number): string => `${Number(v.toFixed(3))} mm`;

/**
 * Refuses (InputError naming `folder`) a series whose slices, projected on the slice normal of the first file, are
 * not evenly spaced: a gap differing from the median gap by more than 1 % of it or 0.01 mm, whichever is larger.
 * Files whose Image Plane tags cannot be parsed leave the series unchecked (ITK has read it; nothing is refused on
 * a guess). `files` are the series' files in any order.
 */
export async function checkSliceSpacing(folder: string, files: readonly string[]): Promise<void> {
  if (files.length < 3) return;
  const planes: { file: string; plane: SlicePlane }[] = [];
  for (const file of files) {
    const plane = await slicePlaneOf(file).catch(() => undefined);
    if (!plane) return;
    planes.push({ file, plane });
  }
  const o = planes[0].plane.orientation;
  const normal = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
  const slices = planes
    .map(({ file, plane }) => ({ file, at: plane.position[0] * normal[0] + plane.position[1] * normal[1] + plane.position[2] * normal[2] }))
    .sort((a, b) => a.at - b.at);
  const gaps = slices.slice(1).map((s, k) => s.at - slices[k].at);
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
  const tolerance = Math.max(0.01, 0.01 * median);
  const odd = gaps.findIndex((g) => Math.abs(g - median) > tolerance);
  if (odd < 0) return;
  const gap = gaps[odd];
  const where = `between slices ${odd + 1} and ${odd + 2} (${slices[odd].file.split(/[\\/]/).pop()} and ${slices[odd + 1].file.split(/[\\/]/).pop()}, in order along the slice normal)`;
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

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Hand-built minimal DICOM CT series for tests (no DICOM writer is needed, and the bytes are fully known).
 *
 * Each slice is a DICOM PS3.10 file: 128-byte preamble, "DICM", the File Meta group (0002,xxxx) in Explicit VR Little
 * Endian, then the data set in Implicit VR Little Endian (transfer syntax 1.2.840.10008.1.2), elements in ascending
 * tag order, every value padded to even length (PS3.5 §7.1). Pixel data: 16-bit signed, MONOCHROME2, no rescale.
 */

export interface DicomSeriesSpec {
  rows: number;
  columns: number;
  /** PixelSpacing (0028,0030): [spacing between rows (mm, along the column direction), between columns (mm)]. */
  pixelSpacingMm: [number, number];
  /** ImageOrientationPatient (0020,0037): row direction (of increasing column index), then column direction; LPS. */
  rowDirectionLps: [number, number, number];
  columnDirectionLps: [number, number, number];
  /** ImagePositionPatient (0020,0032) of each slice: the LPS centre of its first pixel. */
  positionsLps: [number, number, number][];
  /** Pixel value at (slice s, row r, column c). */
  value: (s: number, r: number, c: number) => number;
}

const SOP_CLASS_CT = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
const UID_ROOT = '1.2.826.0.1.3680043.9.7777';

function padded(text: string, pad: string): Buffer {
  return Buffer.from(text.length % 2 === 0 ? text : text + pad, 'latin1');
}

/** An element in Explicit VR Little Endian (the File Meta group): short form for UI/UL, long form for OB. */
function explicitElement(group: number, element: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB';
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

/** An element in Implicit VR Little Endian: tag, 32-bit length, value. */
function implicitElement(group: number, element: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}

const us = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v, 0);
  return b;
};
const ds = (values: number[]): Buffer => padded(values.map((v) => String(Number(v.toFixed(6)))).join('\\'), ' ');
const ui = (uid: string): Buffer => padded(uid, '\0');
const cs = (text: string): Buffer => padded(text, ' ');

/** The bytes of slice `s` of the series. */
export function dicomSliceBytes(spec: DicomSeriesSpec, s: number, seriesUid = `${UID_ROOT}.2`): Buffer {
  const sopInstanceUid = `${UID_ROOT}.3.${s + 1}`;
  const metaElements = Buffer.concat([
    explicitElement(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    explicitElement(0x0002, 0x0002, 'UI', ui(SOP_CLASS_CT)),
    explicitElement(0x0002, 0x0003, 'UI', ui(sopInstanceUid)),
    explicitElement(0x0002, 0x0010, 'UI', ui(IMPLICIT_VR_LE)),
    explicitElement(0x0002, 0x0012, 'UI', ui(`${UID_ROOT}.99`)),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaElements.length, 0);
  const meta = Buffer.concat([explicitElement(0x0002, 0x0000, 'UL', groupLength), metaElements]);

  const pixels = Buffer.alloc(spec.rows * spec.columns * 2);
  for (let r = 0; r < spec.rows; r++) {
    for (let c = 0; c < spec.columns; c++) pixels.writeInt16LE(spec.value(s, r, c), 2 * (r * spec.columns + c));
  }
  const [r0, r1, r2] = spec.rowDirectionLps;
  const [c0, c1, c2] = spec.columnDirectionLps;
  const dataset = Buffer.concat([
    implicitElement(0x0008, 0x0016, ui(SOP_CLASS_CT)),
    implicitElement(0x0008, 0x0018, ui(sopInstanceUid)),
    implicitElement(0x0008, 0x0060, cs('CT')),
    implicitElement(0x0010, 0x0010, cs('TEST^PHANTOM')),
    implicitElement(0x0010, 0x0020, cs('MONGE1')),
    implicitElement(0x0020, 0x000d, ui(`${UID_ROOT}.1`)),
    implicitElement(0x0020, 0x000e, ui(seriesUid)),
    implicitElement(0x0020, 0x0013, cs(String(s + 1))),
    implicitElement(0x0020, 0x0032, ds(spec.positionsLps[s])),
    implicitElement(0x0020, 0x0037, ds([r0, r1, r2, c0, c1, c2])),
    implicitElement(0x0028, 0x0002, us(1)),
    implicitElement(0x0028, 0x0004, cs('MONOCHROME2')),
    implicitElement(0x0028, 0x0010, us(spec.rows)),
    implicitElement(0x0028, 0x0011, us(spec.columns)),
    implicitElement(0x0028, 0x0030, ds(spec.pixelSpacingMm)),
    implicitElement(0x0028, 0x0100, us(16)),
    implicitElement(0x0028, 0x0101, us(16)),
    implicitElement(0x0028, 0x0102, us(15)),
    implicitElement(0x0028, 0x0103, us(1)),
    implicitElement(0x7fe0, 0x0010, pixels),
  ]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), meta, dataset]);
}

/**
 * Writes the series into `folder`, one file per slice, named in the order `fileOrder` gives (slice indices), so a
 * test can check that the reader sorts by position and not by file name. Returns the file paths.
 */
export async function writeDicomSeries(folder: string, spec: DicomSeriesSpec, fileOrder?: number[]): Promise<string[]> {
  const order = fileOrder ?? spec.positionsLps.map((_, i) => i);
  const paths: string[] = [];
  for (let n = 0; n < order.length; n++) {
    const path = join(folder, `IM${String(n).padStart(4, '0')}`);
    await writeFile(path, dicomSliceBytes(spec, order[n]));
    paths.push(path);
  }
  return paths;
}

import { createReadStream, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { createGunzip, createInflate } from 'node:zlib';
import { InputError } from '../errors.ts';
import { checkReadable, MAX_INPUT_BYTES } from '../read-bytes.ts';
import type { ImageFormat } from './image-format.ts';
import { niftiHeaderBytes } from './nifti-header.ts';
import { niftiDeclaredData } from './nifti-voxel-bytes.ts';

/**
 * Checks that an image file holds all the voxel bytes its header declares, and that its compressed streams are
 * intact, BEFORE Monge trusts itk-wasm's result: itk-wasm (1.0.0-b.201) returns a truncated .nii / .nii.gz without
 * any error, the missing voxels silently zero, and reports other damage only as an anonymous C++ exception. These
 * checks give the precise problem instead: 'truncated', 'corrupt-compression', 'bad-magic', 'not-found'.
 *
 * Each check computes a LOWER bound on the bytes required (fields it cannot interpret are skipped, never guessed),
 * so it cannot reject a file ITK would read correctly. Compressed data is inflated as a stream (on libuv's thread
 * pool, while itk-wasm reads in its worker) and only counted, never held: a 256³ float volume costs no extra memory.
 *
 * Formats: NIfTI-1/-2 (nifti.nimh.nih.gov/nifti-1, nifti-2), FreeSurfer MGH (surfer.nmr.mgh.harvard.edu/fswiki/FsTutorial/MghFormat),
 * NRRD (teem.sourceforge.net/nrrd/format.html), MetaImage (itk.org/Wiki/ITK/MetaIO/Documentation).
 */

/** Bytes of the header prefix kept from an inflated stream: enough for a NIfTI-2 header (540) and an MGH one (284). */
const HEAD_BYTES = 1024;
/** Most bytes of a NRRD / MetaImage text header that are parsed. */
const TEXT_HEADER_BYTES = 1 << 16;

interface Inflated {
  /** Total inflated length. */
  length: number;
  /** The first bytes of the inflated data. */
  head: Uint8Array;
}

/** Byte size of the file; InputError 'not-found' / 'is-directory' / 'empty' / 'permission-denied'. */
export async function statInput(file: string): Promise<Stats> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch {
    throw new InputError(file, 'not-found', 'no such file');
  }
  if (info.isDirectory()) throw new InputError(file, 'is-directory', 'is a folder, expected a file');
  if (info.size === 0) throw new InputError(file, 'empty', 'the file is empty');
  await checkReadable(file);
  return info;
}

/** The first `n` bytes of a file (fewer when the file is shorter). */
async function readHead(file: string, n: number, position = 0): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(n);
    let offset = 0;
    while (offset < n) {
      const { bytesRead } = await handle.read(bytes, offset, n - offset, position + offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/**
 * Inflates `file` from byte `start` (gzip, or zlib for MetaImage's CompressedData) as a stream, counting the output
 * and keeping only its first HEAD_BYTES. A stream that ends early is 'truncated'; bad data or a wrong CRC is
 * 'corrupt-compression'; output beyond MAX_INPUT_BYTES is 'too-large' (a gzip bomb).
 */
function inflateCount(file: string, start: number, kind: 'gzip' | 'zlib', what: string): Promise<Inflated> {
  return new Promise<Inflated>((resolvePromise, reject) => {
    // 1 MiB chunks: ~20 % faster than the 16 KiB default on a 64 MB volume (fewer JS callbacks).
    const source = createReadStream(file, { start, highWaterMark: 1 << 20 });
    const inflater = kind === 'gzip' ? createGunzip({ chunkSize: 1 << 20 }) : createInflate({ chunkSize: 1 << 20 });
    const head = new Uint8Array(HEAD_BYTES);
    let length = 0;
    let done = false;
    const fail = (error: InputError): void => {
      if (done) return;
      done = true;
      source.destroy();
      inflater.destroy();
      reject(error);
    };
    source.on('error', (e) => fail(new InputError(file, 'malformed', `cannot read the file (${e.message})`)));
    inflater.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) {
        fail(new InputError(file, 'truncated', `the ${what} stream ends early after ${length} bytes: the file is truncated`));
      } else {
        fail(new InputError(file, 'corrupt-compression', `corrupt ${what} data (${e.message})`));
      }
    });
    inflater.on('data', (chunk: Buffer) => {
      if (length < HEAD_BYTES) head.set(chunk.subarray(0, HEAD_BYTES - length), length);
      length += chunk.length;
      if (length > MAX_INPUT_BYTES) {
        fail(new InputError(file, 'too-large', `the ${what} data inflates to more than ${MAX_INPUT_BYTES} bytes`));
      }
    });
    inflater.on('end', () => {
      if (done) return;
      done = true;
      resolvePromise({ length, head: head.subarray(0, Math.min(length, HEAD_BYTES)) });
    });
    source.pipe(inflater);
  });
}

/** The whole-file content: inflated when the file starts with the gzip magic 1f 8b, else read in place. */
async function wholeFileContent(file: string, info: Stats): Promise<Inflated> {
  const magic = await readHead(file, 2);
  if (magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b) return inflateCount(file, 0, 'gzip', 'gzip');
  return { length: info.size, head: await readHead(file, HEAD_BYTES) };
}

function requireBytes(file: string, available: number, required: number, what: string): void {
  if (available < required) {
    throw new InputError(file, 'truncated', `${what}: the header declares ${required} bytes but only ${available} are present (the file is truncated)`);
  }
}

/** NIfTI-1 (348-byte header) or NIfTI-2 (540-byte header), either byte order: required data start + length. */
function checkNifti(file: string, content: Inflated): void {
  const h = content.head;
  if (h.length < 4) throw new InputError(file, 'truncated', 'the NIfTI header is cut short');
  const headerBytes = niftiHeaderBytes(h);
  if (headerBytes === undefined) {
    const field = new DataView(h.buffer, h.byteOffset, 4).getInt32(0, true);
    throw new InputError(file, 'bad-magic', `not a NIfTI file (header size field ${field}, expected 348 or 540)`);
  }
  const data = niftiDeclaredData(h);
  if (!data) throw new InputError(file, 'truncated', `the NIfTI header is cut short (${h.length} of ${headerBytes} bytes)`);
  if (data.bytesPerValue === undefined) return;
  const start = Number.isFinite(data.voxOffset) && data.voxOffset > headerBytes ? Math.floor(data.voxOffset) : headerBytes;
  requireBytes(file, content.length, start + data.values * data.bytesPerValue, 'NIfTI voxel data');
}

/** FreeSurfer MGH / MGZ: 284-byte big-endian header, then width·height·depth·frames values. */
function checkMgh(file: string, content: Inflated): void {
  const h = content.head;
  if (h.length < 284) throw new InputError(file, 'truncated', `the MGH header is cut short (${h.length} of 284 bytes)`);
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const version = view.getInt32(0, false);
  if (version !== 1) throw new InputError(file, 'bad-magic', `not an MGH file (version field ${version}, expected 1)`);
  let count = 1;
  for (let i = 1; i <= 4; i++) count *= Math.max(1, view.getInt32(4 * i, false));
  const bytesPerValue = ({ 0: 1, 1: 4, 3: 4, 4: 2 } as Record<number, number>)[view.getInt32(20, false)];
  if (bytesPerValue === undefined) return;
  requireBytes(file, content.length, 284 + count * bytesPerValue, 'MGH voxel data');
}

interface TextHeader {
  fields: Map<string, string>;
  /** Byte offset just past the header (NRRD: past the blank line; MetaImage: past the ElementDataFile line). */
  end: number | undefined;
}

/** NRRD type names (all the spec's synonyms) → bytes per value; 'block' and unknown names are not checked. */
const NRRD_TYPE_BYTES: Record<string, number> = {
  'signed char': 1, int8: 1, int8_t: 1, uchar: 1, 'unsigned char': 1, uint8: 1, uint8_t: 1,
  short: 2, 'short int': 2, 'signed short': 2, 'signed short int': 2, int16: 2, int16_t: 2,
  ushort: 2, 'unsigned short': 2, 'unsigned short int': 2, uint16: 2, uint16_t: 2,
  int: 4, 'signed int': 4, int32: 4, int32_t: 4, uint: 4, 'unsigned int': 4, uint32: 4, uint32_t: 4,
  longlong: 8, 'long long': 8, 'long long int': 8, 'signed long long': 8, 'signed long long int': 8, int64: 8, int64_t: 8,
  ulonglong: 8, 'unsigned long long': 8, 'unsigned long long int': 8, uint64: 8, uint64_t: 8,
  float: 4, double: 8,
};

function parseNrrdHeader(bytes: Uint8Array): TextHeader {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const fields = new Map<string, string>();
  let pos = 0;
  let end: number | undefined;
  let first = true;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const line = text.slice(pos, nl).replace(/\r$/, '');
    pos = nl + 1;
    if (first) {
      first = false;
      continue;
    }
    if (line === '') {
      end = pos;
      break;
    }
    if (line.startsWith('#')) continue;
    const kv = line.indexOf(':=');
    const colon = line.indexOf(': ');
    if (colon < 0 || (kv >= 0 && kv < colon)) continue;
    fields.set(line.slice(0, colon).trim().toLowerCase().replace(/\s+/g, ' '), line.slice(colon + 2).trim());
  }
  return { fields, end };
}

/** Resolves a detached data file named in a header, which itk-wasm can only see inside the header's folder. */
async function detachedDataFile(file: string, name: string): Promise<{ path: string; info: Stats }> {
  const path = resolve(dirname(file), name);
  const rel = relative(dirname(file), path);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(file, 'unsupported', `the detached data file ${name} lies outside the header's folder; put it beside the header`);
  }
  let info: Stats;
  try {
    info = await stat(path);
  } catch {
    throw new InputError(file, 'not-found', `the detached data file ${path} named in the header is missing`);
  }
  if (!info.isFile()) throw new InputError(file, 'not-found', `the detached data file ${path} is not a file`);
  await checkReadable(path);
  return { path, info };
}

async function checkNrrd(file: string, info: Stats): Promise<void> {
  const head = await readHead(file, Math.min(info.size, TEXT_HEADER_BYTES));
  const magic = Buffer.from(head.subarray(0, 8)).toString('latin1');
  if (!/^NRRD000\d$/.test(magic)) throw new InputError(file, 'bad-magic', 'not a NRRD file (it does not start with NRRD000x)');
  const { fields, end } = parseNrrdHeader(head);
  const dataFile = fields.get('data file') ?? fields.get('datafile');
  const sizes = (fields.get('sizes') ?? '').split(/\s+/).filter(Boolean).map(Number);
  const type = fields.get('type');
  if (!type || sizes.length === 0) throw new InputError(file, 'malformed', 'the NRRD header lacks its "type" or "sizes" field');
  if (!sizes.every((n) => Number.isInteger(n) && n > 0)) throw new InputError(file, 'malformed', `invalid NRRD sizes "${fields.get('sizes')}"`);
  const bytesPerValue = NRRD_TYPE_BYTES[type.toLowerCase()];
  const encoding = (fields.get('encoding') ?? '').toLowerCase();
  const byteSkip = Number(fields.get('byte skip') ?? fields.get('byteskip') ?? 0);
  let dataPath = file;
  let dataInfo = info;
  let start: number;
  if (dataFile !== undefined) {
    if (/^LIST/.test(dataFile) || /\s/.test(dataFile.trim())) return; // multi-file forms: left to ITK
    ({ path: dataPath, info: dataInfo } = await detachedDataFile(file, dataFile));
    start = 0;
  } else {
    if (end === undefined) {
      throw new InputError(file, info.size > TEXT_HEADER_BYTES ? 'malformed' : 'truncated', 'the NRRD header does not end (no blank line before the data)');
    }
    start = end;
  }
  if (bytesPerValue === undefined) return;
  const required = sizes.reduce((a, b) => a * b, 1) * bytesPerValue + (byteSkip > 0 ? byteSkip : 0);
  if (encoding === 'raw') {
    requireBytes(file, dataInfo.size - start, required, 'NRRD raw data');
  } else if (encoding === 'gzip' || encoding === 'gz') {
    const inflated = await inflateCount(dataPath, start, 'gzip', 'NRRD gzip');
    requireBytes(file, inflated.length, required, 'NRRD gzip data');
  }
}

/** MetaImage element types with a fixed size (MET_LONG / MET_ULONG are platform-dependent and not checked). */
const MET_TYPE_BYTES: Record<string, number> = {
  MET_CHAR: 1, MET_UCHAR: 1, MET_SHORT: 2, MET_USHORT: 2, MET_INT: 4, MET_UINT: 4,
  MET_LONG_LONG: 8, MET_ULONG_LONG: 8, MET_FLOAT: 4, MET_DOUBLE: 8,
};

function parseMetaHeader(bytes: Uint8Array): TextHeader {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const fields = new Map<string, string>();
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    const complete = nl >= 0;
    if (!complete) nl = text.length;
    const line = text.slice(pos, nl).replace(/\r$/, '');
    const next = complete ? nl + 1 : nl;
    const eq = line.indexOf('=');
    if (eq > 0) {
      const key = line.slice(0, eq).trim().toLowerCase();
      fields.set(key, line.slice(eq + 1).trim());
      if (key === 'elementdatafile') return { fields, end: complete ? next : undefined };
    } else if (line.trim() !== '') {
      return { fields, end: undefined };
    }
    pos = next;
  }
  return { fields, end: undefined };
}

async function checkMeta(file: string, info: Stats): Promise<void> {
  const head = await readHead(file, Math.min(info.size, TEXT_HEADER_BYTES));
  const { fields, end } = parseMetaHeader(head);
  if (!fields.has('ndims') && !fields.has('objecttype')) {
    throw new InputError(file, 'bad-magic', 'not a MetaImage file (no "ObjectType = …" / "NDims = …" header)');
  }
  const dataFile = fields.get('elementdatafile');
  if (dataFile === undefined) throw new InputError(file, 'malformed', 'the MetaImage header has no ElementDataFile line (cut short?)');
  const dims = (fields.get('dimsize') ?? '').split(/\s+/).filter(Boolean).map(Number);
  if (dims.length === 0 || !dims.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InputError(file, 'malformed', `invalid MetaImage DimSize "${fields.get('dimsize') ?? ''}"`);
  }
  const channels = Number(fields.get('elementnumberofchannels') ?? 1);
  const bytesPerValue = MET_TYPE_BYTES[(fields.get('elementtype') ?? '').toUpperCase()];
  const compressed = /^true$/i.test(fields.get('compresseddata') ?? '');
  const headerSize = Number(fields.get('headersize') ?? 0);
  let dataPath = file;
  let dataInfo = info;
  let start: number;
  if (dataFile.toUpperCase() === 'LOCAL') {
    if (end === undefined) throw new InputError(file, 'truncated', 'the MetaImage file ends right after its header');
    start = end;
  } else {
    if (/^LIST/i.test(dataFile) || dataFile.includes('%') || /\s/.test(dataFile)) return; // multi-file forms: left to ITK
    ({ path: dataPath, info: dataInfo } = await detachedDataFile(file, dataFile));
    start = headerSize > 0 ? headerSize : 0;
  }
  if (bytesPerValue === undefined || !Number.isInteger(channels) || channels < 1) return;
  const required = dims.reduce((a, b) => a * b, 1) * channels * bytesPerValue;
  if (compressed) {
    const inflated = await inflateCount(dataPath, start, 'zlib', 'MetaImage zlib');
    requireBytes(file, inflated.length, required, 'MetaImage compressed data');
  } else {
    requireBytes(file, dataInfo.size - start, required, 'MetaImage raw data');
  }
}

/**
 * Verifies `file` (of the given format, not DICOM) before or while itk-wasm reads it; resolves when the payload is
 * complete, rejects with an InputError naming the file otherwise.
 */
export async function checkImagePayload(file: string, format: Exclude<ImageFormat, 'dicom'>): Promise<void> {
  const info = await statInput(file);
  if (info.size > MAX_INPUT_BYTES) {
    throw new InputError(file, 'too-large', `the file is ${info.size} bytes, more than the ${MAX_INPUT_BYTES}-byte limit`);
  }
  switch (format) {
    case 'nifti':
      return checkNifti(file, await wholeFileContent(file, info));
    case 'mgh':
      return checkMgh(file, await wholeFileContent(file, info));
    case 'nrrd':
      return checkNrrd(file, info);
    case 'metaimage':
      return checkMeta(file, info);
  }
}

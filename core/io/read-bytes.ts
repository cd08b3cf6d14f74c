import { constants as bufferConstants } from 'node:buffer';
import { constants as fsConstants } from 'node:fs';
import { access, open, stat, type FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InputError } from './errors.ts';

/** Files larger than this are refused before reading (a mesh or volume this large is not a real input). */
export const MAX_INPUT_BYTES = 4 * 1024 ** 3;

/**
 * The most bytes one read asks for: Node refuses (aborts the process, in fact) a read of 2 GiB or more
 * (fs.read's length must fit in a signed 32-bit integer), so a larger file is read in pieces.
 */
const READ_CHUNK_BYTES = 1 << 30;

/**
 * Reads a whole input file, refusing missing files, folders, empty files and files too large to hold.
 * The file is opened read-only: inputs are never modified. It is read `chunkBytes` at a time (tests pass a small one).
 */
export async function readInputBytes(file: string, maxBytes = MAX_INPUT_BYTES, chunkBytes = READ_CHUNK_BYTES): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(file);
  } catch {
    throw new InputError(file, 'not-found', 'no such file');
  }
  if (info.isDirectory()) throw new InputError(file, 'is-directory', 'is a folder, expected a file');
  // A named pipe, socket or device would block the read for ever (or never end): only regular files are inputs.
  if (!info.isFile()) throw new InputError(file, 'unsupported', 'is not a regular file (a pipe, socket or device); give a file');
  if (info.size === 0) throw new InputError(file, 'empty', 'the file is empty');
  if (info.size > maxBytes) {
    throw new InputError(file, 'too-large', `the file is ${info.size} bytes, more than the ${maxBytes}-byte limit`);
  }
  const handle = await openInput(file);
  try {
    const bytes = new Uint8Array(info.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, Math.min(chunkBytes, bytes.length - offset), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === bytes.length ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/**
 * Refuses (InputError 'permission-denied' naming it) an input file, or a folder (`folder`: its listing and files), that
 * this process may not read; any other failure is left to the read that follows, which says what it is.
 */
export async function checkReadable(path: string, folder = false): Promise<void> {
  try {
    await access(path, folder ? fsConstants.R_OK | fsConstants.X_OK : fsConstants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw permissionDenied(path, folder);
  }
}

/** Opens an input file read-only; one this process may not read is InputError 'permission-denied' naming it. */
export async function openInput(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'EACCES' || code === 'EPERM' ? permissionDenied(file) : e;
  }
}

/** The InputError for an input that this process may not read (an EACCES or EPERM from opening it). */
export function permissionDenied(path: string, folder = false): InputError {
  return new InputError(path, 'permission-denied', `permission denied: this user may not read this ${folder ? 'folder' : 'file'} (see its owner and mode, ls -l)`);
}

/** True when bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips, turning zlib's failures into an InputError that names the file. The inflated size is capped (at
 * `maxBytes`, and at the largest Buffer Node makes) so a gzip bomb cannot exhaust memory; data inflating to more
 * is 'too-large', naming the limit, not 'corrupt-compression'.
 */
export function gunzipInput(bytes: Uint8Array, file: string, maxBytes = MAX_INPUT_BYTES): Uint8Array {
  const limit = Math.min(maxBytes, bufferConstants.MAX_LENGTH);
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputError(file, 'too-large', `the gzip data inflates to more than ${limit} bytes${limit >= 1024 ** 3 ? ` (${formatGiB(limit)})` : ''}, the most Monge reads from one file`);
    }
    throw new InputError(file, 'corrupt-compression', `corrupt gzip data (${(e as Error).message})`);
  }
}

/** Bytes in GiB for messages: 4294967296 → "4 GiB". */
const formatGiB = (bytes: number): string => `${Number((bytes / 1024 ** 3).toPrecision(3))} GiB`;

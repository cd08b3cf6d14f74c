/**
 * The frame a NRRD header declares in its `space:` field (NRRD0004+, https://teem.sourceforge.net/nrrd/format.html).
 *
 * itk-wasm cannot tell it: ITK's NrrdImageIO converts a right-anterior-superior or left-anterior-superior image to
 * LPS on reading and then reports `NRRD_space` as left-posterior-superior, so the geometry is right but the
 * metadata no longer says what the file holds. `monge info` reports the frame of the file, so it reads the header.
 */
import { open } from 'node:fs/promises';

/** The header, up to its blank line, is text at the start of the file; a real one is a few hundred bytes. */
const HEADER_LIMIT = 64 * 1024;

/** NRRD space names (either spelling, any case) and the frame each one is, for the 3-D anatomical spaces. */
const SPACES: Record<string, string> = {
  'right-anterior-superior': 'RAS',
  ras: 'RAS',
  'left-anterior-superior': 'LAS',
  las: 'LAS',
  'left-posterior-superior': 'LPS',
  lps: 'LPS',
  // The 4-D ones (a time axis added) keep the same spatial frame.
  'right-anterior-superior-time': 'RAS',
  rast: 'RAS',
  'left-anterior-superior-time': 'LAS',
  last: 'LAS',
  'left-posterior-superior-time': 'LPS',
  lpst: 'LPS',
};

/** The frame named by a NRRD header's `space:` field ('RAS', 'LAS', 'LPS'); undefined when it names none. */
export function nrrdSpaceOf(header: string): string | undefined {
  for (const line of header.split(/\r?\n/)) {
    if (line === '') break; // the blank line ends the header (data, or nothing for a detached .nhdr, follows)
    const m = /^space:\s*(.*?)\s*$/.exec(line);
    if (m) return SPACES[m[1].toLowerCase()];
  }
  return undefined;
}

/** The frame declared by the NRRD (.nrrd or detached .nhdr) header of `path`; undefined when it declares none. */
export async function nrrdDeclaredFrame(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(HEADER_LIMIT);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_LIMIT, 0);
    return nrrdSpaceOf(new TextDecoder('latin1').decode(buffer.subarray(0, bytesRead)));
  } finally {
    await handle.close();
  }
}

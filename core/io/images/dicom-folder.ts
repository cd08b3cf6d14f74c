import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isFolderClutter } from '../folder-clutter.ts';
import { openInput } from '../read-bytes.ts';

/**
 * Finds the DICOM Part-10 files of a series folder: regular files or links to them (not hidden nor other folder clutter (isFolderClutter), not DICOMDIR, in the folder itself,
 * not in sub-folders) whose bytes 128–131 are the magic "DICM" (DICOM PS3.10 §7.1: 128-byte preamble, then "DICM").
 * Files without the preamble (pre-1993 ACR-NEMA) are not recognised. Returned sorted by name; the slice order is
 * decided later from the geometry (ImagePositionPatient along the slice normal), not from the names. A file this
 * process may not read is refused (InputError 'permission-denied' naming it): it may be a slice of the series.
 */
export async function listDicomFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const named = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && !isFolderClutter(e.name) && e.name.toUpperCase() !== 'DICOMDIR');
  // A link counts where it leads to a file (a folder of links to the slices, as a DataLad dataset or a sorted export).
  const isFile = async (e: (typeof named)[number]): Promise<boolean> => e.isFile() || (await stat(join(folder, e.name)).then((s) => s.isFile(), () => false));
  const candidates = (await Promise.all(named.map(async (e) => ((await isFile(e)) ? [join(folder, e.name)] : [])))).flat().sort();
  const found: string[] = [];
  const magic = new Uint8Array(4);
  for (const path of candidates) {
    const handle = await openInput(path);
    try {
      const { bytesRead } = await handle.read(magic, 0, 4, 128);
      if (bytesRead === 4 && magic[0] === 0x44 && magic[1] === 0x49 && magic[2] === 0x43 && magic[3] === 0x4d) found.push(path);
    } finally {
      await handle.close();
    }
  }
  return found;
}

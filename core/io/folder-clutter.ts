/**
 * Files an operating system or a file browser drops into folders the user only looked at: hidden names (macOS
 * Finder's `.DS_Store`, the `._*` AppleDouble files on SMB and exFAT volumes, editors' swap files) and Windows
 * Explorer's `Thumbs.db` and `desktop.ini`. No reader of a folder input (a DICOM series, a network model) reads them,
 * so they are not part of what the folder holds: an input folder's hash leaves them out, so that browsing a cohort
 * in Finder does not make `monge batch --resume` redo it.
 */
const EXPLORER_FILES: ReadonlySet<string> = new Set(['thumbs.db', 'desktop.ini']);

/** Whether `name` (a folder entry's name, not a path) is such a file. */
export function isFolderClutter(name: string): boolean {
  return name.startsWith('.') || EXPLORER_FILES.has(name.toLowerCase());
}

/**
 * Names Windows will not give a file or folder (Microsoft, "Naming Files, Paths, and Namespaces"): the device names
 * CON, PRN, AUX, NUL, COM0–9 and LPT0–9, with or without an extension, in any case — `nul.txt` opens the null device —
 * and names ending in '.' or ' ', which Windows drops.
 */

/** Reserved device names on Windows, with or without an extension, in any case. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Whether `name` (a path segment) is a Windows device name. */
export function isWindowsDeviceName(name: string): boolean {
  return WINDOWS_DEVICE.test(name);
}

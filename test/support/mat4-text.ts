import { readFile } from 'node:fs/promises';

/** The 16 numbers of a 4×4 matrix text (`affine-moving-to-fixed.mat4.txt`: row-major, `#` comment lines skipped). */
export function mat4Numbers(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .flatMap((l) => l.trim().split(/\s+/).map(Number));
}

/** mat4Numbers of a file. */
export async function readMat4File(path: string): Promise<number[]> {
  return mat4Numbers(await readFile(path, 'utf8'));
}

import { writeFileAtomic } from '../io/atomic-write.ts';
import { readInputBytes } from '../io/read-bytes.ts';
import { AffineDeformation } from './affine.ts';
import { formatItkAffineText, parseItkAffineText } from './itk-transform-text.ts';
import { invertAffine } from './matrix4.ts';

/**
 * Writes the linear part of a registration as an ITK text transform (`.tfm`, or `.txt` for ANTs), which 3D Slicer
 * (Add Data → Transform), ANTs (antsApplyTransforms -t) and ITK/SimpleITK (ReadTransform) load. The file holds the
 * FIXED → MOVING map (ITK's resampling direction), i.e. the inverse of Monge's moving → fixed affine; see
 * itk-transform-text.ts. Written atomically.
 */
export async function writeItkAffineTransform(path: string, affine: AffineDeformation): Promise<void> {
  await writeFileAtomic(path, formatItkAffineText(affine.fixedToMovingLps));
}

/**
 * Reads an ITK text affine transform (fixed → moving in the file) as Monge's moving → fixed AffineDeformation, e.g.
 * an initial alignment made in Slicer or ANTs. Bad files are InputErrors naming `path`.
 */
export async function readItkAffineTransform(path: string): Promise<AffineDeformation> {
  const bytes = await readInputBytes(path, 1024 * 1024);
  const fixedToMoving = parseItkAffineText(new TextDecoder().decode(bytes), path);
  return new AffineDeformation(invertAffine(fixedToMoving));
}

/**
 * The `SPACE=RAS` / `SPACE=LPS` tag by which 3D Slicer (since 4.11) declares a mesh file's coordinate frame in a
 * free-text spot of formats that have no coordinate-system field: the STL header or solid name, a PLY
 * `comment`, an OBJ / OFF `#` comment, the VTK legacy title line.
 * See https://slicer.readthedocs.io/en/latest/user_guide/coordinate_systems.html (models are written in LPS,
 * with the frame named in the file so that older RAS files can still be recognised).
 */
import { parseFrame, type Frame } from '../../frames/index.ts';

const SPACE_TAG = /(?:^|[^A-Za-z0-9_])SPACE\s*=\s*(RAS|LPS)(?![A-Za-z0-9_])/i;

/** The frame a free-text field declares with `SPACE=RAS|LPS`, or undefined when it declares none. */
export function frameDeclaredIn(text: string): Frame | undefined {
  const m = SPACE_TAG.exec(text);
  return m ? parseFrame(m[1]) : undefined;
}

/** The tag that declares `frame`, as Slicer writes it. */
export function spaceTag(frame: Frame): string {
  return `SPACE=${frame}`;
}

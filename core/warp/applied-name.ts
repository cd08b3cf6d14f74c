/**
 * The name a file carried through a registration gets (`<stem>_in_fixed.<suffix>` or `<stem>_in_moving.<suffix>`, in
 * the input's own format where Monge writes it): `register --apply`'s files in OUTDIR/applied/, and the app's
 * "Apply to another file" downloads.
 */
import { basename } from 'node:path';
import { imageSuffixOf, WRITABLE_IMAGE_SUFFIXES } from '../io/images/image-format.ts';
import type { InputKind } from '../io/index.ts';
import { meshCodecFor } from '../io/meshes/index.ts';
import { pointCodecFor } from '../io/points/index.ts';

/** The suffix the name ends with among `suffixes` (longest first), or undefined. */
function suffixAmong(name: string, suffixes: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return [...suffixes].sort((a, b) => b.length - a.length).find((s) => lower.endsWith(s) && lower.length > s.length);
}

/**
 * `<stem>_in_<space>.<suffix>` (fixed, or moving for a fixed → moving warp): images keep a writable image suffix
 * (else .nii.gz: a DICOM folder, MetaImage's .mhd, FreeSurfer's .mgz), meshes a mesh format Monge writes (else .vtk),
 * point files theirs (DIR-Lab's voxel .txt, which needs the CT spacing, becomes .csv).
 */
export function appliedFileName(inputName: string, kind: InputKind, space: 'fixed' | 'moving' = 'fixed'): string {
  const name = basename(inputName);
  let suffix: string | undefined;
  if (kind === 'image') {
    const own = imageSuffixOf(name);
    suffix = own !== undefined && WRITABLE_IMAGE_SUFFIXES.includes(own) ? own : undefined;
    const stem = own !== undefined ? name.slice(0, name.length - own.length) : name;
    return `${stem}_in_${space}${suffix ?? '.nii.gz'}`;
  }
  if (kind === 'mesh') {
    const codec = meshCodecFor(name);
    suffix = codec?.serialize ? suffixAmong(name, codec.extensions) : undefined;
  } else {
    const codec = pointCodecFor(name);
    suffix = codec && !codec.extensions.includes('.txt') ? suffixAmong(name, codec.extensions) : undefined;
  }
  const fallback = kind === 'mesh' ? '.vtk' : '.csv';
  const own = suffix ?? name.match(/\.[^.]+$/)?.[0] ?? '';
  return `${name.slice(0, name.length - own.length)}_in_${space}${suffix ?? fallback}`;
}

/**
 * What opening a file needs to know of it: the roles a file can take, what its name says it holds (point file,
 * prior, a results folder's report), the name and one-line description shown for it, the options it is opened with
 * (the Landmark files panel's frame and prefix, Advanced › Label / Threshold), and a picked or dropped File as the
 * service takes it.
 */
import type { DisplayShape, FileSource, MongeClient, OpenedFile, OpenedPrior, OpenOptions } from '../../../main/service/api.ts';
import { REGISTRATION_OUTPUTS } from '../../../core/registration/types.ts';
import { byId } from './dom.ts';
import { volumeSelection } from './register-request.ts';

export type Role = 'moving' | 'fixed' | 'moving-landmarks' | 'fixed-landmarks';
export type LandmarkRole = 'moving-landmarks' | 'fixed-landmarks';

/** What is open for the next registration: the files by role, how each landmark file was read, the prior. */
export interface OpenedInputs {
  readonly files: Partial<Record<Role, OpenedFile>>;
  /** The options each landmark file was opened with: a registration must read it the same way (prefix, frame). */
  readonly landmarkOptions: Partial<Record<LandmarkRole, OpenOptions>>;
  /** The cohort residual prior the next registrations apply (it belongs to the cohort, so new pairs keep it). */
  readonly prior: OpenedPrior | undefined;
}

const POINT_SUFFIXES = ['.csv', '.fcsv', '.mrk.json', '.txt'];
export const looksLikePoints = (name: string): boolean => POINT_SUFFIXES.some((s) => name.toLowerCase().endsWith(s));
/** The report a results folder holds. */
export const isReportFile = (name: string): boolean => name.toLowerCase() === REGISTRATION_OUTPUTS.report;
/** A `.json` that is not Slicer's `.mrk.json` landmarks nor a results folder's report: what `monge train-prior` writes. */
export const looksLikePrior = (name: string): boolean => name.toLowerCase().endsWith('.json') && !looksLikePoints(name) && !isReportFile(name);
/** A page cannot read a dropped folder, nor a dropped report.json's neighbours: only the host's path reaches them. */
export const FOLDER_BY_PATH = 'type the folder’s path under Path on the host (as results folder, or as moving / fixed for a DICOM series)';

/** The name to show for a source: the file name of a host path, or an upload's own name. */
export function sourceName(source: FileSource): string {
  return 'path' in source ? (source.path.split(/[\\/]/).pop() ?? source.path) : source.name;
}

export function describePrior(prior: OpenedPrior): string {
  const cases = prior.cases.length === 1 ? '1 case' : `${prior.cases.length} cases`;
  return `${prior.name} — ${cases}, ${prior.landmarks} landmarks, σ ${prior.sigma}, shrink ${prior.shrink}`;
}

export function describe(file: OpenedFile): string {
  if (file.kind === 'image') {
    const g = file.volume.geometry;
    const surface = file.volume.surface ? `, surface ${file.volume.surface.pointsLps.length / 3} vertices` : '';
    return `${file.name} — volume ${g.size.join('×')} at ${g.spacingMm.map((s) => s.toFixed(2)).join('×')} mm${surface}`;
  }
  const n = file.shape.pointsLps.length / 3;
  return file.kind === 'points' ? `${file.name} — ${n} points` : `${file.name} — mesh, ${n} vertices, ${file.shape.triangles.length / 3} triangles`;
}

/** The shape a file shows in 3D: the mesh itself, or a volume's surface. */
export function shapeOf(file: OpenedFile | undefined): DisplayShape | undefined {
  if (!file) return undefined;
  return file.kind === 'image' ? file.volume.surface : file.shape;
}

export function optionsFor(role: Role | 'auto', name: string): OpenOptions {
  if (role === 'moving-landmarks' || role === 'fixed-landmarks' || (role === 'auto' && looksLikePoints(name))) {
    return { ...(role !== 'auto' ? { landmarks: true } : {}), ...pointFileReading() };
  }
  const surface = volumeSelection();
  return surface ? { surface } : {};
}

/** Landmark files panel: how a point file is read (its frame where it declares none, the CSV column prefix). */
export function pointFileReading(): Pick<OpenOptions, 'assumeFrame' | 'prefix'> {
  const frame = byId<HTMLSelectElement>('landmarks-frame').value;
  const prefix = byId<HTMLInputElement>('landmarks-prefix').value.trim();
  return { ...(frame === 'LPS' || frame === 'RAS' ? { assumeFrame: frame } : {}), ...(prefix ? { prefix } : {}) };
}

/** A picked or dropped file as the service takes it: its host path on the desktop, else its bytes (an upload). */
export async function sourceOfFile(client: MongeClient, file: File): Promise<FileSource> {
  const path = client.host?.pathForFile(file);
  return path ? { path } : { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

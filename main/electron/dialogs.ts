/**
 * Native open and save dialogs, with file filters built from the format registries of core/io, so the dialogs
 * offer exactly what the readers read.
 */
import type { BrowserWindow, FileFilter, OpenDialogOptions } from 'electron';
import { dialog } from 'electron';
import { IMAGE_SUFFIXES } from '../../core/io/images/image-format.ts';
import { MESH_CODECS } from '../../core/io/meshes/index.ts';
import { POINT_CODECS } from '../../core/io/points/index.ts';
import type { OpenPurpose } from '../service/api.ts';

const strip = (ext: string): string => ext.replace(/^\./, '');

/** Filters of an open dialog: shapes and volumes, landmarks, or a residual prior (`monge train-prior`'s JSON). */
export function openFilters(purpose: OpenPurpose): FileFilter[] {
  const meshes = [...new Set(MESH_CODECS.flatMap((c) => c.extensions.map(strip)))];
  const volumes = IMAGE_SUFFIXES.map(([suffix]) => strip(suffix));
  const points = [...new Set(POINT_CODECS.flatMap((c) => c.extensions.map(strip)))];
  if (purpose === 'landmarks') return [{ name: 'Landmarks', extensions: points }, { name: 'All files', extensions: ['*'] }];
  if (purpose === 'prior') return [{ name: 'Residual prior', extensions: ['json'] }, { name: 'All files', extensions: ['*'] }];
  if (purpose === 'apply') {
    return [
      { name: 'Volumes, meshes and landmarks', extensions: [...volumes, ...meshes, ...points] },
      { name: 'Volumes', extensions: volumes },
      { name: 'All files', extensions: ['*'] },
    ];
  }
  return [
    { name: 'Meshes and volumes', extensions: [...meshes, ...volumes] },
    { name: 'Meshes', extensions: meshes },
    { name: 'Volumes', extensions: volumes },
    { name: 'All files', extensions: ['*'] },
  ];
}

const OPEN_TITLES: Record<OpenPurpose, string> = {
  moving: 'Open the moving shape or volume',
  fixed: 'Open the fixed shape or volume',
  landmarks: 'Open landmarks',
  prior: 'Open a residual prior',
  results: 'Open a results folder',
  apply: 'Open a file to carry through the registration (image, label map, mesh or landmarks)',
};

/**
 * Results are a folder; the service also opens one from its report.json or warped shape. Only macOS's dialog can
 * pick either a folder or a file (on Windows and Linux, asking for both shows a folder picker), so there it offers
 * both, with report.json as the file to look for.
 */
function resultsDialogOptions(): Pick<OpenDialogOptions, 'properties' | 'filters'> {
  if (process.platform !== 'darwin') return { properties: ['openDirectory'] };
  return { properties: ['openDirectory', 'openFile'], filters: [{ name: 'Results folder or its report.json', extensions: ['json'] }] };
}

export async function pickOpenPath(window: BrowserWindow, purpose: OpenPurpose): Promise<string | undefined> {
  const result = await dialog.showOpenDialog(window, {
    title: OPEN_TITLES[purpose],
    ...(purpose === 'results' ? resultsDialogOptions() : { properties: ['openFile'], filters: openFilters(purpose) }),
  });
  return result.canceled ? undefined : result.filePaths[0];
}

export async function pickSavePath(window: BrowserWindow, suggestedName: string): Promise<string | undefined> {
  const suffix = /\.(nii\.gz|mrk\.json|[a-z0-9]+)$/i.exec(suggestedName)?.[1];
  const result = await dialog.showSaveDialog(window, {
    title: 'Export',
    defaultPath: suggestedName,
    ...(suffix ? { filters: [{ name: suffix.toUpperCase(), extensions: [suffix] }] } : {}),
  });
  return result.canceled ? undefined : result.filePath;
}

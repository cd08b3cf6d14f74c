/**
 * Apply to file (Export panel): another file carried through the results' field, moving → fixed or, ticked, fixed
 * → moving; the desktop saves it where its dialog says, a browser uploads it and downloads the warped one.
 */
import type { FileSource, MongeClient } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import { byId } from './dom.ts';
import { isCancel, messageOf } from './error-text.ts';
import { downloadBytes } from './export.ts';
import { pointFileReading } from './input-files.ts';
import type { ResultsPanel } from './results.ts';

export class ApplyToFile {
  constructor(
    private readonly client: MongeClient,
    private readonly messages: Messages,
    private readonly results: ResultsPanel,
  ) {}

  /**
   * Carries another file through the results' field (moving → fixed, or fixed → moving when ticked), in a job: the
   * desktop asks where to save it; in a browser the file is uploaded and the warped one downloaded.
   */
  async apply(source: FileSource): Promise<void> {
    try {
      if (!this.results.current) throw new Error('open or compute results first');
      const resultsDir = this.results.current.dir;
      const host = this.client.host;
      const inverse = byId<HTMLInputElement>('apply-inverse').checked;
      let destination: string | undefined;
      if (host && 'path' in source) {
        destination = await host.pickSavePath(appliedName(source.path, inverse ? 'moving' : 'fixed'));
        if (!destination) return;
      }
      // A point file is read as landmarks are.
      const result = await this.client.applyRegistration({ resultsDir, input: source, ...(inverse ? { inverse } : {}), ...(destination ? { destination } : {}), ...pointFileReading() });
      const what = `${result.count} ${result.kind === 'image' ? `voxels, ${result.interpolation === 'nearest' ? 'labels kept (nearest)' : 'trilinear'}` : result.kind === 'mesh' ? 'vertices' : 'points'}`;
      const outside = result.outsideField ? `; ${result.outsideField} lie outside the field's grid and were not moved` : '';
      this.messages.info(`Applied the registration: ${result.path ?? result.fileName} (${what}) in ${result.seconds.toFixed(1)} s${outside}.`);
      if (result.bytes) downloadBytes(result.bytes, result.fileName);
    } catch (error) {
      if (isCancel(error)) this.messages.info('Applying the registration was cancelled.');
      else this.messages.error(`Applying the registration failed: ${messageOf(error)}`);
    }
  }
}

/** The save dialog's suggestion for a file applied through the registration: `<stem>_in_<space><suffix>`. */
function appliedName(path: string, space: 'fixed' | 'moving'): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const suffix = name.match(/(\.(nii|gii|mrk)\.(gz|json)|\.[^.]+)$/i)?.[0] ?? '';
  return `${name.slice(0, name.length - suffix.length)}_in_${space}${suffix}`;
}

/**
 * The Export panel: the results' field, warped mesh, warped landmarks and report, and a screenshot of the 3D view
 * with its legend, saved where the desktop's dialog says or downloaded by the browser.
 */
import type { ExportKind, MongeClient } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import type { View3D } from '../view3d.ts';
import { byId } from './dom.ts';
import { messageOf } from './error-text.ts';
import type { ResultsPanel } from './results.ts';

export class ExportPanel {
  constructor(
    private readonly client: MongeClient,
    private readonly messages: Messages,
    private readonly view: View3D,
    private readonly results: ResultsPanel,
  ) {}

  /** Exports `kind` of the results on show (a screenshot needs none), in `format` where the kind has several. */
  async export(kind: ExportKind, format?: string): Promise<void> {
    try {
      const bytes = kind === 'screenshot' ? await this.screenshotPng() : undefined;
      if (kind !== 'screenshot' && !this.results.current) throw new Error('open or compute results first');
      const request = { kind, ...(format ? { format } : {}), ...(this.results.current ? { resultsDir: this.results.current.dir } : {}), ...(bytes ? { bytes } : {}) };
      const host = this.client.host;
      if (host) {
        const suggested = kind === 'screenshot' ? 'monge-screenshot.png' : `${kind}.${format ?? 'json'}`;
        const destination = await host.pickSavePath(suggested);
        if (!destination) return;
        const saved = await this.client.exportResult({ ...request, destination });
        this.messages.info(`Saved ${saved.path ?? saved.fileName}.`);
        return;
      }
      const result = await this.client.exportResult(request);
      if (!result.bytes) throw new Error('the host sent no file');
      downloadBytes(result.bytes, result.fileName);
    } catch (error) {
      this.messages.error(`Export failed: ${messageOf(error)}`);
    }
  }

  /** The 3D view as a PNG, with the colour legend drawn where it stands on the page. */
  private async screenshotPng(): Promise<Uint8Array> {
    const url = await this.view.capture();
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas for the screenshot');
    ctx.drawImage(image, 0, 0);
    const legend = byId<HTMLCanvasElement>('legend');
    if (!legend.hidden) {
      const view = byId('view3d').getBoundingClientRect();
      const box = legend.getBoundingClientRect();
      const sx = image.width / view.width;
      ctx.drawImage(legend, (box.left - view.left) * sx, (box.top - view.top) * sx, box.width * sx, box.height * sx);
    }
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the screenshot could not be encoded');
    return new Uint8Array(await blob.arrayBuffer());
  }
}

/** Hands bytes to the browser as a download named `fileName`. */
export function downloadBytes(bytes: Uint8Array, fileName: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/**
 * The toolbar: Open buttons for each role (the desktop's dialog, or the page's file input), Open results, clear the
 * prior, Register, Cancel, About.
 */
import type { AppActions } from './actions.ts';
import { byId } from './dom.ts';
import type { Role } from './input-files.ts';

/** Asks for a file to open as `role`: the desktop's open dialog, else the page's file input. */
async function pick(app: AppActions, role: Role | 'prior', input: HTMLInputElement): Promise<void> {
  const host = app.client.host;
  if (host) {
    const path = await host.pickOpenPath(role === 'moving-landmarks' || role === 'fixed-landmarks' ? 'landmarks' : role);
    if (path) await app.open(role, { path });
  } else {
    input.click();
  }
}

export function wireToolbar(app: AppActions): void {
  for (const role of ['moving', 'fixed', 'moving-landmarks', 'fixed-landmarks', 'prior'] as const) {
    const input = byId<HTMLInputElement>(`file-${role}`);
    byId(`btn-open-${role}`).addEventListener('click', () => void pick(app, role, input));
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      input.value = '';
      if (file) void app.openDropped(file, role);
    });
  }
  byId('btn-open-results').addEventListener('click', () => {
    const host = app.client.host;
    if (host) {
      void host.pickOpenPath('results').then((path) => (path ? app.openResults(path) : undefined));
    } else {
      byId<HTMLSelectElement>('path-role').value = 'results';
      const input = byId<HTMLInputElement>('path-input');
      input.focus();
      app.messages.info('Type the path of the results folder on the host, then press Enter.');
    }
  });
  byId('btn-prior-clear').addEventListener('click', () => app.clearPrior());
  byId('btn-register').addEventListener('click', () => void app.register());
  byId('btn-cancel-top').addEventListener('click', () => void app.cancelAll());
  byId('btn-about').addEventListener('click', () => void app.about());
  byId('about-close').addEventListener('click', () => byId<HTMLDialogElement>('about').close());
}

/** The About dialog: Monge's version, the host, the compute engine and the versions it runs on. */
import type { MongeClient } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import { byId } from './dom.ts';
import { messageOf } from './error-text.ts';

/** Fills the About dialog from the host's answer and opens it; a host that does not answer gets a message. */
export async function showAbout(client: MongeClient, messages: Messages): Promise<void> {
  try {
    const info = await client.hostInfo();
    const body = byId('about-body');
    body.replaceChildren();
    const rows: [string, string][] = [
      ['Monge', info.mongeVersion],
      ['Host', info.host === 'electron' ? 'desktop app (Electron)' : 'web host (loopback)'],
      ['Compute engine', `${info.engine.name}: ${info.engine.description}`],
      ...Object.entries(info.versions).map(([k, v]): [string, string] => [k, v]),
      ['Platform', info.platform],
    ];
    for (const [k, v] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      body.append(dt, dd);
    }
    byId<HTMLDialogElement>('about').showModal();
  } catch (error) {
    messages.error(`About: ${messageOf(error)}`);
  }
}

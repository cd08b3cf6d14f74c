/**
 * Connecting the user interface to its host: inside Electron the preload has put a bridge on `window.monge`
 * (main/preload.ts); in a browser the page talks to the web host over a WebSocket, with the session token of its
 * own address. Either way the result is the same MongeClient, built by the shared api-client.
 */
import type { ApiMethod, CallOutcome, JobEvent, MongeBridge, MongeClient } from '../../main/service/api.ts';
import { createApiClient } from '../../main/service/api-client.ts';
import { decodeMessage, encodeMessage } from '../../main/service/wire-codec.ts';

declare global {
  interface Window {
    monge?: MongeBridge;
  }
}

type ServerMessage = { t: 'result'; id: number; outcome: CallOutcome } | { t: 'event'; event: JobEvent };

/** The client of the web host at this page's address. `onLost` hears about a closed connection. */
export function connectWebSocket(onLost: (reason: string) => void): Promise<MongeClient> {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket.binaryType = 'arraybuffer';
  const pending = new Map<number, (outcome: CallOutcome) => void>();
  const listeners = new Set<(event: JobEvent) => void>();
  let nextId = 1;
  let closed = false;

  const transport = (method: ApiMethod, args: unknown[]): Promise<CallOutcome> =>
    new Promise((resolve) => {
      if (closed) return resolve({ ok: false, error: { name: 'Error', message: 'the connection to Monge is closed; reload the page' } });
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(encodeMessage({ t: 'call', id, method, args }));
    });

  socket.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
    const message = decodeMessage(e.data) as ServerMessage;
    if (message.t === 'result') {
      pending.get(message.id)?.(message.outcome);
      pending.delete(message.id);
    } else if (message.t === 'event') {
      for (const listener of listeners) listener(message.event);
    }
  });

  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () =>
      resolve({
        ...createApiClient(transport),
        onJobEvent: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      }),
    );
    socket.addEventListener('close', (e) => {
      const wasOpen = !closed;
      closed = true;
      for (const answer of pending.values()) answer({ ok: false, error: { name: 'Error', message: 'the connection to Monge was lost' } });
      pending.clear();
      if (wasOpen) onLost(e.reason || 'the connection to Monge was lost; is `npm run web` still running?');
      reject(new Error('could not connect to Monge (is the address complete, with its token?)'));
    });
  });
}

/** The client for this page: Electron's bridge when there is one, else the web host. */
export async function connect(onLost: (reason: string) => void): Promise<MongeClient> {
  const bridge = window.monge;
  if (bridge) {
    return { ...createApiClient((method, args) => bridge.call(method, args)), onJobEvent: bridge.onJobEvent, host: bridge.host };
  }
  return connectWebSocket(onLost);
}

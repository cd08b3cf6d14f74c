/**
 * Renderer entry: connect to the host, then start the app. A failure to connect is shown on the page itself (the
 * view is never left blank without a word).
 */
import { App } from './app/index.ts';
import { connect } from './connect.ts';

async function start(): Promise<void> {
  let app: App | undefined;
  try {
    const client = await connect((reason) => app?.connectionLost(reason));
    app = new App(client);
  } catch (error) {
    const messages = document.getElementById('messages');
    if (messages) messages.textContent = `Monge could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}

void start();

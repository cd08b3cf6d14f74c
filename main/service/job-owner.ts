import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who a job belongs to: one client of a host that serves several (the web host's connections, one per browser tab).
 * The host runs each client's calls inside `asJobOwner(owner, …)`; every job those calls start — the surface
 * extraction an openFile starts deep inside, a registration — is tagged with it through Node's AsyncLocalStorage,
 * so the service needs no owner argument in its API. The host then sends a job's events to its owner only, and
 * cancels the jobs of a client that goes away (a closed or reloaded tab), which nobody could otherwise see or cancel.
 * Jobs started outside any owner (the desktop app's one window, tests) belong to everyone.
 */
const owners = new AsyncLocalStorage<string>();

export function asJobOwner<T>(owner: string, work: () => T): T {
  return owners.run(owner, work);
}

/** The owner of the calls running now (undefined outside asJobOwner). */
export function currentJobOwner(): string | undefined {
  return owners.getStore();
}

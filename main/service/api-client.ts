/**
 * The user interface's side of the API: a MongeApi whose every call goes through one transport function (Electron's
 * ipcRenderer.invoke behind the preload, or the web host's WebSocket) and comes back as a CallOutcome, turned here
 * into a value or a thrown ApiError that still names the file. Pure code, shared by the preload and the renderer.
 */
import { API_METHODS, type ApiMethod, type CallOutcome, type MongeApi } from './api.ts';
import { ApiError } from './error-info.ts';

export type Transport = (method: ApiMethod, args: unknown[]) => Promise<CallOutcome>;

export function createApiClient(transport: Transport): MongeApi {
  const client: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of API_METHODS) {
    client[method] = async (...given: unknown[]) => {
      // An optional argument left undefined is left out: the web host's wire format is JSON, where an undefined
      // array element becomes null, which the service would refuse as not an options object.
      const args = [...given];
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
      const outcome = await transport(method, args);
      if (!outcome.ok) throw new ApiError(outcome.error);
      return outcome.value;
    };
  }
  return client as unknown as MongeApi;
}

/**
 * The files and folders a registration reads, in one place: what a batch's completion mark records (a pair made
 * from other inputs is redone) and what an overwritten output folder must not hold (replacing OUTDIR would delete
 * them).
 */
import { REQUEST_DEFAULTS, type RegisterRequest } from '../types.ts';
import { netModelDirOf } from './net-step.ts';

/**
 * The network folder the 'net' step reads: the one the request names, else the default one (MONGE_NET_MODEL, else
 * the preset's shipped model), which is as much an input as a named one: retraining it, or pointing MONGE_NET_MODEL
 * elsewhere, changes the registration. None when the step does not run.
 */
export function netModelRead(request: RegisterRequest): string | undefined {
  const steps = request.steps ?? REQUEST_DEFAULTS.steps;
  return steps.includes('net') ? netModelDirOf(request.netModelDir, request.preset ?? REQUEST_DEFAULTS.preset) : undefined;
}

/** Every input of `request`: shapes, landmarks, the network folder, the residual prior, the files to apply it to. */
export function requestInputPaths(request: RegisterRequest): string[] {
  return [request.moving, request.fixed, request.movingLandmarks, request.fixedLandmarks, netModelRead(request), request.residualPrior, ...(request.apply ?? [])].filter(
    (p): p is string => p !== undefined,
  );
}

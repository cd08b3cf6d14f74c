/**
 * Step 2: the learned network (core/registration/net) as a pluggable step. It runs only when a trained model folder
 * exists — the request's `netModelDir`, else MONGE_NET_MODEL, else `assets/models/<preset>` — and the network code
 * loads (TensorFlow.js is imported lazily, so a build without it still registers); otherwise the step is skipped
 * and the report says why. The network predicts displacements at control points of the moving surface; they are
 * spread onto the working grid by the multi-scale kernel regression of the fine-tuning step (kernel-regression.ts)
 * with the widths of the preset's first fine-tuning round plus the network's own control spacing: the wide scales
 * carry the motion of the surface into the interior of a volume (lung landmarks lie up to 40 mm deep, where a
 * kernel of the control spacing alone would leave only the mean motion), the narrow one keeps the detail. The mean
 * displacement is kept as a constant, so the field does not fade to zero in the margin.
 */
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GridDisplacement } from '../../field/grid-displacement.ts';
import { InputError } from '../../io/errors.ts';
import { fitKernelRegression } from '../finetune/kernel-regression.ts';
import { VelocityGridDeformation } from '../finetune/velocity.ts';
import { gridImage } from '../finetune/work-grid.ts';
import { isSynthPresetName, SYNTH_PRESETS } from '../synth/presets.ts';
import type { PresetName } from '../types.ts';
import type { PipelineStep, StepResult } from './step.ts';
import { workGridOf } from './work-grid-of.ts';
import { appFile } from '../../runtime/index.ts';

/** The models that ship in assets/models (of the repository, or of the packaged app). */
const MODELS_DIR = resolve(fileURLToPath(appFile('assets/models')));

/** Where the step looks for a model: the folder named, else MONGE_NET_MODEL, else the preset's shipped one. */
export function netModelDirOf(netModelDir: string | undefined, preset: PresetName): string {
  return netModelDir ?? process.env.MONGE_NET_MODEL ?? join(MODELS_DIR, preset);
}

/**
 * Checks a model folder the user named (`--net-model`, a manifest's `net_model`): it must hold a trained network.
 * Only the default folders may be missing, which skips the step; a named one that is not there is a mistake to
 * report before the pipeline runs, not a step to skip silently.
 */
export async function checkNetModelDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new InputError(dir, 'not-found', 'no such model folder (give a folder that `monge train` wrote)');
  if (!info.isDirectory()) throw new InputError(dir, 'unsupported', 'is a file; give the model folder that `monge train` wrote');
  if (!(await stat(join(dir, 'manifest.json')).catch(() => undefined))?.isFile()) {
    throw new InputError(dir, 'malformed', 'holds no manifest.json: not a model folder that `monge train` wrote');
  }
}

type NetModule = typeof import('../net/inference.ts');

async function loadNetModule(): Promise<NetModule | string> {
  try {
    return await import('../net/inference.ts');
  } catch (e) {
    return `the network code could not be loaded (${(e as Error).message})`;
  }
}

export const netStep: PipelineStep = {
  name: 'net',
  async unavailable(context) {
    const dir = netModelDirOf(context.netModelDir, context.preset.name);
    try {
      await access(join(dir, 'manifest.json'));
    } catch {
      // A preset `monge train` trains no network for (generic) has none of its own: say so, rather than name a
      // missing file as if the installation were broken.
      if (context.netModelDir === undefined && !isSynthPresetName(context.preset.name)) {
        const shipped = Object.keys(SYNTH_PRESETS).join(' and ');
        return `no trained network for preset '${context.preset.name}' (Monge ships networks for the ${shipped} presets); step skipped`;
      }
      return `no trained network for preset '${context.preset.name}' (no manifest.json in ${dir}); step skipped`;
    }
    const module = await loadNetModule();
    return typeof module === 'string' ? `${module}; step skipped` : undefined;
  },
  async run(context): Promise<StepResult> {
    const module = await loadNetModule();
    if (typeof module === 'string') throw new Error(module);
    const dir = netModelDirOf(context.netModelDir, context.preset.name);
    const net = await module.loadRegistrationNet(dir);
    try {
      context.onProgress?.({ stage: 'net', fraction: 0.1 });
      const prediction = await module.predictDisplacement(net, context.moving.surface.pointsLps, context.fixed.surface.pointsLps, {
        engine: context.engine,
        seed: context.seed,
      });
      context.onProgress?.({ stage: 'net', fraction: 0.8 });
      const grid = workGridOf(context.moving, context.fixed, context.preset.gridSpacing, context.preset.gridMargin);
      const c = prediction.controlPointsLps;
      const d = Float64Array.from(prediction.controlDisplacementLps);
      const n = d.length / 3;
      const mean = [0, 0, 0];
      for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) mean[k] += d[3 * i + k] / n;
      for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) d[3 * i + k] -= mean[k];
      const sigmasMm = [...new Set([...context.preset.finetune.rounds[0].sigmasMm, prediction.sigmaMm])].sort((a, b) => b - a);
      const field = fitKernelRegression(grid, c, d, new Float64Array(n).fill(1), { sigmasMm, shrink: 1e-3, signal: context.signal });
      for (let q = 0; q < field.length; q++) field[q] += mean[q % 3];
      // With the preset's diffeomorphic option, the prediction is integrated as a velocity too (no folding).
      const deformation = context.preset.finetune.diffeomorphic ? new VelocityGridDeformation(grid, field) : new GridDisplacement(gridImage(grid, field), 'clamp');
      return {
        deformation,
        details: { model: dir, backend: net.backend, controlPoints: n, sigmaMm: prediction.sigmaMm, extensionSigmasMm: sigmasMm, prediction: prediction.report },
      };
    } finally {
      net.dispose();
    }
  },
};

/**
 * Step 3: robust-OT fine-tuning (finetune/finetune.ts) as a pipeline step: the preset's channels (surface,
 * interior) are matched round after round and the displacement fitted on the working grid; the result is a core/field
 * GridDisplacement (edge values continue outside the grid), or with the diffeomorphic option the exponential of
 * the equivalent stationary velocity (finetune/velocity.ts).
 */
import { GridDisplacement } from '../../field/grid-displacement.ts';
import { finetune, type MatchChannel } from '../finetune/finetune.ts';
import { VelocityGridDeformation, velocityForDisplacement } from '../finetune/velocity.ts';
import { gridPointsLps } from '../../field/grid.ts';
import { gridGeometry, gridImage } from '../finetune/work-grid.ts';
import type { PipelineStep, StepContext, StepResult } from './step.ts';
import { workGridOf } from './work-grid-of.ts';

/** The channels the preset asks for, among those both shapes have. */
export function finetuneChannels(context: StepContext): MatchChannel[] {
  const want = context.preset.finetune.channels;
  const channels: MatchChannel[] = [];
  if (want !== 'interior' || !context.moving.interior || !context.fixed.interior) {
    channels.push({ name: 'surface', moving: context.moving.surface, fixed: context.fixed.surface, weight: 1 });
  }
  if (want !== 'surface' && context.moving.interior && context.fixed.interior) {
    channels.push({ name: 'interior', moving: context.moving.interior, fixed: context.fixed.interior, weight: context.preset.clouds.interiorWeight || 1 });
  }
  return channels;
}

export const finetuneStep: PipelineStep = {
  name: 'finetune',
  async unavailable() {
    return undefined;
  },
  async run(context): Promise<StepResult> {
    const p = context.preset.finetune;
    // A 'total' fit after the network starts from the pre-alignment, with the network's map as its first guess
    // only: the regulariser then pulls towards the linear map, not towards the network's (measured on COPD 1–5:
    // following the network, the 'total' fit's TRE was 8.25 mm against 7.45 mm from the pre-alignment alone).
    const linear = p.update === 'total' ? context.afterLinear : undefined;
    const since = linear?.since;
    const fromLinear = since !== undefined;
    const start: StepContext = linear && since ? { ...context, moving: linear.moving } : context;
    const grid = workGridOf(start.moving, context.fixed, context.preset.gridSpacing, context.preset.gridMargin);
    const channels = finetuneChannels(start);
    const guess = since ? await since.evaluate(gridPointsLps(gridGeometry(grid))) : undefined;
    const result = await finetune(context.engine, grid, channels, {
      initialIsGuess: fromLinear,
      rounds: p.rounds,
      method: p.method,
      smoothing: p.smoothing,
      tangentialWeight: p.tangentialWeight,
      anisotropy: p.anisotropy,
      update: p.update,
      splineStepsPerSigma: p.splineStepsPerSigma,
      splineMaxIterations: p.splineMaxIterations,
      gmmOutlierFraction: p.gmmOutlierFraction,
      signal: context.signal,
      onProgress: (r) => context.onProgress?.({ stage: 'finetune', fraction: r.fraction }),
    }, guess);
    for (let i = 0; i < result.field.length; i++) {
      if (!Number.isFinite(result.field[i])) throw new Error('finetune: the fitted displacement is not finite (the matching diverged)');
    }
    const deformation = p.diffeomorphic
      ? new VelocityGridDeformation(grid, velocityForDisplacement(grid, result.field))
      : new GridDisplacement(gridImage(grid, result.field), 'clamp');
    const details = {
      method: p.method,
      start: fromLinear ? 'the pre-alignment, with the steps since as first guess (they are replaced)' : 'the previous step',
      diffeomorphic: p.diffeomorphic,
      tangentialWeight: p.tangentialWeight,
      grid: { size: grid.size, spacingMm: grid.spacingMm, originLps: grid.originLps },
      channels: channels.map((c) => ({ name: c.name, movingPoints: c.moving.mass.length, fixedPoints: c.fixed.mass.length, weight: c.weight })),
      rounds: result.rounds,
    };
    return { deformation, details, ...(result.confidence ? { confidence: result.confidence } : {}), ...(fromLinear ? { fromLinear } : {}) };
  },
};

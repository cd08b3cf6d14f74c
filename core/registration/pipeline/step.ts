/**
 * The step interface of the pipeline (`--steps prealign,net,finetune`). A step sees the moving clouds where the
 * steps before it have put them (fixed space), and returns one more deformation for the chain
 * φ = φ_k ∘ … ∘ φ_1 (core/field ComposedDeformation), defined on the output space of the chain so far. A step can
 * decline to run (`unavailable` returns a note for the report), which is how the learned network step is skipped
 * in a build without a trained model: the chain simply has one piece less.
 */
import type { Deformation } from '../../field/types.ts';
import type { KernelEngine } from '../../kernels/types.ts';
import type { ProgressOptions } from '../../progress/index.ts';
import type { WeightedCloud } from '../clouds/cluster-cloud.ts';
import type { StepName } from '../types.ts';
import type { Preset } from './presets.ts';
import type { ShapeClouds } from './shape-clouds.ts';

/** What every step may read. */
export interface StepContext extends ProgressOptions {
  engine: KernelEngine;
  preset: Preset;
  seed: number;
  /** The moving clouds after the chain so far (fixed space). */
  moving: ShapeClouds;
  fixed: ShapeClouds;
  /** Folder of a trained network, when one was named. */
  netModelDir?: string;
  /**
   * Where the chain stood after its linear step (the pre-alignment): the moving clouds there and, once non-linear
   * steps (the network's) have followed, their composition. A 'total' fine-tuning fits its displacement from there —
   * the linear map is what its regulariser pulls towards — and takes `since` only as its first guess.
   */
  afterLinear?: { moving: ShapeClouds; since?: Deformation };
}

/** Per-point confidences of the last matching, at the step's input positions (for the warped shape's array). */
export interface StepConfidence {
  pointsLps: Float64Array;
  values: Float64Array;
}

export interface StepResult {
  deformation: Deformation;
  /** JSON-able details for the report (iterations, costs, rounds …). */
  details: Record<string, unknown>;
  confidence?: StepConfidence;
  /**
   * The deformation is defined on the output of the linear step (context.afterLinear) and REPLACES the non-linear
   * pieces since, instead of following them; its confidences are at the clouds there.
   */
  fromLinear?: boolean;
}

export interface PipelineStep {
  name: StepName;
  /** undefined when the step can run; otherwise why not (it is then skipped with this note). */
  unavailable(context: StepContext): Promise<string | undefined>;
  run(context: StepContext): Promise<StepResult>;
}

/** The clouds of `clouds` moved by `deformation` (normals kept: the steps only use them as local directions). */
export async function advanceClouds(clouds: ShapeClouds, deformation: Deformation): Promise<ShapeClouds> {
  const move = async (c: WeightedCloud): Promise<WeightedCloud> => {
    const u = await deformation.evaluate(c.pointsLps);
    const pointsLps = new Float64Array(c.pointsLps.length);
    for (let i = 0; i < u.length; i++) pointsLps[i] = c.pointsLps[i] + u[i];
    return { ...c, pointsLps };
  };
  const surface = await move(clouds.surface);
  return clouds.interior ? { surface, interior: await move(clouds.interior) } : { surface };
}

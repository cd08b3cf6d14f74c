/**
 * Step 1: OT pre-alignment (prealign/prealign.ts) as a pipeline step. The preset's stages run in turn (e.g. rigid
 * at coarse blurs to find the pose without the shrinkage a coarse barycentric match imposes on a scale, then
 * affine at fine blurs), each starting from the last. The result is a core/field AffineDeformation.
 */
import { AffineDeformation } from '../../field/affine.ts';
import { affineFromParts } from '../../field/matrix4.ts';
import { boundsOf } from '../../shape/index.ts';
import { cellForCount, clusterCloud } from '../clouds/cluster-cloud.ts';
import { IDENTITY_MAP, type LinearMap } from '../prealign/linear-fit.ts';
import { prealign, type MassCloud, type PrealignResult } from '../prealign/prealign.ts';
import type { PipelineStep, StepContext, StepResult } from './step.ts';

/** A cloud clustered down to about `count` points (masses summed per cell), or itself when small enough. */
function atMost(cloud: MassCloud, count: number): MassCloud {
  const n = cloud.mass.length;
  if (n <= count) return cloud;
  const extent = boundsOf(cloud.pointsLps);
  const diameter = Math.hypot(extent[1] - extent[0], extent[3] - extent[2], extent[5] - extent[4]);
  return clusterCloud(cloud.pointsLps, cloud.mass, cellForCount(cloud.pointsLps, count, diameter / 30), cloud.normalsLps);
}

/** The cloud the preset aligns by: the interior when there is one on both sides (volumes), else the surface. */
function alignmentClouds(context: StepContext): { moving: MassCloud; fixed: MassCloud; channel: string } {
  const want = context.preset.prealign.channels;
  const count = context.preset.clouds.prealignPoints;
  if (want !== 'surface' && context.moving.interior && context.fixed.interior) {
    return { moving: atMost(context.moving.interior, count), fixed: atMost(context.fixed.interior, count), channel: 'interior' };
  }
  return { moving: atMost(context.moving.surface, count), fixed: atMost(context.fixed.surface, count), channel: 'surface' };
}

export function linearMapToAffine(map: LinearMap): AffineDeformation {
  return new AffineDeformation(affineFromParts(map.matrix, map.translation));
}

export const prealignStep: PipelineStep = {
  name: 'prealign',
  async unavailable() {
    return undefined;
  },
  async run(context): Promise<StepResult> {
    const p = context.preset.prealign;
    const { moving, fixed, channel } = alignmentClouds(context);
    let map: LinearMap = IDENTITY_MAP;
    const stages: (Omit<PrealignResult, 'map'> & { model: string; matrix: number[]; translation: number[] })[] = [];
    for (let s = 0; s < p.stages.length; s++) {
      const stage = p.stages[s];
      const result = await prealign(
        context.engine,
        moving,
        fixed,
        {
          model: stage.model,
          blursMm: stage.blurs,
          reachMm: stage.reach,
          toleranceMm: p.tolerance,
          maxIterations: p.maxIterations,
          rotationSearch: p.rotationSearch && s === 0,
          match: stage.match,
          debias: stage.debias ?? false,
          signal: context.signal,
          onProgress: (r) => context.onProgress?.({ stage: 'prealign', fraction: (s + r.fraction) / p.stages.length }),
        },
        map,
      );
      map = result.map;
      const { map: _m, ...rest } = result;
      void _m;
      stages.push({ ...rest, model: stage.model, matrix: Array.from(map.matrix), translation: Array.from(map.translation) });
    }
    return { deformation: linearMapToAffine(map), details: { channel, stages } };
  },
};

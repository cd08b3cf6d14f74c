/**
 * The weighted clouds a shape is registered by: its surface (clustered vertices, area or per-vertex mass, with
 * normals) and, for volume inputs, its interior (clustered foreground voxels, volume mass). Each is matched on its
 * own channel (finetune.ts), so a surface point never pairs with an interior one.
 */
import { cellForCount, clusterCloud, type WeightedCloud } from '../clouds/cluster-cloud.ts';
import { maskInteriorCloud } from '../clouds/mask-volume.ts';
import { diameterOf, massOf, type PreparedInput } from './inputs.ts';
import type { CloudPreset } from './presets.ts';

export interface ShapeClouds {
  surface: WeightedCloud;
  interior?: WeightedCloud;
}

/** Interior cloud of about `target` points: the cell edge from a probe clustering (count ∝ 1/cell³). */
function interiorCloud(input: PreparedInput, target: number): WeightedCloud | undefined {
  if (!input.image) return undefined;
  const probeCell = Math.max(...input.image.spacingMm) * 4;
  const probe = maskInteriorCloud(input.image, probeCell);
  if (probe.mass.length === 0) return undefined;
  const cell = probeCell * Math.cbrt(probe.mass.length / target);
  return maskInteriorCloud(input.image, cell);
}

/** The clouds of one input under the preset. */
export function shapeClouds(input: PreparedInput, preset: CloudPreset): ShapeClouds {
  const shape = input.shape;
  const mass = massOf(shape, preset.surfaceMass);
  const n = shape.pointsLps.length / 3;
  const normals = shape.normalsLps ? Float64Array.from(shape.normalsLps) : undefined;
  const surface =
    n <= preset.surfacePoints
      ? { pointsLps: Float64Array.from(shape.pointsLps), mass: Float64Array.from(mass), ...(normals ? { normalsLps: normalsUnit(normals) } : {}) }
      : clusterCloud(shape.pointsLps, mass, cellForCount(shape.pointsLps, preset.surfacePoints, diameterOf(shape) / 50), normals);
  const interior = preset.interiorPoints > 0 ? interiorCloud(input, preset.interiorPoints) : undefined;
  return interior ? { surface, interior } : { surface };
}

function normalsUnit(n: Float64Array): Float64Array {
  const out = new Float64Array(n.length);
  for (let i = 0; i < n.length; i += 3) {
    const len = Math.hypot(n[i], n[i + 1], n[i + 2]);
    if (len > 0) for (let c = 0; c < 3; c++) out[i + c] = n[i + c] / len;
  }
  return out;
}

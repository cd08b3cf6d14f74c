/**
 * Stacking pyramids (pyramid.ts) into the model's input tensors, in MODEL_INPUTS order, and ground-truth flows
 * into per-level targets.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetConfig } from './config.ts';
import { inputShapes, MODEL_INPUTS, type ModelInputName } from './model.ts';
import type { CloudPyramid, PyramidNeighbours } from './pyramid.ts';

function stack<T extends Float32Array | Int32Array>(parts: T[], make: (n: number) => T): T {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = make(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The model inputs for B pairs (source[b] → target[b]). */
export function modelInputs(sources: CloudPyramid[], targets: CloudPyramid[], config: NetConfig): tf.Tensor[] {
  const b = sources.length;
  if (targets.length !== b || b === 0) throw new RangeError('net: need as many targets as sources (≥ 1)');
  const shapes = inputShapes(config);
  const pick = (name: ModelInputName): Float32Array | Int32Array[] | Float32Array[] => {
    const [cloud, key] = name.split('_') as ['src' | 'tgt', keyof PyramidNeighbours | undefined];
    const list = cloud === 'src' ? sources : targets;
    return key === undefined ? list.map((p) => p.points) : list.map((p) => p[key]);
  };
  return MODEL_INPUTS.map((name) => {
    const [rows, cols] = shapes[name];
    const parts = pick(name) as (Float32Array | Int32Array)[];
    if (name === 'src' || name === 'tgt') return tf.tensor3d(stack(parts as Float32Array[], (n) => new Float32Array(n)), [b, rows, cols], 'float32');
    return tf.tensor3d(stack(parts as Int32Array[], (n) => new Int32Array(n)), [b, rows, cols], 'int32');
  });
}

/**
 * Ground-truth flows per level [B, N_l, 3] (normalised units) and per-point weights [B, N_l] (0 for outliers), from
 * per-control-point values (N0×3 flow, N0 weights) of each pair.
 */
export function flowTargets(flows: Float32Array[], weights: Float32Array[], config: NetConfig): { flow: tf.Tensor3D[]; weight: tf.Tensor2D[] } {
  const b = flows.length;
  const n0 = config.levels[0];
  const flow: tf.Tensor3D[] = [];
  const weight: tf.Tensor2D[] = [];
  for (const n of config.levels) {
    const f = new Float32Array(b * n * 3);
    const w = new Float32Array(b * n);
    for (let i = 0; i < b; i++) {
      f.set(flows[i].subarray(0, 3 * n), i * n * 3);
      w.set(weights[i].subarray(0, n), i * n);
    }
    flow.push(tf.tensor3d(f, [b, n, 3]));
    weight.push(tf.tensor2d(w, [b, n]));
  }
  if (flows.some((f) => f.length !== 3 * n0)) throw new RangeError('net: ground-truth flows must have N0×3 values');
  return { flow, weight };
}

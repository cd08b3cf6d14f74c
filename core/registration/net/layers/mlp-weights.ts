/**
 * Weights of a per-point MLP inside a custom layer: kernels W_l [in, out] and biases b_l, created with seeded
 * Glorot-uniform initialisation (Glorot & Bengio 2010) so that `monge train --seed` is reproducible.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';

/** The `addWeight` of a tfjs-layers Layer (protected there; passed in by the layer itself). */
export type AddWeight = (name: string, shape: number[], dtype: 'float32', initializer: ReturnType<typeof tfl.initializers.zeros>) => LayerVariable;

export interface MlpWeights {
  kernels: LayerVariable[];
  biases: LayerVariable[];
}

/** Adds the weights of an MLP with the given input width and layer widths. */
export function addMlpWeights(addWeight: AddWeight, prefix: string, inWidth: number, widths: readonly number[], seed: number): MlpWeights {
  const kernels: LayerVariable[] = [];
  const biases: LayerVariable[] = [];
  let cin = inWidth;
  widths.forEach((cout, l) => {
    kernels.push(addWeight(`${prefix}_w${l}`, [cin, cout], 'float32', tfl.initializers.glorotUniform({ seed: seed * 131 + l * 7 + 1 })));
    biases.push(addWeight(`${prefix}_b${l}`, [cout], 'float32', tfl.initializers.zeros()));
    cin = cout;
  });
  return { kernels, biases };
}

/** Widths scaled by the model's width multiplier (at least 4 channels). */
export function scaledWidths(widths: readonly number[], multiplier: number): number[] {
  return widths.map((w) => Math.max(4, Math.round(w * multiplier)));
}

/**
 * Synthetic deformations of real shapes with ground truth, for training and testing the registration network
 * (core/registration/net): see synthetic-pair.ts for how a pair is drawn and presets.ts for the anatomy presets.
 */
export { SYNTH_PRESETS, isSynthPresetName, type SynthPreset, type SynthPresetName } from './presets.ts';
export { prepareSynthShape, sampleShape, type SynthShape } from './synth-shape.ts';
export { syntheticPair, type SyntheticPair, type SyntheticPairOptions } from './synthetic-pair.ts';
export { applyMap, mapDisplacement, jacobianDeterminants, type SmoothMap } from './smooth-map.ts';
export { createRandom, deriveSeed, type Random } from './random.ts';

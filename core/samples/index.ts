/**
 * Built-in samples that Monge generates itself, for `npm run demo` and for tests that need exact ground truth: a
 * lung-like two-lobe mask and a known breathing motion (synthetic-lung.ts).
 */
export { SAMPLE_SPACING_MM, applyBreathing, breathingDisplacementMm, syntheticLungMask } from './synthetic-lung.ts';

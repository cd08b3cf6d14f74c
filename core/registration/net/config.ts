/**
 * Hyper-parameters of the registration network, stored in every model's manifest so that a saved model is
 * rebuilt and fed exactly as it was trained. Point counts are fixed per model: kNN neighbourhoods have a spatial
 * size that depends on the sampling density, so a network must see the same density at inference as in training.
 */

export const ARCHITECTURE = 'monge-pwc-v1';

export interface NetConfig {
  architecture: typeof ARCHITECTURE;
  /** Points per pyramid level, finest first (N0 control points, then coarser FPS prefixes). */
  levels: [number, number, number];
  /** Random pool drawn from each cloud before farthest-point sampling (≥ N0). */
  poolSize: number;
  /** Neighbours for feature set-abstraction (kNN grouping). */
  kFeature: number;
  /** Neighbours for the flow estimators' set convolutions. */
  kFlow: number;
  /** Target neighbours per source point in the cost volumes. */
  kCost: number;
  /** Channel-width multiplier (1 = shipped models; tests use smaller). */
  width: number;
  /** Normalisation: coordinates are (p − centroid of the cloud's control points) / scaleMm. */
  scaleMm: number;
  /**
   * Optimal-transport matching at levels 2 and 1 (layers/ot-flow.ts) and the Gaussian smoothing of its flow
   * (layers/gaussian-smooth.ts), normalised units: blurs, smoothing widths, the unbalanced reach, and the
   * starting blurs of the ε-scaling (level 2: the clouds' diameter; level 1 starts from the remaining motion).
   */
  ot: { blur2: number; blur1: number; smooth2: number; smooth1: number; reach: number; diameter2: number; diameter1: number };
  /** A learned global affine motion at level 2 (layers/affine-head.ts); absent in older manifests = false. */
  affineHead?: boolean;
  /** Loss weights of the flows at levels 0, 1, 2. */
  levelWeights: [number, number, number];
}

/** Defaults per preset; the scale is about a third of the organ's extent (lungs ~300 mm, brain ~170 mm). */
export function defaultNetConfig(preset: 'lung' | 'brain'): NetConfig {
  return {
    architecture: ARCHITECTURE,
    levels: [2048, 512, 128],
    poolSize: 4096,
    kFeature: 16,
    kFlow: 8,
    kCost: 16,
    width: 1,
    scaleMm: preset === 'lung' ? 100 : 60,
    ot: { blur2: 0.12, blur1: 0.06, smooth2: 0.5, smooth1: 0.4, reach: 0.5, diameter2: 4, diameter1: 0.5 },
    affineHead: true,
    levelWeights: [1, 0.7, 0.5],
  };
}

/** Checks a config read from a manifest; returns a list of problems (empty when valid). */
export function configProblems(c: Partial<NetConfig>): string[] {
  const problems: string[] = [];
  if (c.architecture !== ARCHITECTURE) problems.push(`architecture is '${String(c.architecture)}', this version of Monge builds '${ARCHITECTURE}'`);
  const lv = c.levels;
  if (!Array.isArray(lv) || lv.length !== 3 || !lv.every((v) => Number.isInteger(v) && v >= 4) || !(lv[0] >= lv[1] && lv[1] >= lv[2])) {
    problems.push('levels must be three decreasing integers ≥ 4');
  }
  const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  if (!positiveInt(c.poolSize) || (Array.isArray(lv) && (c.poolSize as number) < lv[0])) problems.push('poolSize must be an integer ≥ levels[0]');
  for (const key of ['kFeature', 'kFlow', 'kCost'] as const) {
    if (!positiveInt(c[key]) || (c[key] as number) > 64) problems.push(`${key} must be an integer in 1…64`);
  }
  if (Array.isArray(lv) && lv.length === 3) {
    if ((c.kCost ?? 0) > lv[1] || (c.kFlow ?? 0) > lv[2] || (c.kFeature ?? 0) > lv[2]) problems.push('neighbour counts must not exceed the level sizes');
  }
  if (!(typeof c.width === 'number' && c.width > 0 && c.width <= 4)) problems.push('width must be a number in (0, 4]');
  if (!(typeof c.scaleMm === 'number' && c.scaleMm > 0 && Number.isFinite(c.scaleMm))) problems.push('scaleMm must be a positive number');
  const ot = c.ot;
  const positive = (v: unknown): boolean => typeof v === 'number' && v > 0 && Number.isFinite(v);
  const otKeys = ['blur2', 'blur1', 'smooth2', 'smooth1', 'reach', 'diameter2', 'diameter1'] as const;
  if (!ot || !otKeys.every((k) => positive(ot[k]))) problems.push(`ot must give positive ${otKeys.join(', ')}`);
  const w = c.levelWeights;
  if (!Array.isArray(w) || w.length !== 3 || !w.every((v) => typeof v === 'number' && v >= 0)) problems.push('levelWeights must be three numbers ≥ 0');
  return problems;
}

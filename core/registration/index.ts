/**
 * Monge's registration pipeline (RobOT-style: pre-alignment, learned step, robust-OT fine-tuning). The single
 * entry every door uses:
 *
 *   const summary = await register({ moving, fixed, outDir, preset: 'lung' }, { onProgress, signal });
 *
 * writes the output folder described by REGISTRATION_OUTPUTS (types.ts) atomically and returns a summary. The
 * building blocks are exported for tests, benchmarks and the evaluation harness.
 */
export { register, runRegistration, effectivePreset, PIPELINE_STEPS, warpedNameFor, type RegistrationSummary, type StepSummary } from './pipeline/register.ts';
export { OutputFolderError } from './pipeline/output-folder.ts';
export { FieldGridError, MAX_FIELD_VOXELS } from './pipeline/field-grid.ts';
export { PRESETS, resolvePreset, type Preset } from './pipeline/presets.ts';
export type { PipelineStep, StepContext, StepResult } from './pipeline/step.ts';
export type { PhaseMetrics, SurfaceMetrics } from './pipeline/phase-metrics.ts';
export { prealign, type MassCloud, type PrealignOptions, type PrealignResult } from './prealign/prealign.ts';
export { fitLinear, applyLinear, composeLinear, type LinearMap, type LinearModel } from './prealign/linear-fit.ts';
export { finetune, type FinetuneOptions, type FinetuneResult, type FinetuneRound, type MatchChannel } from './finetune/finetune.ts';
export { matchClouds, type MatchModel } from './matching/match-clouds.ts';
export * from './types.ts';

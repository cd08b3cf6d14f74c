/**
 * `register()`: the whole registration job behind every door (CLI, app service, batch) — read and check the
 * inputs, build the OT clouds, run the requested steps (prealign → net → finetune, each a core/field Deformation
 * appended to the chain), measure every phase, export the result in ITK's conventions, and publish the output
 * folder (REGISTRATION_OUTPUTS) in one rename. Progress is reported per named stage; an AbortSignal cancels between
 * (and inside) stages; any failure leaves no OUTDIR behind (output-folder.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AffineDeformation } from '../../field/affine.ts';
import { ComposedDeformation } from '../../field/composed.ts';
import { writeAffineMatrixText } from '../../field/export-affine-matrix.ts';
import { writeDisplacementFieldImage } from '../../field/export-displacement-field.ts';
import { writeItkAffineTransform } from '../../field/export-itk-transform.ts';
import { GridSampler } from '../../field/grid-sampler.ts';
import { gridPointsLps } from '../../field/grid.ts';
import { jacobianDeterminantMapInTurns } from '../../field/jacobian.ts';
import { jacobianStats, type JacobianStats } from '../../field/jacobian-stats.ts';
import { identity4 } from '../../field/matrix4.ts';
import { sampleOnGrid } from '../../field/sample-on-grid.ts';
import type { Deformation, GridLps } from '../../field/types.ts';
import type { ImageLps } from '../../image/index.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { writeImage } from '../../io/images/write-image.ts';
import { writeShape } from '../../io/index.ts';
import { pointArraySuffixOf } from '../../io/point-array-formats.ts';
import { createEngine, ENGINE_NAMES, type EngineDescription } from '../../kernels/index.ts';
import type { EngineName } from '../../kernels/types.ts';
import { distanceArraysOf } from '../../metrics/distance-arrays.ts';
import { landmarkErrorsThroughField } from '../../metrics/landmark-error-through-field.ts';
import { landmarkErrors, summarizeErrors, type ErrorSummary } from '../../metrics/landmark-error.ts';
import { PointLocator } from '../../metrics/point-to-points.ts';
import { cancellationPoint, throwIfCancelled, type ProgressOptions } from '../../progress/index.ts';
import { boundsOf, selectionProblem, selectionWords, type Shape } from '../../shape/index.ts';
import { applyFieldWith, outsideFieldWarning, outsideInputWarning, type ApplyFieldResult } from '../../warp/apply-field.ts';
import { readItkField } from '../../warp/field-file.ts';
import { warpShape } from '../../warp/warp-shape.ts';
import { warpedMarkupsName } from '../warped-landmarks.ts';
import { MONGE_VERSION } from '../../runtime/index.ts';
import { FIELD_FORMATS, REGISTRATION_OUTPUTS, REQUEST_DEFAULTS, STEP_NAMES, type PresetName, type RegisterRequest, type ShapePhaseName, type StepName } from '../types.ts';
import { fieldGridOf, gridReport, type GridReport } from './field-grid.ts';
import { finetuneStep } from './finetune-step.ts';
import { fieldOfViewWarning } from './field-of-view-warning.ts';
import { foldingWarning } from './folding-warning.ts';
import { checkFixedSizeForPreset } from './preset-size.ts';
import { checkApplyInputs, checkLandmarkPairs, prepareInput, prepareLandmarks, scaleWarning, sha256Of, type PreparedInput, type PreparedLandmarks } from './inputs.ts';
import { checkNetModelDir, netStep } from './net-step.ts';
import { checkFixedSpansMoving } from './spanned-dimensions.ts';
import { openPartialFolder } from './output-folder.ts';
import { requestInputPaths } from './request-inputs.ts';
import { DistanceTarget, phaseMetrics, type PhaseMetrics } from './phase-metrics.ts';
import { prealignStep } from './prealign-step.ts';
import { fixedMomentsOf, priorDeformation } from './prior-correction.ts';
import { provenanceWords, readResidualPrior } from '../prior/index.ts';
import { resolvePreset, type Preset } from './presets.ts';
import { shapeClouds } from './shape-clouds.ts';
import { advanceClouds, type PipelineStep, type StepConfidence, type StepContext } from './step.ts';
import { timed, type StepCost } from './step-timer.ts';

/** The pluggable steps, by name (`--steps`). */
export const PIPELINE_STEPS: Readonly<Record<StepName, PipelineStep>> = { prealign: prealignStep, net: netStep, finetune: finetuneStep };

export interface StepSummary extends StepCost {
  name: StepName;
  status: 'done' | 'skipped';
  note?: string;
}

/**
 * An input file as report.json records it: its absolute path (the folder is read later from anywhere: `monge
 * train-prior`, the app's results view) and its SHA-256.
 */
function inputFile(file: { path: string; sha256: string }): { path: string; sha256: string } {
  return { path: resolve(file.path), sha256: file.sha256 };
}

/** What register() returns (the report holds everything; this is the gist, and `monge register --json` prints it). */
export interface RegistrationSummary {
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  preset: PresetName;
  steps: StepSummary[];
  metrics: { before: PhaseMetrics; after: PhaseMetrics };
  jacobian: { insideFixed: JacobianStats; region: string };
  /** The residual prior applied after the steps (`residualPrior`), if any. */
  prior?: { file: string; cases: number; seconds: number; largestCorrectionMm: number };
  warnings: string[];
  seconds: number;
}

/** Checks the request's values; a RangeError names the first bad one. */
function checkRequest(r: RegisterRequest): void {
  if (typeof r.moving !== 'string' || r.moving === '') throw new RangeError('register: the moving input is missing');
  if (typeof r.fixed !== 'string' || r.fixed === '') throw new RangeError('register: the fixed input is missing');
  if (typeof r.outDir !== 'string' || r.outDir === '') throw new RangeError('register: the output folder is missing');
  if (r.preset !== undefined && !['lung', 'brain', 'generic'].includes(r.preset)) throw new RangeError(`register: unknown preset '${r.preset}'`);
  if (r.fieldFormat !== undefined && !FIELD_FORMATS.includes(r.fieldFormat)) throw new RangeError(`register: field format must be one of ${FIELD_FORMATS.join(', ')}`);
  if (r.steps !== undefined) {
    if (r.steps.length === 0) throw new RangeError('register: no step to run');
    for (const s of r.steps) if (!STEP_NAMES.includes(s)) throw new RangeError(`register: unknown step '${s}' (steps: ${STEP_NAMES.join(', ')})`);
  }
  const positive = (v: number | undefined, what: string) => {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new RangeError(`register: ${what} must be a positive number of mm (got ${JSON.stringify(v)})`);
  };
  positive(r.fieldSpacingMm, 'the field spacing');
  const selection = selectionProblem({ label: r.label, threshold: r.threshold });
  if (selection) throw new RangeError(`register: ${selection}`);
  positive(r.blurMm, 'the blur');
  positive(r.kernelWidthMm, 'the kernel width');
  if (r.reachMm !== undefined && r.reachMm !== null) positive(r.reachMm, 'the reach');
  if (r.anisotropy !== undefined && !(Number.isFinite(r.anisotropy) && r.anisotropy >= 1)) throw new RangeError(`register: the anisotropy must be ≥ 1 (got ${r.anisotropy})`);
  if (r.seed !== undefined && !Number.isInteger(r.seed)) throw new RangeError(`register: the seed must be an integer (got ${r.seed})`);
  if (r.landmarksFrame !== undefined && r.landmarksFrame !== 'RAS' && r.landmarksFrame !== 'LPS') {
    throw new RangeError(`register: the landmarks frame must be 'RAS' or 'LPS' (got ${JSON.stringify(r.landmarksFrame)})`);
  }
  if (r.engine !== undefined && !(ENGINE_NAMES as readonly string[]).includes(r.engine)) {
    throw new RangeError(`register: unknown engine ${JSON.stringify(r.engine)} (engines: ${ENGINE_NAMES.join(', ')})`);
  }
  if (r.apply !== undefined && !(Array.isArray(r.apply) && r.apply.every((p) => typeof p === 'string' && p !== ''))) {
    throw new RangeError('register: apply must be a list of file paths');
  }
  if (r.applyPrefix !== undefined && !(typeof r.applyPrefix === 'string' && r.applyPrefix !== '')) throw new RangeError('register: applyPrefix must be a column prefix');
  if ((r.movingLandmarks === undefined) !== (r.fixedLandmarks === undefined)) {
    throw new RangeError('register: give both moving and fixed landmarks, or neither');
  }
}

/** RMS radius of a shape about its centroid (the generic preset's length unit). */
function rmsRadius(shape: Shape): number {
  const p = shape.pointsLps;
  const n = p.length / 3;
  const c = [0, 0, 0];
  for (let i = 0; i < p.length; i++) c[i % 3] += p[i] / n;
  let ss = 0;
  for (let i = 0; i < p.length; i++) ss += (p[i] - c[i % 3]) ** 2;
  return Math.sqrt(ss / n) || 1;
}

/** The preset with the request's advanced knobs applied (finest blur, reach, finest kernel width, options). */
export function effectivePreset(request: RegisterRequest, fixedShape: Shape): Preset {
  const preset = resolvePreset(request.preset ?? REQUEST_DEFAULTS.preset, rmsRadius(fixedShape));
  const rounds = preset.finetune.rounds;
  if (request.blurMm !== undefined && rounds.length > 0) {
    const k = request.blurMm / rounds[rounds.length - 1].blurMm;
    for (const r of rounds) r.blurMm *= k;
  }
  if (request.reachMm !== undefined) for (const r of rounds) r.reachMm = request.reachMm;
  if (request.kernelWidthMm !== undefined && rounds.length > 0) {
    const finest = Math.min(...rounds.flatMap((r) => r.sigmasMm));
    const k = request.kernelWidthMm / finest;
    for (const r of rounds) r.sigmasMm = r.sigmasMm.map((s) => s * k);
  }
  if (request.rotationSearch !== undefined) preset.prealign.rotationSearch = request.rotationSearch;
  if (request.diffeomorphic !== undefined) preset.finetune.diffeomorphic = request.diffeomorphic;
  if (request.anisotropy !== undefined) preset.finetune.anisotropy = request.anisotropy;
  return preset;
}

/** `warped.<ext>`: the moving file's extension when its format keeps point arrays, else `.vtk`. */
export function warpedNameFor(input: PreparedInput): string {
  const suffix = input.kind === 'image' ? undefined : pointArraySuffixOf(input.path);
  return `${REGISTRATION_OUTPUTS.warped}${suffix ?? '.vtk'}`;
}

/** The chain as one deformation (the identity affine when no step ran). */
function chainOf(pieces: Deformation[]): Deformation {
  return pieces.length === 0 ? new AffineDeformation(identity4()) : pieces.length === 1 ? pieces[0] : new ComposedDeformation(pieces);
}

function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new Error(`${what}: the result is not finite (point ${Math.floor(i / 3)}); the registration diverged`);
}

/** Confidence per vertex: that of the nearest matched point of the last step that reported confidences. */
function vertexConfidence(verticesLps: Float64Array, confidence: StepConfidence | undefined): Float32Array {
  const n = verticesLps.length / 3;
  if (!confidence || confidence.values.length === 0) return new Float32Array(n).fill(1);
  const nearest = PointLocator.build(confidence.pointsLps).query(verticesLps).pointIndex;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1, confidence.values[nearest[i]]);
  return out;
}

/** 1/det ∇φ⁻¹ (the forward map's volume change of the tissue now at each fixed voxel); folding stays ≤ 0. */
async function forwardJacobianOnFixedGrid(inverseField: ImageLps, signal: AbortSignal | undefined): Promise<ImageLps> {
  const { image } = await jacobianDeterminantMapInTurns(inverseField, { signal });
  const data = image.data as Float32Array;
  for (let i = 0; i < data.length; i++) if (data[i] > 0) data[i] = 1 / data[i];
  return image;
}

/** Where the folding statistics are taken: the fixed mask resampled onto the field grid, or the fixed shape's box. */
function fixedRegionMask(fixed: PreparedInput, grid: GridLps): { mask: ImageLps; region: string } {
  let inside: (x: number, y: number, z: number) => boolean;
  let region: string;
  if (fixed.image) {
    const sampler = new GridSampler(fixed.image);
    const v = new Float64Array(fixed.image.components);
    const ci = new Float64Array(3);
    inside = (x, y, z) => {
      sampler.nearest(x, y, z, v, 0, 'zero', ci);
      return v[0] > 0;
    };
    region = 'fixed mask';
  } else {
    const b = boundsOf(fixed.shape.pointsLps);
    inside = (x, y, z) => x >= b[0] && x <= b[1] && y >= b[2] && y <= b[3] && z >= b[4] && z <= b[5];
    region = 'fixed shape bounding box';
  }
  const n = grid.size[0] * grid.size[1] * grid.size[2];
  const data = new Uint8Array(n);
  // Voxel positions a slab at a time: all of them at once would be 24 bytes a voxel (92 MB on a 2 mm lung box).
  const slab = 65536;
  for (let start = 0; start < n; start += slab) {
    const points = gridPointsLps(grid, start, Math.min(slab, n - start));
    for (let q = 0; q < points.length / 3; q++) data[start + q] = inside(points[3 * q], points[3 * q + 1], points[3 * q + 2]) ? 1 : 0;
  }
  return { mask: { ...grid, size: [...grid.size], spacingMm: [...grid.spacingMm], originLps: [...grid.originLps], components: 1, data }, region };
}

function landmarkErrorCsv(warped: Float64Array, fixed: Float64Array, initial: Float64Array, labels: string[] | undefined): string {
  const after = landmarkErrors(warped, fixed);
  const before = landmarkErrors(initial, fixed);
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = ['index,label,error_mm,initial_error_mm'];
  for (let i = 0; i < after.length; i++) rows.push(`${i},${quote(labels?.[i] ?? String(i))},${after[i]},${before[i]}`);
  return `${rows.join('\n')}\n`;
}

function versions(engine: EngineDescription): Record<string, string | number> {
  return { monge: MONGE_VERSION, node: process.versions.node, v8: process.versions.v8, engine: engine.engine, engineBackend: engine.backend, engineThreads: engine.threads };
}

/** Runs the registration described by `request` and writes its output folder. */
export async function register(request: RegisterRequest, options: ProgressOptions = {}): Promise<RegistrationSummary> {
  return (await runRegistration(request, options)).summary;
}

/** register(), also handing back the deformation φ (moving → fixed) that the outputs were made from. */
export async function runRegistration(request: RegisterRequest, options: ProgressOptions = {}): Promise<{ summary: RegistrationSummary; deformation: Deformation }> {
  checkRequest(request);
  const started = performance.now();
  const { signal } = options;
  const report = (stage: string, fraction: number) => options.onProgress?.({ stage, fraction });
  const folder = await openPartialFolder(request.outDir, request.overwrite ?? false, requestInputPaths(request));
  let engineHandle: Awaited<ReturnType<typeof createEngine>> | undefined;
  try {
    // ---- Inputs -------------------------------------------------------------------------------------------
    report('reading inputs', 0);
    const presetName: PresetName = request.preset ?? REQUEST_DEFAULTS.preset;
    const surfacePreset = resolvePreset(presetName, 1).surface;
    const { value: inputs, cost: inputCost } = await timed(async () => {
      const selection = { label: request.label, threshold: request.threshold };
      const moving = await prepareInput(request.moving, surfacePreset, selection);
      throwIfCancelled(signal, 'reading inputs');
      report('reading inputs', 0.4);
      const fixed = await prepareInput(request.fixed, surfacePreset, selection);
      throwIfCancelled(signal, 'reading inputs');
      report('reading inputs', 0.8);
      let movingLandmarks: PreparedLandmarks | undefined;
      let fixedLandmarks: PreparedLandmarks | undefined;
      if (request.movingLandmarks !== undefined && request.fixedLandmarks !== undefined) {
        movingLandmarks = await prepareLandmarks(request.movingLandmarks, request.landmarksFrame, request.movingLandmarksPrefix);
        fixedLandmarks = await prepareLandmarks(request.fixedLandmarks, request.landmarksFrame, request.fixedLandmarksPrefix);
        checkLandmarkPairs(movingLandmarks, fixedLandmarks);
      }
      const applied = await checkApplyInputs(request.apply ?? REQUEST_DEFAULTS.apply, request.landmarksFrame, request.applyPrefix);
      if (request.netModelDir !== undefined) await checkNetModelDir(request.netModelDir);
      const prior =
        request.residualPrior !== undefined ? { model: await readResidualPrior(request.residualPrior), path: request.residualPrior, sha256: await sha256Of(request.residualPrior) } : undefined;
      return { moving, fixed, movingLandmarks, fixedLandmarks, prior, applied };
    });
    const { moving, fixed, movingLandmarks, fixedLandmarks, prior, applied } = inputs;
    // What reading the inputs warned of (a NIfTI whose sform and qform disagree) comes first.
    const warnings: string[] = [...moving.warnings, ...fixed.warnings];
    checkFixedSpansMoving(moving, fixed);
    const scale = scaleWarning(moving, fixed, presetName);
    if (scale) warnings.push(scale);
    const size = checkFixedSizeForPreset(fixed, presetName);
    if (size) warnings.push(size);
    // A label or threshold chooses voxels; given two meshes or point sets it chooses nothing, and the user should know.
    if ((request.label !== undefined || request.threshold !== undefined) && moving.kind !== 'image' && fixed.kind !== 'image') {
      warnings.push(`the ${selectionWords({ label: request.label, threshold: request.threshold })} selection was ignored: neither input is a volume (it applies to masks, label maps and images)`);
    }
    for (const [input, role] of [[moving, 'moving'], [fixed, 'fixed']] as const) {
      const cut = fieldOfViewWarning(input, role);
      if (cut) warnings.push(cut);
    }
    const preset = effectivePreset({ ...request, preset: presetName }, fixed.shape);
    const seed = request.seed ?? REQUEST_DEFAULTS.seed;
    // The field grid is decided now: one too large to sample is refused before the pipeline runs, not after it.
    const fg = fieldGridOf(fixed, request.fieldSpacingMm, preset.fieldSpacing, preset.fieldMargin);
    if (fg.note) warnings.push(fg.note);
    const inverseGrid = request.inverseField ? fieldGridOf(moving, request.fieldSpacingMm, preset.fieldSpacing, preset.fieldMargin, 'moving') : undefined;
    if (inverseGrid?.note) warnings.push(inverseGrid.note);

    engineHandle = await createEngine((request.engine ?? REQUEST_DEFAULTS.engine) as EngineName | 'auto');
    const engine = engineHandle.engine;

    // ---- Clouds and the "before" phase ---------------------------------------------------------------------
    report('preparing clouds', 0);
    const cloudStart = performance.now();
    const movingClouds = shapeClouds(moving, preset.clouds);
    const fixedClouds = shapeClouds(fixed, preset.clouds);
    const cloudSeconds = (performance.now() - cloudStart) / 1000;
    // The frame a residual prior is learned and applied in (reported for `monge train-prior`).
    const fixedMoments = fixedMomentsOf(fixedClouds);
    const fixedTarget = DistanceTarget.of(fixed.shape);
    // The moving mesh is measured after every step with its vertices moved: its search tree is refitted, not rebuilt.
    const movingTarget = DistanceTarget.of(moving.shape);
    const measure = async (deformation: Deformation | undefined): Promise<{ warped: Shape; metrics: PhaseMetrics; landmarks?: Float64Array }> => {
      const warped = deformation ? await warpShape(moving.shape, deformation) : moving.shape;
      assertFinite(warped.pointsLps, 'warped shape');
      let landmarks: Float64Array | undefined;
      if (movingLandmarks) {
        landmarks = movingLandmarks.shape.pointsLps;
        if (deformation) {
          const u = await deformation.evaluate(landmarks);
          landmarks = landmarks.map((v, i) => v + u[i]);
          assertFinite(landmarks, 'warped landmarks');
        }
      }
      const warpedTarget = deformation ? movingTarget.moved(warped.pointsLps) : movingTarget;
      const metrics = phaseMetrics({ warpedShape: warped, fixedShape: fixed.shape, fixedTarget, warpedTarget, warpedLandmarksLps: landmarks, fixedLandmarksLps: fixedLandmarks?.shape.pointsLps });
      return { warped, metrics, landmarks };
    };
    const beforeStart = performance.now();
    const before = await measure(undefined);
    const beforeSeconds = (performance.now() - beforeStart) / 1000;
    const phases: Record<string, PhaseMetrics> = { before: before.metrics };

    // ---- Steps --------------------------------------------------------------------------------------------
    const requested = new Set<StepName>(request.steps ?? REQUEST_DEFAULTS.steps);
    const chain: Deformation[] = [];
    const stepSummaries: StepSummary[] = [];
    const stepDetails: Record<string, unknown>[] = [];
    const stepShapes: { name: ShapePhaseName; shape: Shape }[] = [];
    let context: StepContext = { engine, preset, seed, moving: movingClouds, fixed: fixedClouds, signal, onProgress: options.onProgress, netModelDir: request.netModelDir };
    let lastConfidence: { confidence: StepConfidence; verticesLps: Float64Array } | undefined;
    let verticesNow = moving.shape.pointsLps;
    // The warped vertices right after the chain's linear step (chain[0]), when it has one.
    let linearVertices: Float64Array | undefined;
    for (const name of STEP_NAMES) {
      if (!requested.has(name)) continue;
      throwIfCancelled(signal, name);
      const step = PIPELINE_STEPS[name];
      const note = await step.unavailable(context);
      if (note !== undefined) {
        stepSummaries.push({ name, status: 'skipped', note, seconds: 0, peakMemoryMb: 0, memoryDeltaMb: 0 });
        stepDetails.push({ name, status: 'skipped', note });
        continue;
      }
      report(name, 0);
      const { value: result, cost } = await timed(() => step.run(context));
      if (result.fromLinear && linearVertices) {
        chain.splice(1);
        verticesNow = linearVertices;
      }
      chain.push(result.deformation);
      const deformation = chainOf(chain);
      const measureStart = performance.now();
      const phase = await measure(deformation);
      const measureSeconds = (performance.now() - measureStart) / 1000;
      phases[name] = phase.metrics;
      stepShapes.push({ name, shape: phase.warped });
      if (result.confidence) lastConfidence = { confidence: result.confidence, verticesLps: verticesNow };
      verticesNow = phase.warped.pointsLps;
      const start = result.fromLinear && context.afterLinear ? context.afterLinear.moving : context.moving;
      context = { ...context, moving: await advanceClouds(start, result.deformation) };
      if (result.deformation instanceof AffineDeformation && chain.length === 1) {
        linearVertices = verticesNow;
        context = { ...context, afterLinear: { moving: context.moving } };
      } else if (context.afterLinear) {
        context = { ...context, afterLinear: { moving: context.afterLinear.moving, since: chainOf(chain.slice(1)) } };
      }
      stepSummaries.push({ name, status: 'done', ...cost });
      stepDetails.push({ name, status: 'done', ...cost, metricsSeconds: measureSeconds, details: result.details, metrics: phase.metrics });
      report(name, 1);
    }
    let priorSummary: RegistrationSummary['prior'];
    if (prior?.model.learnedWith) {
      const now = { preset: presetName, steps: stepSummaries.filter((s) => s.status === 'done').map((s) => s.name) };
      const then = prior.model.learnedWith;
      if (provenanceWords(now) !== provenanceWords(then)) {
        warnings.push(`the residual prior was learned from runs with ${provenanceWords(then)}; this run has ${provenanceWords(now)}, so its correction may not fit`);
      }
    }
    if (prior) {
      // The cohort's systematic error, corrected after the steps (prior-correction.ts).
      throwIfCancelled(signal, 'prior');
      report('prior', 0);
      const { value: correction, cost } = await timed(async () => priorDeformation(prior.model, fixedClouds, fixedMoments, preset));
      chain.push(correction.deformation);
      const phase = await measure(chainOf(chain));
      phases.prior = phase.metrics;
      stepShapes.push({ name: 'prior', shape: phase.warped });
      stepDetails.push({ name: 'prior', status: 'done', ...cost, file: prior.path, details: correction.details, metrics: phase.metrics });
      priorSummary = { file: prior.path, cases: prior.model.cases.length, seconds: cost.seconds, largestCorrectionMm: correction.largestCorrectionMm };
      report('prior', 1);
    }
    const deformation = chainOf(chain);

    // ---- Outputs ------------------------------------------------------------------------------------------
    throwIfCancelled(signal, 'writing outputs');
    const dir = folder.partial;
    const files: string[] = [];
    // `out` is for writing a file: it lists the file in the summary's `files`. Reading one back goes through `at`,
    // which lists nothing (hashing landmarks_warped.csv through `out` listed it twice).
    const at = (name: string) => join(dir, name);
    const out = (name: string) => {
      files.push(name);
      return at(name);
    };
    const outputParts: Record<string, number> = {};
    let partStart = performance.now();
    // Each part ends at a cancellation point: the outputs take seconds, and a Ctrl-C should not wait for all of them.
    const part = async (name: string): Promise<void> => {
      const now = performance.now();
      outputParts[name] = (now - partStart) / 1000;
      await cancellationPoint(signal, 'writing outputs');
      partStart = performance.now();
    };
    const { value: exported, cost: outputCost } = await timed(async () => {
      report('writing outputs', 0);
      const final = stepShapes.length > 0 ? stepShapes[stepShapes.length - 1].shape : moving.shape;
      const warped: Shape = stepShapes.length > 0 ? final : await warpShape(moving.shape, deformation);
      const confidence = vertexConfidence(lastConfidence?.verticesLps ?? moving.shape.pointsLps, lastConfidence?.confidence);
      // Slicer's ModelToModelDistance arrays: each warped vertex's distance to the fixed shape, signed towards a surface.
      const toFixed = fixedTarget.measure(warped.pointsLps);
      const distances = distanceArraysOf(toFixed.distanceMm, toFixed.signedMm);
      const replaced = new Set(['confidence', ...distances.map((a) => a.name)]);
      warped.arrays = [...warped.arrays.filter((a) => !replaced.has(a.name)), { name: 'confidence', components: 1, values: confidence }, ...distances];
      await writeShape(out(warpedNameFor(moving)), warped);
      if (moving.kind === 'image') await writeShape(out(REGISTRATION_OUTPUTS.movingSurface), moving.shape);
      if (fixed.kind === 'image') await writeShape(out(REGISTRATION_OUTPUTS.fixedSurface), fixed.shape);
      if (stepShapes.length > 0) {
        await mkdir(join(dir, REGISTRATION_OUTPUTS.stepsDir));
        for (const s of stepShapes) await writeShape(out(`${REGISTRATION_OUTPUTS.stepsDir}/${s.name}.vtk`), s.shape);
      }
      const affine = chain[0] instanceof AffineDeformation ? chain[0] : new AffineDeformation(identity4());
      await writeItkAffineTransform(out(REGISTRATION_OUTPUTS.transform), affine);
      await writeAffineMatrixText(out(REGISTRATION_OUTPUTS.affineMatrix), affine);
      await part('shapes and transform');
      report('writing outputs', 0.2);

      // Displacement field (ITK convention: T = φ⁻¹ − id on the fixed grid) and the Jacobian from it.
      const fieldFormat = request.fieldFormat ?? REQUEST_DEFAULTS.fieldFormat;
      const sampled = await sampleOnGrid(deformation, fg.grid, {
        direction: 'inverse',
        toleranceMm: 0.01,
        maxIterations: 40,
        signal,
        onProgress: (r) => report('displacement field', r.fraction),
      });
      assertFinite(sampled.image.data, 'displacement field');
      await part('field sampling');
      // The field is written (and gzipped) off this thread while the Jacobian map is computed here; that computation
      // gives the event loop turns, so the write gets going at once. The map is written after the field.
      const fieldWritten = writeDisplacementFieldImage(out(`${REGISTRATION_OUTPUTS.field}.${fieldFormat}`), sampled.image).then(
        () => undefined,
        (e: unknown) => e,
      );
      let jacobian: ImageLps;
      let region: string;
      let insideFixed: JacobianStats;
      let allVoxels: JacobianStats;
      try {
        jacobian = await forwardJacobianOnFixedGrid(sampled.image, signal);
        const fixedRegion = fixedRegionMask(fixed, fg.grid);
        let regionVoxels = 0;
        for (let q = 0; q < fixedRegion.mask.data.length; q++) if (fixedRegion.mask.data[q]) regionVoxels++;
        // A grid too coarse to put a voxel centre inside the region (--field-spacing 70 on a small mask): the
        // statistics are over every voxel, and the report says so rather than naming a region they do not cover.
        region = regionVoxels > 0 ? fixedRegion.region : `whole field grid (none of its voxel centres, ${fg.grid.spacingMm.map((s) => +s.toFixed(2)).join(' × ')} mm apart, lies in the ${fixedRegion.region})`;
        insideFixed = regionVoxels > 0 ? jacobianStats(jacobian, fixedRegion.mask) : jacobianStats(jacobian);
        allVoxels = jacobianStats(jacobian);
      } catch (e) {
        await fieldWritten; // nothing may still be writing into the folder that the failure removes
        throw e;
      }
      const writeError = await fieldWritten;
      if (writeError !== undefined) throw writeError;
      await part('field writing, with the jacobian computed meanwhile');
      report('writing outputs', 0.7);
      await writeImage(out(REGISTRATION_OUTPUTS.jacobian), jacobian, { niftiGzip: 'fast' });
      await part('jacobian writing');

      // Other files of the patient, through the field just written, read back once (as `monge warp` reads it).
      const appliedFiles: ApplyFieldResult[] = [];
      if (applied.length > 0) {
        await mkdir(join(dir, REGISTRATION_OUTPUTS.appliedDir));
        const fieldFile = `${REGISTRATION_OUTPUTS.field}.${fieldFormat}`;
        const loaded = await readItkField(join(dir, fieldFile));
        for (const [k, { input, kind, name }] of applied.entries()) {
          report('applying to other files', k / applied.length);
          const output = `${REGISTRATION_OUTPUTS.appliedDir}/${name}`;
          // Point files are read in the landmarks' frame where they declare none, as `monge warp --landmarks-frame` reads them.
          const applyRequest = {
            input,
            field: fieldFile,
            output: out(output),
            ...(request.landmarksFrame ? { assumeFrame: request.landmarksFrame } : {}),
            ...(request.applyPrefix !== undefined ? { prefix: request.applyPrefix } : {}),
          };
          const result = await applyFieldWith(applyRequest, kind, loaded, { signal });
          appliedFiles.push({ ...result, output, field: fieldFile });
          warnings.push(...result.warnings);
          for (const warning of [outsideFieldWarning(result), outsideInputWarning(result)]) if (warning) warnings.push(`${output}: ${warning}`);
        }
        await part('applied files');
      }

      // The inverse field: φ − id on the moving grid, evaluated directly (φ is the deformation's forward direction).
      let inverseField: { file: string; convention: string; grid: GridReport } | undefined;
      if (inverseGrid) {
        report('inverse field', 0);
        const forward = await sampleOnGrid(deformation, inverseGrid.grid, { direction: 'forward', signal, onProgress: (r) => report('inverse field', r.fraction) });
        assertFinite(forward.image.data, 'inverse field');
        const file = `${REGISTRATION_OUTPUTS.inverseField}.${fieldFormat}`;
        await writeDisplacementFieldImage(out(file), forward.image, { inverse: true });
        inverseField = { file, convention: 'ITK resampling of the inverse: moving-space point + vector = fixed-space point, LPS mm', grid: gridReport(inverseGrid) };
        await part('inverse field');
      }

      // Landmarks.
      let landmarkReport: { warped: string; warpedSha256: string; warpedMarkups?: string; errors: string; errorThroughField: ErrorSummary & { definition: string; outsideField: number } } | undefined;
      if (movingLandmarks && fixedLandmarks) {
        const u = await deformation.evaluate(movingLandmarks.shape.pointsLps);
        const warpedLm = movingLandmarks.shape.pointsLps.map((v, i) => v + u[i]);
        const warpedShape = { ...movingLandmarks.shape, pointsLps: warpedLm };
        const source = { path: movingLandmarks.path, prefix: movingLandmarks.prefix };
        await writeShape(out(REGISTRATION_OUTPUTS.landmarksWarped), warpedShape, { source });
        // Slicer markups in, Slicer markups out too (the CSV keeps no ids): the input file rewritten with the warped positions.
        const markups = warpedMarkupsName(movingLandmarks.path);
        if (markups !== undefined) await writeShape(out(markups), warpedShape, { source });
        await writeFileAtomic(out(REGISTRATION_OUTPUTS.landmarksError), landmarkErrorCsv(warpedLm, fixedLandmarks.shape.pointsLps, movingLandmarks.shape.pointsLps, movingLandmarks.shape.labels));
        // The other convention, that of Learn2Reg and most DIR-Lab tables: the fixed landmarks through the exported field.
        const throughField = summarizeErrors(landmarkErrorsThroughField(sampled.image, fixedLandmarks.shape.pointsLps, movingLandmarks.shape.pointsLps));
        // T is 0 beyond the grid (ITK's rule): such landmarks are measured as if nothing moved there, and the user is told.
        const outsideField = new GridSampler(sampled.image).countOutside(fixedLandmarks.shape.pointsLps);
        if (outsideField > 0) {
          warnings.push(
            `${outsideField} of ${fixedLandmarks.shape.pointsLps.length / 3} fixed landmarks lie outside the field's grid, where it is 0 (ITK's rule): the landmark error through the field (report.json landmarks.errorThroughField) counts no motion for them; landmarks_error.csv is not affected`,
          );
        }
        landmarkReport = {
          warped: REGISTRATION_OUTPUTS.landmarksWarped,
          // What `monge train-prior` learns from: an edit that keeps the file's shape (rows reordered) is caught by it.
          warpedSha256: await sha256Of(at(REGISTRATION_OUTPUTS.landmarksWarped)),
          ...(markups !== undefined ? { warpedMarkups: markups } : {}),
          errors: REGISTRATION_OUTPUTS.landmarksError,
          errorThroughField: { definition: '|y + T(y) − x|: fixed landmark y through the exported field T, against moving landmark x (mm, moving frame)', outsideField, ...throughField },
        };
      }
      await part('landmarks');
      return {
        field: {
          file: `${REGISTRATION_OUTPUTS.field}.${fieldFormat}`,
          convention: 'ITK resampling: fixed-space point + vector = moving-space point, LPS mm',
          grid: gridReport(fg),
          inversion: { maxResidualMm: sampled.maxResidualMm, meanResidualMm: sampled.meanResidualMm, unconvergedVoxels: sampled.unconverged },
          samplingThreads: sampled.threads,
        },
        jacobian: { file: REGISTRATION_OUTPUTS.jacobian, definition: '1/det(∇φ⁻¹) on the fixed grid (det ∇φ at the moving point mapped there); ≤ 0 = folding', region, insideFixed, allVoxels },
        landmarkReport,
        inverseField,
        appliedFiles,
      };
    });

    const finetuneRan = stepSummaries.some((s) => s.name === 'finetune' && s.status === 'done');
    const folding = foldingWarning(exported.jacobian.insideFixed, exported.jacobian.region, !finetuneRan ? 'not run' : preset.finetune.diffeomorphic ? 'diffeomorphic' : 'displacement');
    if (folding) warnings.push(folding);
    const seconds = (performance.now() - started) / 1000;
    const after = phases.prior ?? phases[stepSummaries.filter((s) => s.status === 'done').at(-1)?.name ?? 'before'];
    const reportJson = {
      version: MONGE_VERSION,
      versions: versions(engineHandle.description),
      engine: engineHandle.description,
      settings: {
        preset: presetName,
        // In the order they ran (the pipeline's), whatever order --steps named them in.
        steps: STEP_NAMES.filter((s) => requested.has(s)),
        seed,
        landmarksFrame: request.landmarksFrame ?? null,
        fieldFormat: request.fieldFormat ?? REQUEST_DEFAULTS.fieldFormat,
        fieldSpacingMm: request.fieldSpacingMm ?? null,
        volumeSelection: selectionWords({ label: request.label, threshold: request.threshold }),
        overrides: {
          blurMm: request.blurMm ?? null,
          reachMm: request.reachMm ?? null,
          kernelWidthMm: request.kernelWidthMm ?? null,
          anisotropy: request.anisotropy ?? null,
          diffeomorphic: request.diffeomorphic ?? null,
          rotationSearch: request.rotationSearch ?? null,
        },
        residualPrior: request.residualPrior ?? null,
        resolvedPreset: preset,
      },
      inputs: {
        moving: { ...inputFile(moving), kind: moving.kind, points: moving.shape.pointsLps.length / 3 },
        fixed: { ...inputFile(fixed), kind: fixed.kind, points: fixed.shape.pointsLps.length / 3 },
        ...(movingLandmarks ? { movingLandmarks: { ...inputFile(movingLandmarks), prefix: movingLandmarks.prefix ?? null, count: movingLandmarks.shape.pointsLps.length / 3 } } : {}),
        ...(fixedLandmarks ? { fixedLandmarks: { ...inputFile(fixedLandmarks), prefix: fixedLandmarks.prefix ?? null, count: fixedLandmarks.shape.pointsLps.length / 3 } } : {}),
        ...(prior ? { residualPrior: { ...inputFile(prior), cases: prior.model.cases.length } } : {}),
        clouds: {
          moving: { surface: movingClouds.surface.mass.length, interior: movingClouds.interior?.mass.length ?? 0 },
          fixed: { surface: fixedClouds.surface.mass.length, interior: fixedClouds.interior?.mass.length ?? 0 },
        },
        fixedMomentsLps: fixedMoments,
      },
      timing: { readingInputs: inputCost, clouds: cloudSeconds, beforeMetrics: beforeSeconds, outputs: { ...outputCost, parts: outputParts }, totalSeconds: seconds },
      steps: stepDetails,
      metrics: { ...phases, after },
      field: exported.field,
      jacobian: exported.jacobian,
      ...(exported.landmarkReport ? { landmarks: exported.landmarkReport } : {}),
      ...(exported.inverseField ? { inverseField: exported.inverseField } : {}),
      ...(exported.appliedFiles.length > 0 ? { applied: exported.appliedFiles } : {}),
      warnings,
    };
    files.push(REGISTRATION_OUTPUTS.report);
    await writeFile(join(dir, REGISTRATION_OUTPUTS.report), `${JSON.stringify(reportJson, null, 2)}\n`);
    throwIfCancelled(signal, 'writing outputs');
    await folder.commit();
    report('done', 1);
    const summary: RegistrationSummary = {
      outDir: folder.outDir,
      files,
      preset: presetName,
      steps: stepSummaries,
      metrics: { before: phases.before, after },
      jacobian: { insideFixed: exported.jacobian.insideFixed, region: exported.jacobian.region },
      ...(priorSummary ? { prior: priorSummary } : {}),
      warnings,
      seconds,
    };
    return { summary, deformation };
  } catch (e) {
    await folder.abort();
    throw e;
  } finally {
    await engineHandle?.engine.dispose();
  }
}

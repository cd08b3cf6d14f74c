/**
 * The register form: the Parameters and Advanced panels (steps, preset, engine, knobs, fine-tuning form) and the
 * opened inputs as the RegisterJobRequest the host runs, or the problem that stops it before any work.
 */
import type { OpenOptions, RegisterJobRequest } from '../../../main/service/api.ts';
import { byId } from './dom.ts';
import type { OpenedInputs } from './input-files.ts';

/** Advanced › Fine-tuning as the request's `diffeomorphic` (absent: the preset's own choice). */
export function finetuneForm(value: string): Pick<RegisterJobRequest, 'diffeomorphic'> {
  return value === 'diffeomorphic' ? { diffeomorphic: true } : value === 'displacement' ? { diffeomorphic: false } : {};
}

/** A number field's value: undefined when blank or not a finite number (the host's default then applies). */
export function knobNumber(id: string): number | undefined {
  const v = byId<HTMLInputElement>(id).value.trim();
  return v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);
}

/** As `--label`: a label map's value is a whole number ≥ 0 (1.5 or −1 would select nothing). */
export const isLabelValue = (v: number): boolean => Number.isInteger(v) && v >= 0;

/**
 * Advanced › Label / Threshold, as the registration will select the voxels of volume inputs: the surface shown on
 * opening is that selection's, not the whole mask's (a label map's every structure, a grey image's none).
 */
export function volumeSelection(): { label?: number; threshold?: number } | undefined {
  const label = knobNumber('knob-label');
  const threshold = knobNumber('knob-threshold');
  if (label !== undefined && !isLabelValue(label)) return undefined;
  if (label === undefined && threshold === undefined) return undefined;
  return { ...(label !== undefined ? { label } : {}), ...(threshold !== undefined ? { threshold } : {}) };
}

/** The registration the panels describe, or what stops it (a message for the user); undefined without both shapes. */
export function registerRequest(inputs: OpenedInputs): RegisterJobRequest | { problem: string } | undefined {
  const moving = inputs.files.moving;
  const fixed = inputs.files.fixed;
  if (!moving || !fixed) return undefined;
  const steps = (['prealign', 'net', 'finetune'] as const).filter((s) => byId<HTMLInputElement>(`step-${s}`).checked);
  const outDir = byId<HTMLInputElement>('knob-outdir').value.trim();
  const blurMm = knobNumber('knob-blur');
  const reachMm = knobNumber('knob-reach');
  const kernelWidthMm = knobNumber('knob-kernel');
  const fieldSpacingMm = knobNumber('knob-field-spacing');
  const label = knobNumber('knob-label');
  const threshold = knobNumber('knob-threshold');
  // Refused at once: such a label selects nothing, found only after minutes of work.
  if (label !== undefined && !isLabelValue(label)) return { problem: `Label ${label} is not a label value: give a whole number ≥ 0 (Advanced › Label).` };
  const lmMoving = inputs.files['moving-landmarks'];
  const lmFixed = inputs.files['fixed-landmarks'];
  // Landmarks are read as they were opened and drawn: the same CSV column prefix, and the frame chosen then (not the
  // selector's value now). The request has one frame for both files, so two files opened in different frames would
  // be registered in a frame other than one of them was drawn in: refused.
  const movingOptions = inputs.landmarkOptions['moving-landmarks'] ?? {};
  const fixedOptions = inputs.landmarkOptions['fixed-landmarks'] ?? {};
  if (lmMoving && lmFixed && movingOptions.assumeFrame !== fixedOptions.assumeFrame) {
    const words = (f: OpenOptions['assumeFrame']): string => f ?? 'the format’s default';
    return {
      problem: `The moving landmarks were opened in ${words(movingOptions.assumeFrame)} and the fixed ones in ${words(fixedOptions.assumeFrame)}: choose one frame (Landmarks › Frame), then open both landmark files again.`,
    };
  }
  const frame = movingOptions.assumeFrame ?? fixedOptions.assumeFrame;
  return {
    moving: moving.path,
    fixed: fixed.path,
    ...(lmMoving && lmFixed
      ? {
          movingLandmarks: lmMoving.path,
          fixedLandmarks: lmFixed.path,
          ...(movingOptions.prefix ? { movingLandmarksPrefix: movingOptions.prefix } : {}),
          ...(fixedOptions.prefix ? { fixedLandmarksPrefix: fixedOptions.prefix } : {}),
        }
      : {}),
    ...(frame ? { landmarksFrame: frame } : {}),
    preset: byId<HTMLSelectElement>('preset').value as RegisterJobRequest['preset'],
    steps,
    engine: byId<HTMLSelectElement>('knob-engine').value,
    fieldFormat: byId<HTMLSelectElement>('knob-field-format').value as RegisterJobRequest['fieldFormat'],
    ...(blurMm !== undefined ? { blurMm } : {}),
    ...(reachMm !== undefined ? { reachMm } : {}),
    ...(kernelWidthMm !== undefined ? { kernelWidthMm } : {}),
    ...(fieldSpacingMm !== undefined ? { fieldSpacingMm } : {}),
    ...(byId<HTMLInputElement>('knob-inverse-field').checked ? { inverseField: true } : {}),
    ...finetuneForm(byId<HTMLSelectElement>('knob-finetune-form').value),
    ...(byId<HTMLInputElement>('knob-rotation-search').checked ? { rotationSearch: true } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(inputs.prior ? { residualPrior: inputs.prior.path } : {}),
    ...(outDir ? { outDir } : {}),
  };
}

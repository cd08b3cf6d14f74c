/**
 * The scene: the 3D view and the slice views showing what is open (the results on show, else the opened inputs),
 * the layers' opacity, Colour by with its legend, and the results' step chosen under Step.
 */
import type { DisplayShape, OpenedFile, ResultsPayload } from '../../../main/service/api.ts';
import { drawLegend } from '../legend.ts';
import { SliceViews, type SliceSet } from '../slice-views.ts';
import { type ColorBy, type SceneContent, View3D } from '../view3d.ts';
import { byId } from './dom.ts';
import { type Role, shapeOf } from './input-files.ts';

/** What the scene shows: the opened inputs, and the results on show (which take their place). */
export interface SceneSource {
  inputs: Partial<Record<Role, OpenedFile>>;
  results: ResultsPayload | undefined;
}

export class Scene {
  readonly view: View3D;
  readonly slices: SliceViews;

  constructor(private readonly source: () => SceneSource) {
    this.view = new View3D(byId('view3d'));
    this.slices = new SliceViews(byId('slices'), {
      axial: byId<HTMLCanvasElement>('slice-axial'),
      coronal: byId<HTMLCanvasElement>('slice-coronal'),
      sagittal: byId<HTMLCanvasElement>('slice-sagittal'),
    });
  }

  /** Sets a layer's opacity, and its slider to match. */
  setOpacity(layer: 'moving' | 'fixed' | 'warped', value: number): void {
    byId<HTMLInputElement>(`opacity-${layer}`).value = String(value);
    this.view.setLayerOpacity(layer, value);
  }

  /** The results' shape at the step chosen under Step (the final warped shape by default). */
  private selectedStepShape(results: ResultsPayload | undefined): DisplayShape | undefined {
    if (!results) return undefined;
    const step = byId<HTMLSelectElement>('step-select').value;
    return results.steps.find((s) => s.step === step)?.shape ?? results.warped;
  }

  /** Shows what is open now (results before inputs); `resetCamera` frames it anew. */
  refresh(resetCamera: boolean): void {
    const { inputs, results: r } = this.source();
    const content: SceneContent = {
      moving: r?.moving ?? shapeOf(inputs.moving),
      fixed: r?.fixed ?? shapeOf(inputs.fixed),
      warped: this.selectedStepShape(r),
      landmarks: {
        moving: r?.landmarks.moving ?? shapeOf(inputs['moving-landmarks']),
        fixed: r?.landmarks.fixed ?? shapeOf(inputs['fixed-landmarks']),
        warped: r?.landmarks.warped,
      },
    };
    const empty = !content.moving && !content.fixed && !content.warped && !content.landmarks.moving && !content.landmarks.fixed;
    byId('view-placeholder').hidden = !empty;
    this.view.setContent(content, resetCamera);
    const beforeAfter = byId<HTMLInputElement>('before-after');
    beforeAfter.disabled = !this.view.canBlend();
    const available = new Set<string>(this.view.availableColors());
    for (const option of byId<HTMLSelectElement>('color-by').options) option.disabled = option.value !== 'none' && !available.has(option.value);
    this.applyColor();
    this.refreshSlices(inputs, r);
  }

  /** Colours the shapes by what Colour by names, and draws its legend. */
  applyColor(): void {
    const scale = this.view.setColorBy(byId<HTMLSelectElement>('color-by').value as ColorBy);
    const legend = byId<HTMLCanvasElement>('legend');
    drawLegend(legend, scale);
    // The legend's strip (10 px either side of it, app.css) is kept free of the scene.
    this.view.setRightInset(legend.hidden ? 0 : legend.width + 20);
  }

  private refreshSlices(inputs: SceneSource['inputs'], r: ResultsPayload | undefined): void {
    const blend = byId<HTMLInputElement>('slice-blend');
    let set: SliceSet | undefined;
    if (r?.slices) {
      const contours = [
        ...(r.fixed ? [{ shape: r.fixed, color: '#4db3f2' }] : []),
        ...(this.selectedStepShape(r) ? [{ shape: this.selectedStepShape(r) as DisplayShape, color: '#7fe066' }] : []),
      ];
      set = { base: r.slices.fixed, baseRange: rangeOfSlices(r.slices.fixed), overlay: r.slices.moving, overlayRange: rangeOfSlices(r.slices.moving), contours };
    } else {
      const volume = [inputs.fixed, inputs.moving].find((f) => f?.kind === 'image');
      if (volume?.kind === 'image') {
        const contours = [
          ...(shapeOf(inputs.moving) ? [{ shape: shapeOf(inputs.moving) as DisplayShape, color: '#f29a33' }] : []),
          ...(shapeOf(inputs.fixed) ? [{ shape: shapeOf(inputs.fixed) as DisplayShape, color: '#4db3f2' }] : []),
        ];
        set = { base: volume.volume.slices, baseRange: volume.volume.valueRange, contours };
      }
    }
    this.slices.show(set);
    blend.disabled = !this.slices.hasOverlay;
  }
}

/** The values' range across slices, for their grey scale ([0, 1] when they are flat or empty). */
function rangeOfSlices(slices: { values: Float32Array }[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of slices) {
    for (const v of s.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Number.isFinite(lo) && hi > lo ? [lo, hi] : [0, 1];
}

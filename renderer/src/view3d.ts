/**
 * The 3D view (vtk.js): moving, fixed and warped shapes overlaid, each with its own visibility and opacity; the
 * warped (or, before registration, the moving) shape coloured by a per-point array through the shared colour
 * scale; subsampled displacement glyphs; landmarks and the error lines between corresponding ones.
 *
 * Split mode shows "before" (moving + fixed) and "after" (warped + fixed) side by side in two renderers of one
 * render window that share ONE camera, so rotating either rotates both (linked cameras). Each layer has one
 * actor per renderer over a shared mapper. Rendering happens on demand (no animation loop): software WebGL costs
 * ~0.1 s a frame.
 *
 * Coordinates are LPS mm as they come; the default camera looks at the patient from the front (anterior, −y)
 * with superior (+z) up.
 */
import '@kitware/vtk.js/Rendering/Profiles/Geometry.js';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor.js';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper.js';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer.js';
import vtkGenericRenderWindow from '@kitware/vtk.js/Rendering/Misc/GenericRenderWindow.js';
import { vertexNormals } from '../../core/shape/normals.ts';
import type { Bounds6, DisplayShape } from '../../main/service/api.ts';
import { colorAt, type Rgb, type ScaleSpec, scaleFor } from './color-scale.ts';
import { cellArray, magnitudes } from './view3d-math.ts';
import type { VtkActor, VtkColorTransferFunction, VtkGenericRenderWindow, VtkMapper, VtkPolyData, VtkRenderer } from './vtk-types.ts';

export type SurfaceLayer = 'moving' | 'fixed' | 'warped';
export type ColorBy = 'none' | 'displacement' | 'confidence' | 'surface_distance';

export const LAYER_COLORS: Record<SurfaceLayer, Rgb> = {
  moving: [0.95, 0.6, 0.2],
  fixed: [0.3, 0.7, 0.95],
  warped: [0.5, 0.88, 0.4],
};

/** What the view shows. `after` is the shape of the selected step; `before` the moving shape it started from. */
export interface SceneContent {
  moving?: DisplayShape;
  fixed?: DisplayShape;
  warped?: DisplayShape;
  landmarks: { moving?: DisplayShape; fixed?: DisplayShape; warped?: DisplayShape };
}


/** One drawable thing: a polydata, a mapper, and an actor in each renderer. */
class Layer {
  readonly polydata = vtkPolyData.newInstance() as unknown as VtkPolyData;
  readonly mapper = vtkMapper.newInstance() as unknown as VtkMapper;
  readonly actors: [VtkActor, VtkActor] = [vtkActor.newInstance() as unknown as VtkActor, vtkActor.newInstance() as unknown as VtkActor];
  visible = true;
  hasData = false;
  /** Triangles (flat indices) when the layer is a surface: its vertex normals follow moved points. */
  private triangles: Uint32Array | undefined;

  constructor(color: Rgb, opacity: number, style: { pointSize?: number; lineWidth?: number } = {}) {
    this.mapper.setInputData(this.polydata);
    this.mapper.setScalarVisibility(false);
    for (const actor of this.actors) {
      actor.setMapper(this.mapper);
      const p = actor.getProperty();
      p.setColor(color[0], color[1], color[2]);
      p.setOpacity(opacity);
      if (style.pointSize) p.setPointSize(style.pointSize);
      if (style.lineWidth) p.setLineWidth(style.lineWidth);
      // Points and lines have no surface normals: unlit, they keep their colour from every side.
      if (style.pointSize || style.lineWidth) p.setLighting(false);
      p.setSpecular(0.15);
      p.setSpecularPower(20);
    }
  }

  /**
   * Replaces the geometry (undefined: nothing). Surfaces get smooth shading from area-weighted vertex normals
   * (core/shape/normals.ts); without them vtk.js shades each triangle flat and a decimated surface looks faceted.
   */
  set(points: Float32Array | undefined, cells: { triangles?: Uint32Array; lines?: Uint32Array; verts?: Uint32Array } = {}): void {
    const pd = this.polydata;
    this.hasData = points !== undefined && points.length > 0;
    this.triangles = cells.triangles;
    pd.getPoints().setData(points ?? new Float32Array(0), 3);
    pd.getPolys().setData(cells.triangles ? cellArray(cells.triangles, 3) : new Uint32Array(0));
    this.setNormals(points);
    pd.getLines().setData(cells.lines ?? new Uint32Array(0));
    pd.getVerts().setData(cells.verts ?? new Uint32Array(0));
    pd.getPointData().setScalars(null);
    this.mapper.setScalarVisibility(false);
    pd.modified();
  }

  /** Moves the points (same count). */
  movePoints(points: Float32Array): void {
    this.polydata.getPoints().setData(points, 3);
    this.setNormals(points);
    this.polydata.modified();
  }

  private setNormals(points: Float32Array | undefined): void {
    const normals = points && this.triangles ? vtkDataArray.newInstance({ name: 'Normals', values: vertexNormals(points, this.triangles), numberOfComponents: 3 }) : null;
    this.polydata.getPointData().setNormals(normals);
  }

  setScalars(values: Float32Array | undefined, scale: ScaleSpec | undefined): void {
    if (!values || !scale) {
      this.polydata.getPointData().setScalars(null);
      this.mapper.setScalarVisibility(false);
    } else {
      this.polydata.getPointData().setScalars(vtkDataArray.newInstance({ name: 'colour', values, numberOfComponents: 1 }));
      const lut = vtkColorTransferFunction.newInstance() as unknown as VtkColorTransferFunction;
      for (let k = 0; k <= 10; k++) {
        const t = k / 10;
        const [r, g, b] = colorAt(t);
        lut.addRGBPoint(scale.min + t * (scale.max - scale.min), r, g, b);
      }
      this.mapper.setLookupTable(lut);
      this.mapper.setUseLookupTableScalarRange(false);
      this.mapper.setScalarRange(scale.min, scale.max);
      this.mapper.setColorModeToMapScalars();
      this.mapper.setScalarModeToUsePointData();
      this.mapper.setInterpolateScalarsBeforeMapping(true);
      this.mapper.setScalarVisibility(true);
    }
    this.polydata.modified();
  }

  setOpacity(opacity: number): void {
    for (const actor of this.actors) actor.getProperty().setOpacity(opacity);
  }
}

const GLYPH_COUNT = 400;

export class View3D {
  private readonly grw = vtkGenericRenderWindow.newInstance({ background: [0.063, 0.071, 0.086] }) as unknown as VtkGenericRenderWindow;
  private readonly renderers: [VtkRenderer, VtkRenderer];
  private readonly layers = {
    moving: new Layer(LAYER_COLORS.moving, 0.45),
    fixed: new Layer(LAYER_COLORS.fixed, 0.45),
    warped: new Layer(LAYER_COLORS.warped, 1),
    glyphs: new Layer([1, 0.9, 0.35], 1, { lineWidth: 2 }),
    landmarksMoving: new Layer(LAYER_COLORS.moving, 1, { pointSize: 6 }),
    landmarksFixed: new Layer(LAYER_COLORS.fixed, 1, { pointSize: 6 }),
    landmarksWarped: new Layer(LAYER_COLORS.warped, 1, { pointSize: 6 }),
    errorLines: new Layer([0.95, 0.3, 0.3], 1, { lineWidth: 2 }),
  };
  private content: SceneContent = { landmarks: {} };
  private colorBy: ColorBy = 'none';
  private blend = 1;
  private split = false;
  /** Pixels at the right of the view kept free of the scene (setRightInset: the colour legend). */
  private rightInsetPx = 0;
  private showGlyphs = false;
  private showLandmarks = true;
  private rendered = 0;

  constructor(private readonly container: HTMLElement) {
    const host = document.createElement('div');
    container.prepend(host);
    this.grw.setContainer(host);
    // vtk.js's interactor makes its own element a tab stop (tabIndex 0); the view's container is already the one,
    // named for assistive technology, so the inner one would be a second, unnamed stop inside an image.
    host.tabIndex = -1;
    host.setAttribute('aria-hidden', 'true');
    const a = this.grw.getRenderer();
    const b = vtkRenderer.newInstance() as unknown as VtkRenderer;
    b.setBackground(0.063, 0.071, 0.086);
    b.setActiveCamera(a.getActiveCamera());
    this.renderers = [a, b];
    for (const layer of Object.values(this.layers)) {
      a.addActor(layer.actors[0]);
      b.addActor(layer.actors[1]);
    }
    this.applySplit();
    new ResizeObserver(() => {
      this.grw.resize();
      this.applySplit();
      this.render();
    }).observe(container);
    this.grw.resize();
  }

  /** How many frames were drawn (the end-to-end tests wait on it). */
  get frames(): number {
    return this.rendered;
  }

  render(): void {
    this.grw.getRenderWindow().render();
    this.rendered++;
    this.container.dataset.frames = String(this.rendered);
  }

  /** Shows new content; the camera is reset when asked (new inputs) and kept otherwise (a new step). */
  setContent(content: SceneContent, resetCamera: boolean): void {
    this.content = content;
    const surface = (layer: Layer, shape: DisplayShape | undefined): void => {
      if (!shape) return layer.set(undefined);
      if (shape.kind === 'mesh' && shape.triangles.length > 0) layer.set(shape.pointsLps, { triangles: shape.triangles });
      else layer.set(shape.pointsLps, { verts: cellArray(Uint32Array.from({ length: shape.pointsLps.length / 3 }, (_, i) => i), 1) });
    };
    surface(this.layers.moving, content.moving);
    surface(this.layers.fixed, content.fixed);
    surface(this.layers.warped, content.warped);
    surface(this.layers.landmarksMoving, content.landmarks.moving);
    surface(this.layers.landmarksFixed, content.landmarks.fixed);
    surface(this.layers.landmarksWarped, content.landmarks.warped);
    this.updateGlyphs();
    this.updateBlend();
    this.applyColor();
    this.applyVisibility();
    if (resetCamera) this.resetCamera();
    else this.render();
  }

  setLayerVisible(layer: SurfaceLayer, visible: boolean): void {
    this.layers[layer].visible = visible;
    this.applyVisibility();
    this.render();
  }

  setLayerOpacity(layer: SurfaceLayer, opacity: number): void {
    this.layers[layer].setOpacity(opacity);
    this.render();
  }

  /** Colours the warped shape (or the moving one when there is none) by an array; returns the legend's scale. */
  setColorBy(colorBy: ColorBy): ScaleSpec | undefined {
    this.colorBy = colorBy;
    const scale = this.applyColor();
    this.render();
    return scale;
  }

  /** The array names the coloured shape has, of those the view can colour by. */
  availableColors(): ColorBy[] {
    const target = this.content.warped ?? this.content.moving;
    const names = new Set(target?.arrays.map((a) => a.name) ?? []);
    return (['displacement', 'confidence', 'surface_distance'] as const).filter((n) => names.has(n));
  }

  setGlyphs(on: boolean): void {
    this.showGlyphs = on;
    this.applyVisibility();
    this.render();
  }

  setLandmarks(on: boolean): void {
    this.showLandmarks = on;
    this.applyVisibility();
    this.render();
  }

  /** Before/after: 0 shows the warped layer at the moving positions, 1 at the warped ones. */
  setBlend(t: number): void {
    this.blend = Math.min(1, Math.max(0, t));
    this.updateBlend();
    this.render();
  }

  /** True when before/after blending is possible (warped and moving share their vertices). */
  canBlend(): boolean {
    const { moving, warped } = this.content;
    return moving !== undefined && warped !== undefined && moving.pointsLps.length === warped.pointsLps.length;
  }

  setSplit(on: boolean): void {
    this.split = on;
    this.applySplit();
    this.applyVisibility();
    this.render();
  }

  /** Looks at everything from the front (anterior), superior up. */
  resetCamera(): void {
    const bounds = this.bounds();
    const camera = this.renderers[0].getActiveCamera();
    if (bounds) {
      const c = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2];
      camera.setFocalPoint(c[0], c[1], c[2]);
      camera.setPosition(c[0], c[1] - 1000, c[2]);
      camera.setViewUp(0, 0, 1);
      this.renderers[0].resetCamera(bounds);
    }
    this.render();
  }

  /** Keyboard camera moves: rotate (degrees) and zoom (factor). */
  nudgeCamera(azimuth: number, elevation: number, zoom = 1): void {
    const camera = this.renderers[0].getActiveCamera();
    if (azimuth) camera.azimuth(azimuth);
    if (elevation) {
      camera.elevation(elevation);
      camera.orthogonalizeViewUp();
    }
    if (zoom !== 1) camera.zoom(zoom);
    this.renderers[0].resetCameraClippingRange();
    this.renderers[1].resetCameraClippingRange();
    this.render();
  }

  /** The rendered image as a PNG data URL. */
  async capture(): Promise<string> {
    this.render();
    const [image] = this.grw.getRenderWindow().captureImages('image/png');
    return image;
  }

  private bounds(): Bounds6 | undefined {
    const shapes = [this.content.moving, this.content.fixed, this.content.warped].filter((s): s is DisplayShape => s !== undefined && s.pointsLps.length > 0);
    if (shapes.length === 0) return undefined;
    const b: Bounds6 = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
    for (const s of shapes) {
      for (let a = 0; a < 3; a++) {
        b[2 * a] = Math.min(b[2 * a], s.boundsLps[2 * a]);
        b[2 * a + 1] = Math.max(b[2 * a + 1], s.boundsLps[2 * a + 1]);
      }
    }
    return b;
  }

  /**
   * Keeps the right `px` pixels of the view free of the 3D scene (the colour legend's strip), so the legend covers
   * no shape, nor, in the split view, half of the "after" side's.
   */
  setRightInset(px: number): void {
    if (px === this.rightInsetPx) return;
    this.rightInsetPx = px;
    this.applySplit();
    this.render();
  }

  private applySplit(): void {
    const [a, b] = this.renderers;
    const window = this.grw.getRenderWindow();
    // Never narrower than half the view: on a tiny window the legend overlaps rather than squeezing the scene away.
    const width = this.container.clientWidth;
    const right = width > 0 ? Math.max(0.5, 1 - this.rightInsetPx / width) : 1;
    if (this.split) {
      a.setViewport(0, 0, right / 2, 1);
      b.setViewport(right / 2, 0, right, 1);
      if (!window.hasRenderer(b)) window.addRenderer(b);
    } else {
      a.setViewport(0, 0, right, 1);
      if (window.hasRenderer(b)) window.removeRenderer(b);
    }
    const labels = this.container.querySelector<HTMLElement>('#split-labels');
    if (labels) labels.style.right = `${(1 - right) * width}px`;
    this.container.classList.toggle('split', this.split);
  }

  /** Which renderer shows what: all in one, or before (left) / after (right). */
  private applyVisibility(): void {
    const L = this.layers;
    const hasWarped = L.warped.hasData;
    const show = (layer: Layer, left: boolean, right: boolean): void => {
      layer.actors[0].setVisibility(layer.visible && layer.hasData && left);
      layer.actors[1].setVisibility(layer.visible && layer.hasData && right);
    };
    const split = this.split;
    const lm = this.showLandmarks;
    show(L.moving, true, false);
    show(L.fixed, true, split);
    show(L.warped, !split, split);
    show(L.glyphs, this.showGlyphs && !split, this.showGlyphs && split);
    show(L.landmarksMoving, lm && (split || !hasWarped || !L.landmarksWarped.hasData), false);
    show(L.landmarksFixed, lm, lm && split);
    show(L.landmarksWarped, lm && !split, lm && split);
    show(L.errorLines, lm && !split, lm && split);
    const labels = this.container.querySelector<HTMLElement>('#split-labels');
    if (labels) labels.hidden = !split;
  }

  /** Points of the warped layer at the current before/after position; error lines follow them. */
  private updateBlend(): void {
    const { moving, warped, landmarks } = this.content;
    const lerp = (from: Float32Array, to: Float32Array): Float32Array => {
      if (this.blend >= 1) return to;
      const out = new Float32Array(to.length);
      for (let i = 0; i < out.length; i++) out[i] = from[i] + this.blend * (to[i] - from[i]);
      return out;
    };
    if (warped && moving && this.canBlend()) this.layers.warped.movePoints(lerp(moving.pointsLps, warped.pointsLps));
    let warpedLandmarks = landmarks.warped?.pointsLps;
    if (warpedLandmarks && landmarks.moving && landmarks.moving.pointsLps.length === warpedLandmarks.length) {
      warpedLandmarks = lerp(landmarks.moving.pointsLps, warpedLandmarks);
      this.layers.landmarksWarped.movePoints(warpedLandmarks);
    }
    // Error lines: from each warped (else moving) landmark to its fixed partner.
    const from = warpedLandmarks ?? landmarks.moving?.pointsLps;
    const to = landmarks.fixed?.pointsLps;
    if (from && to && from.length === to.length) {
      const n = from.length / 3;
      const points = new Float32Array(6 * n);
      points.set(from, 0);
      points.set(to, 3 * n);
      const lines = new Uint32Array(3 * n);
      for (let i = 0; i < n; i++) lines.set([2, i, n + i], 3 * i);
      this.layers.errorLines.set(points, { lines });
    } else {
      this.layers.errorLines.set(undefined);
    }
  }

  /** Lines from the moving position to the warped one at every k-th vertex (at most ~400). */
  private updateGlyphs(): void {
    const target = this.content.warped;
    const d = target?.arrays.find((a) => a.name === 'displacement' && a.components === 3);
    if (!target || !d) return this.layers.glyphs.set(undefined);
    const n = target.pointsLps.length / 3;
    const stride = Math.max(1, Math.ceil(n / GLYPH_COUNT));
    const picked = Math.ceil(n / stride);
    const points = new Float32Array(6 * picked);
    const lines = new Uint32Array(3 * picked);
    for (let g = 0; g < picked; g++) {
      const i = g * stride;
      for (let c = 0; c < 3; c++) {
        points[6 * g + c] = target.pointsLps[3 * i + c] - d.values[3 * i + c];
        points[6 * g + 3 + c] = target.pointsLps[3 * i + c];
      }
      lines.set([2, 2 * g, 2 * g + 1], 3 * g);
    }
    this.layers.glyphs.set(points, { lines });
  }

  private applyColor(): ScaleSpec | undefined {
    this.layers.moving.setScalars(undefined, undefined);
    this.layers.warped.setScalars(undefined, undefined);
    if (this.colorBy === 'none') return undefined;
    const targetLayer = this.content.warped ? this.layers.warped : this.layers.moving;
    const target = this.content.warped ?? this.content.moving;
    const array = target?.arrays.find((a) => a.name === this.colorBy);
    if (!array) return undefined;
    const scale = scaleFor(this.colorBy, array.range[1]);
    targetLayer.setScalars(magnitudes(array.values, array.components), scale);
    return scale;
  }
}

/**
 * The part of vtk.js's API the renderer uses, typed here. vtk.js ships .d.ts files whose relative imports have no
 * file extension, which TypeScript's NodeNext resolution (this project's) cannot follow inside an ES-module
 * package, so inherited members (PolyData.getPoints, Prop.setVisibility, …) vanish from its types. Objects made by
 * vtk.js's `newInstance` are viewed through these interfaces instead; the method names and signatures are
 * vtk.js's own (Kitware, vtk.js 37).
 */

export interface VtkDataArrayLike {
  setData(values: ArrayLike<number>, numberOfComponents?: number): void;
}

export interface VtkPointData {
  setScalars(array: unknown): void;
  setNormals(array: unknown): void;
}

export interface VtkPolyData {
  getPoints(): VtkDataArrayLike;
  getPolys(): VtkDataArrayLike;
  getLines(): VtkDataArrayLike;
  getVerts(): VtkDataArrayLike;
  getPointData(): VtkPointData;
  modified(): void;
}

export interface VtkProperty {
  setColor(r: number, g: number, b: number): void;
  setOpacity(opacity: number): void;
  setPointSize(size: number): void;
  setLineWidth(width: number): void;
  setSpecular(value: number): void;
  setSpecularPower(value: number): void;
  setLighting(on: boolean): void;
}

export interface VtkMapper {
  setInputData(data: unknown): void;
  setScalarVisibility(on: boolean): void;
  setLookupTable(table: unknown): void;
  setUseLookupTableScalarRange(on: boolean): void;
  setScalarRange(min: number, max: number): void;
  setColorModeToMapScalars(): void;
  setScalarModeToUsePointData(): void;
  setInterpolateScalarsBeforeMapping(on: boolean): void;
}

export interface VtkActor {
  setMapper(mapper: unknown): void;
  getProperty(): VtkProperty;
  setVisibility(visible: boolean): void;
}

export interface VtkColorTransferFunction {
  addRGBPoint(x: number, r: number, g: number, b: number): void;
}

export interface VtkCamera {
  setFocalPoint(x: number, y: number, z: number): void;
  setPosition(x: number, y: number, z: number): void;
  setViewUp(x: number, y: number, z: number): void;
  azimuth(degrees: number): void;
  elevation(degrees: number): void;
  orthogonalizeViewUp(): void;
  zoom(factor: number): void;
}

export interface VtkRenderer {
  addActor(actor: unknown): void;
  getActiveCamera(): VtkCamera;
  setActiveCamera(camera: VtkCamera): void;
  setViewport(xmin: number, ymin: number, xmax: number, ymax: number): void;
  setBackground(r: number, g: number, b: number): void;
  resetCamera(bounds?: number[]): void;
  resetCameraClippingRange(): void;
}

export interface VtkRenderWindow {
  render(): void;
  addRenderer(renderer: VtkRenderer): void;
  removeRenderer(renderer: VtkRenderer): void;
  hasRenderer(renderer: VtkRenderer): boolean;
  captureImages(format?: string): Promise<string>[];
}

export interface VtkGenericRenderWindow {
  setContainer(element: HTMLElement): void;
  getRenderer(): VtkRenderer;
  getRenderWindow(): VtkRenderWindow;
  resize(): void;
}

/**
 * Headless rendering: a software rasteriser (z-buffer, flat Lambert shading) and a PNG encoder, for pictures made
 * without a browser or a GPU (the batch report's before / after thumbnails).
 */
export { crc32, encodePng } from './png-encoder.ts';
export { ANTERIOR_VIEW, fitView, type OrthographicView, type ViewAxes } from './orthographic-view.ts';
export { RasterCanvas, type Rgb } from './raster-canvas.ts';
export { AMBIENT, DIFFUSE, GHOST_TINT, compositeLayers, layersBounds, renderOverlayPng, type OverlayLayer, type RenderedLayer, type ThumbnailOptions } from './overlay-thumbnail.ts';

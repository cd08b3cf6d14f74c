/**
 * VTK cell arrays and their triangulation, shared by the legacy (.vtk) and XML PolyData (.vtp) readers.
 *
 * VTK stores cells in two layouts: the legacy "counted" one (`n i0 i1 … i(n-1)` per cell, legacy files before
 * version 5.1) and the offsets + connectivity one (VTK 9's vtkCellArray, legacy 5.1 OFFSETS/CONNECTIVITY, and XML
 * `offsets`/`connectivity`). Both are brought to offsets + connectivity here, then turned into triangles: polygons
 * and quads by a fan from their first vertex, triangle strips by alternating the winding (as vtkTriangleStrip does),
 * pixels reordered to a quad first (VTK file formats, "Cell types", https://docs.vtk.org/en/latest/design_documents/VTKFileFormats.html).
 */
import { InputError } from '../errors.ts';

/** Cell c uses connectivity[offsets[c] … offsets[c + 1]); offsets has one entry more than there are cells. */
export interface CellArray {
  offsets: ArrayLike<number>;
  connectivity: ArrayLike<number>;
}

/** How a cell becomes triangles. */
export const CELL_SKIP = 0;
/** A polygon (triangle, quad, general polygon) using all its vertices: a fan from vertex 0. */
export const CELL_POLYGON = 1;
/** A triangle strip. */
export const CELL_STRIP = 2;
/** A VTK pixel: 4 vertices in raster order (0 1 3 2 around the boundary). */
export const CELL_PIXEL = 3;
/** A higher-order triangle: its first 3 vertices are the corners. */
export const CELL_TRIANGLE_CORNERS = 4;
/** A higher-order quad: its first 4 vertices are the corners. */
export const CELL_QUAD_CORNERS = 5;

/** The number of cells of a cell array. */
export function cellCount(cells: CellArray): number {
  return Math.max(0, cells.offsets.length - 1);
}

/**
 * Converts the counted layout (`n i0 … i(n-1)` per cell) of `nCells` cells to offsets + connectivity, checking
 * that every count fits and that the counts use up the array exactly.
 */
export function cellsFromCounted(data: ArrayLike<number>, nCells: number, file: string, what: string): CellArray {
  // Every cell takes at least its count: refuse an impossible cell count before allocating for it.
  if (nCells > data.length) {
    throw new InputError(file, 'count-mismatch', `${what}: ${nCells} cells declared but the data holds only ${data.length} values`);
  }
  const offsets = new Float64Array(nCells + 1);
  let p = 0;
  for (let c = 0; c < nCells; c++) {
    if (p >= data.length) throw new InputError(file, 'count-mismatch', `${what}: ${nCells} cells declared but the data ends after ${c}`);
    const k = data[p];
    if (!(k >= 0 && Number.isInteger(k)) || p + 1 + k > data.length) {
      throw new InputError(file, 'count-mismatch', `${what}: cell ${c} claims ${k} vertices, more than the data holds`);
    }
    offsets[c + 1] = offsets[c] + k;
    p += 1 + k;
  }
  if (p !== data.length) {
    throw new InputError(file, 'count-mismatch', `${what}: the declared size is ${data.length} values but ${nCells} cells use ${p}`);
  }
  const connectivity = new Float64Array(offsets[nCells]);
  p = 0;
  let q = 0;
  for (let c = 0; c < nCells; c++) {
    const k = data[p++];
    for (let j = 0; j < k; j++) connectivity[q++] = data[p++];
  }
  return { offsets, connectivity };
}

/** Checks that offsets start at 0, never decrease, are integers and end exactly at the connectivity's length. */
export function checkOffsets(cells: CellArray, file: string, what: string): void {
  const { offsets, connectivity } = cells;
  if (offsets.length === 0) return;
  if (offsets[0] !== 0) throw new InputError(file, 'malformed', `${what}: the first offset is ${offsets[0]}, expected 0`);
  for (let c = 1; c < offsets.length; c++) {
    const o = offsets[c];
    if (!(o >= offsets[c - 1] && Number.isInteger(o))) {
      throw new InputError(file, 'malformed', `${what}: offset ${c} (${o}) is smaller than the one before or not an integer`);
    }
  }
  const last = offsets[offsets.length - 1];
  if (last !== connectivity.length) {
    throw new InputError(file, 'count-mismatch', `${what}: the offsets end at ${last} but the connectivity holds ${connectivity.length} indices`);
  }
}

/** Triangles one cell of `k` vertices gives. */
function trianglesOf(kind: number, k: number, file: string, what: string, cell: number): number {
  switch (kind) {
    case CELL_POLYGON:
    case CELL_STRIP:
      return k >= 3 ? k - 2 : 0;
    case CELL_PIXEL:
      if (k !== 4) throw new InputError(file, 'malformed', `${what}: pixel cell ${cell} has ${k} vertices, expected 4`);
      return 2;
    case CELL_TRIANGLE_CORNERS:
      if (k < 3) throw new InputError(file, 'malformed', `${what}: triangle cell ${cell} has ${k} vertices`);
      return 1;
    case CELL_QUAD_CORNERS:
      if (k < 4) throw new InputError(file, 'malformed', `${what}: quad cell ${cell} has ${k} vertices`);
      return 2;
    default:
      return 0;
  }
}

/** A group of cells and how to triangulate them: one kind for all, or one per cell. */
export interface CellGroup {
  cells: CellArray;
  kinds: number | Uint8Array;
  /** Names the group in error messages (e.g. "POLYGONS"). */
  what: string;
}

/**
 * Triangulates cell groups into one interleaved triangle index array, checking every index used against the
 * number of points. Two passes (count, then fill) so the result is allocated once at its exact size.
 */
export function triangulate(groups: readonly CellGroup[], nPoints: number, file: string): Uint32Array {
  let total = 0;
  for (const g of groups) {
    const { offsets } = g.cells;
    const n = cellCount(g.cells);
    for (let c = 0; c < n; c++) {
      const kind = typeof g.kinds === 'number' ? g.kinds : g.kinds[c];
      total += trianglesOf(kind, offsets[c + 1] - offsets[c], file, g.what, c);
    }
  }
  const out = new Uint32Array(3 * total);
  let t = 0;
  for (const g of groups) {
    const { offsets, connectivity } = g.cells;
    const n = cellCount(g.cells);
    const index = (i: number, cell: number): number => {
      const id = connectivity[i];
      if (!(id >= 0 && id < nPoints && Number.isInteger(id))) {
        throw new InputError(file, 'index-out-of-range', `${g.what}: cell ${cell} uses point ${id}, but there are ${nPoints} points`);
      }
      return id;
    };
    for (let c = 0; c < n; c++) {
      const kind = typeof g.kinds === 'number' ? g.kinds : g.kinds[c];
      const s = offsets[c];
      const k = offsets[c + 1] - s;
      if (kind === CELL_POLYGON || kind === CELL_TRIANGLE_CORNERS || kind === CELL_QUAD_CORNERS) {
        const corners = kind === CELL_POLYGON ? k : kind === CELL_TRIANGLE_CORNERS ? 3 : 4;
        if (corners < 3) continue;
        const v0 = index(s, c);
        let prev = index(s + 1, c);
        for (let j = 2; j < corners; j++) {
          const v = index(s + j, c);
          out[t++] = v0;
          out[t++] = prev;
          out[t++] = v;
          prev = v;
        }
      } else if (kind === CELL_STRIP) {
        for (let j = 0; j + 2 < k; j++) {
          const a = index(s + j, c);
          const b = index(s + j + 1, c);
          const d = index(s + j + 2, c);
          if (j % 2 === 0) {
            out[t++] = a;
            out[t++] = b;
          } else {
            out[t++] = b;
            out[t++] = a;
          }
          out[t++] = d;
        }
      } else if (kind === CELL_PIXEL) {
        const p0 = index(s, c);
        const p1 = index(s + 1, c);
        const p2 = index(s + 2, c);
        const p3 = index(s + 3, c);
        out.set([p0, p1, p3, p0, p3, p2], t);
        t += 6;
      }
    }
  }
  return out;
}

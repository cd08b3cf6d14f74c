/**
 * Test support: the POT reference fixture (test/fixtures/ot/make_fixtures.py) and the point clouds of its cases.
 * Real cases store only file names and vertex indices (the shared data never enters the repository); their
 * points are read here with Monge's own codecs, as raw file coordinates (no frame conversion), times `scale`.
 */
import { readFileSync } from 'node:fs';
import { giftiCodec } from '../../../../core/io/meshes/gifti.ts';
import { vtkLegacyCodec } from '../../../../core/io/meshes/vtk-legacy.ts';
import { REPO_ROOT, sharedPath } from '../../../support/data.ts';

export interface ReferenceEntry {
  blur: number;
  reach: number | null;
  /** POT's ⟨γ, M⟩. */
  transport: number;
  /** OT_ε in GeomLoss convention, evaluated on POT's plan. */
  entropic: number;
  /** S_ε from POT's plans. */
  divergence: number;
}

export interface ReferenceCase {
  name: string;
  points?: { x: number[]; y: number[] };
  files?: { x: string; y: string };
  scale?: number;
  indices?: { x: number[]; y: number[] };
  a?: number[];
  b?: number[];
  bUnbalanced?: number[];
  bUnbalancedScale?: number;
  emd: number;
  balanced: ReferenceEntry[];
  unbalanced: ReferenceEntry[];
}

export interface RigidLattice {
  spacing: number;
  size: number;
  axis: number[];
  angleDeg: number;
  translation: number[];
  otPlanIsIdentity: boolean;
}

export interface ReferenceFixture {
  pot: string;
  cases: ReferenceCase[];
  rigidLattice: RigidLattice;
}

export function loadFixture(): ReferenceFixture {
  return JSON.parse(readFileSync(`${REPO_ROOT}/test/fixtures/ot/pot-reference.json`, 'utf8')) as ReferenceFixture;
}

/** File coordinates of a mesh in the shared data (VTK legacy or GIfTI), float64. */
export function readSharedPoints(file: string): Float64Array {
  const path = sharedPath(file);
  const bytes = new Uint8Array(readFileSync(path));
  const codec = file.endsWith('.vtk') ? vtkLegacyCodec : giftiCodec;
  return codec.parse(bytes, path).points;
}

/** Rows `indices` of an N×3 array, times `scale`, rounded to float32 as the fixture script did. */
export function selectRows(points: Float64Array, indices: readonly number[], scale: number): Float32Array {
  const out = new Float32Array(indices.length * 3);
  indices.forEach((i, k) => {
    for (let c = 0; c < 3; c++) out[3 * k + c] = points[3 * i + c] * scale;
  });
  return out;
}

/** The clouds of a case (float32, exactly the values the fixture script used). */
export function casePoints(c: ReferenceCase): { x: Float32Array; y: Float32Array } {
  if (c.points) return { x: Float32Array.from(c.points.x), y: Float32Array.from(c.points.y) };
  const scale = c.scale ?? 1;
  return {
    x: selectRows(readSharedPoints(c.files!.x), c.indices!.x, scale),
    y: selectRows(readSharedPoints(c.files!.y), c.indices!.y, scale),
  };
}

/** Masses of a case: given, or uniform (times bUnbalancedScale for y in the unbalanced entries). */
export function caseMasses(c: ReferenceCase, n: number, m: number, unbalanced: boolean): { a: Float64Array; b: Float64Array } {
  const a = c.a ? Float64Array.from(c.a) : new Float64Array(n).fill(1 / n);
  if (unbalanced && c.bUnbalanced) return { a, b: Float64Array.from(c.bUnbalanced) };
  const b = c.b ? Float64Array.from(c.b) : new Float64Array(m).fill(1 / m);
  if (unbalanced && c.bUnbalancedScale) for (let j = 0; j < m; j++) b[j] *= c.bUnbalancedScale;
  return { a, b };
}

/** Test shapes for the synthetic deformations: an analytic ellipsoid mesh (brain-sized), a lung-sized one, and a polyline tree. */

/** A UV ellipsoid mesh with semi-axes (a, b, c) mm centred at `centre`: `rings` latitude rings × `segments`. */
export function ellipsoidMesh(a: number, b: number, c: number, centre: [number, number, number] = [0, 0, 0], rings = 40, segments = 80): { pointsLps: Float64Array; triangles: Uint32Array } {
  const pts: number[] = [centre[0], centre[1], centre[2] + c];
  for (let r = 1; r < rings; r++) {
    const theta = (Math.PI * r) / rings;
    for (let s = 0; s < segments; s++) {
      const phi = (2 * Math.PI * s) / segments;
      pts.push(centre[0] + a * Math.sin(theta) * Math.cos(phi), centre[1] + b * Math.sin(theta) * Math.sin(phi), centre[2] + c * Math.cos(theta));
    }
  }
  pts.push(centre[0], centre[1], centre[2] - c);
  const south = pts.length / 3 - 1;
  const tri: number[] = [];
  const at = (r: number, s: number): number => 1 + (r - 1) * segments + (s % segments);
  for (let s = 0; s < segments; s++) tri.push(0, at(1, s), at(1, s + 1));
  for (let r = 1; r < rings - 1; r++) {
    for (let s = 0; s < segments; s++) tri.push(at(r, s), at(r + 1, s), at(r + 1, s + 1), at(r, s), at(r + 1, s + 1), at(r, s + 1));
  }
  for (let s = 0; s < segments; s++) tri.push(south, at(rings - 1, s + 1), at(rings - 1, s));
  return { pointsLps: Float64Array.from(pts), triangles: Uint32Array.from(tri) };
}

/** Points every `stepMm` along straight branches (a "vessel tree" without triangles). */
export function branchCloud(stepMm = 1): Float64Array {
  const branches: [number[], number[]][] = [
    [[0, 0, 0], [0, 0, -120]],
    [[0, 0, -60], [60, 10, -110]],
    [[0, 0, -60], [-70, -5, -100]],
    [[0, 0, -20], [40, 30, 20]],
  ];
  const pts: number[] = [];
  for (const [p, q] of branches) {
    const len = Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]);
    for (let t = 0; t <= len; t += stepMm) for (let d = 0; d < 3; d++) pts.push(p[d] + ((q[d] - p[d]) * t) / len);
  }
  return Float64Array.from(pts);
}

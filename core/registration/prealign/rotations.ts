/**
 * The 24 rotations of the cube (the proper signed permutation matrices): the axis-aligned starting orientations of
 * the rotation search. Any orientation lies within 62.8° of one of them — the covering radius of the octahedral
 * group — which is inside the basin of attraction of the OT alignment at a coarse blur, so shapes given in
 * arbitrary orientation (a mesh exported with swapped axes, a flipped scan) are still aligned.
 */

/** Row-major 3×3 rotation matrices, identity first. */
export function cubeRotations(): Float64Array[] {
  const perms = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const out: Float64Array[] = [];
  for (const p of perms) {
    for (let signs = 0; signs < 8; signs++) {
      const m = new Float64Array(9);
      for (let r = 0; r < 3; r++) m[3 * r + p[r]] = signs & (1 << r) ? -1 : 1;
      const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
      if (det > 0) out.push(m);
    }
  }
  // Identity first, so that a tie keeps the given orientation.
  out.sort((a, b) => Number(isIdentity(b)) - Number(isIdentity(a)));
  return out;
}

function isIdentity(m: Float64Array): boolean {
  return m[0] === 1 && m[4] === 1 && m[8] === 1;
}

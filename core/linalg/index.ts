/**
 * Dense linear algebra for the small systems of shape alignment (n ≤ 4): solving A X = B, and the eigen-decomposition
 * of a symmetric matrix.
 */
export { solveLinear } from './solve.ts';
export { symmetricEigen, type SymmetricEigen } from './symmetric-eigen.ts';

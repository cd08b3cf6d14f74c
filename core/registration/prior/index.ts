/** Cohort residual prior: learn a registration's systematic landmark error from annotated cases, correct new ones. */
export { shapeMoments, normalisePoints, type ShapeMomentsLps } from './shape-moments.ts';
export { trainResidualPrior, priorCorrection, provenanceWords, PRIOR_DEFAULTS, type ResidualPrior, type PriorCase, type PriorProvenance, type PriorSettings } from './residual-prior.ts';
export { readResidualPrior, writeResidualPrior } from './prior-file.ts';
export { readPriorCase } from './prior-cases.ts';

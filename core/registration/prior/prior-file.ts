/**
 * The residual prior's file: JSON (residual-prior.ts's ResidualPrior), written atomically; reading checks every
 * field and names the file and the problem (InputError), so a wrong or damaged file stops a run before any work.
 */
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { InputError } from '../../io/errors.ts';
import { readInputBytes } from '../../io/read-bytes.ts';
import { checkPriorSettings, RESIDUAL_PRIOR_FORMAT, RESIDUAL_PRIOR_VERSION, type ResidualPrior } from './residual-prior.ts';

export async function writeResidualPrior(path: string, prior: ResidualPrior): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(prior)}\n`);
}

function finiteArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export async function readResidualPrior(path: string): Promise<ResidualPrior> {
  const text = new TextDecoder().decode(await readInputBytes(path));
  let v: Partial<ResidualPrior>;
  try {
    v = JSON.parse(text) as Partial<ResidualPrior>;
  } catch {
    throw new InputError(path, 'malformed', 'is not JSON (a residual prior is written by `monge train-prior`)');
  }
  if (v === null || typeof v !== 'object' || v.format !== RESIDUAL_PRIOR_FORMAT) throw new InputError(path, 'malformed', `is not a residual prior (format '${RESIDUAL_PRIOR_FORMAT}' expected)`);
  if (v.version !== RESIDUAL_PRIOR_VERSION) throw new InputError(path, 'unsupported', `residual prior version ${String(v.version)}; this Monge reads version ${RESIDUAL_PRIOR_VERSION}`);
  // Numbers as JSON numbers: a string '1' would pass a Number() check and then be added as text (κ + k = '1…'),
  // silently turning the correction off; a null fade would read as 0, turning the fade-out off.
  for (const key of ['sigma', 'shrink', 'fade'] as const) {
    if (typeof v[key] !== 'number') throw new InputError(path, 'malformed', `its ${key} must be a number (got ${JSON.stringify(v[key])})`);
  }
  try {
    checkPriorSettings({ sigma: v.sigma!, shrink: v.shrink!, fade: v.fade! });
  } catch (e) {
    throw new InputError(path, 'malformed', (e as Error).message);
  }
  if (!finiteArray(v.pointsNormalised) || !finiteArray(v.residualsNormalised)) throw new InputError(path, 'non-finite', 'its points or residuals are missing or not finite numbers');
  if (v.pointsNormalised.length === 0 || v.pointsNormalised.length % 3 !== 0 || v.pointsNormalised.length !== v.residualsNormalised.length) {
    throw new InputError(path, 'count-mismatch', `holds ${v.pointsNormalised.length} point and ${v.residualsNormalised.length} residual coordinates (equal, non-zero multiples of 3 expected)`);
  }
  if (!Array.isArray(v.cases) || !v.cases.every((c) => typeof c === 'string')) throw new InputError(path, 'malformed', 'its case list is missing');
  const w = v.learnedWith;
  if (w !== undefined && !(w !== null && typeof w === 'object' && typeof w.preset === 'string' && Array.isArray(w.steps) && w.steps.every((s) => typeof s === 'string'))) {
    throw new InputError(path, 'malformed', 'its learnedWith (the preset and steps of its cases) is not {preset, steps}');
  }
  return v as ResidualPrior;
}

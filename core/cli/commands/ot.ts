import { createEngine } from '../../kernels/index.ts';
import { engineOption, frameOption, numberOption, parseCommandLine, reachOption, UsageError } from '../../options/index.ts';
import { match } from '../../ot/index.ts';
import { writeShape } from '../../io/index.ts';
import { massProportionalSample, type Shape, subsetShape } from '../../shape/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { outputFileProblem } from '../../io/output-file.ts';
import { pointArrayOutputProblem, POINT_ARRAY_SUFFIXES } from '../../io/point-array-formats.ts';
import { loadShape } from '../load-shape.ts';
import { printJson, printMessage, printResult } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

/** The point arrays OUT holds, besides the moving points. */
const OT_ARRAYS = ['matched', 'confidence'] as const;

/** Below this diameter (mm) a lung, brain or vessel tree is not in millimetres (likely metres or normalised). */
const SMALL_DIAMETER_MM = 5;

/** At most `n` points of a shape, chosen uniformly at random (deterministic seed); all when it has fewer. */
function atMost(shape: Shape, n: number | undefined, seed: number): Shape {
  const count = shape.pointsLps.length / 3;
  if (n === undefined || count <= n) return shape;
  return subsetShape(shape, massProportionalSample(shape.pointsLps, new Float64Array(count).fill(1), n, seed));
}

export const otCommand: Command = {
  name: 'ot',
  cancellable: true,
  summary: 'robust optimal-transport matching of two shapes (RobOT)',
  help: `Usage: monge ot MOVING FIXED -o OUT [--blur MM] [--reach MM|none] [--scaling S] [--points N]
                 [--engine auto|cpu|webgpu|tfjs|js] [--landmarks-frame ras|lps] [--seed N] [--json]

Solves the entropic optimal-transport problem between the points of MOVING and FIXED (any mesh, point set or
volume — masks and label maps become surfaces; a grey image is refused: make its surface with 'monge surface
--threshold' first) with cost ½|x − y|², ε = blur², and, with --reach, KL-relaxed marginals
(unbalanced, ρ = reach²). Writes OUT, the moving points with the arrays 'matched' (the barycentric projection
ŷᵢ = Σⱼ πᵢⱼ yⱼ / Σⱼ πᵢⱼ) and 'confidence' (wᵢ = Σⱼ πᵢⱼ / aᵢ: 1 = fully matched, → 0 = outlier). As .csv the
columns are x,y,z,matched_x,matched_y,matched_z,confidence. Prints {cost, iterations, marginal_error, seconds,
n, m, engine, threads, diameter_mm}.

Options:
  -o, --output OUT      output point set, in MOVING's frame: ${POINT_ARRAY_SUFFIXES.join(' ')} (the formats
                        that hold per-point arrays; others are refused before the solve, exit 2)
  --blur MM             entropic blur (default 1 mm)
  --reach MM|none       unbalanced reach (default none, in any case: balanced)
  --scaling S           ε-scaling factor per step, 0 < S < 1 (default 0.8)
  --points N            use at most N points of each shape (uniform random subset, --seed)
  --engine NAME         kernel engine (default auto; MONGE_ENGINE sets the default)
  --landmarks-frame F   frame of point files that declare none (plain CSV: LPS)
  --seed N              seed of the subsampling (default 0)
  --json                print the summary as JSON on stdout
  -h, --help            this help`,
  async run(argv, signal) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        output: { type: 'string', short: 'o' },
        blur: { type: 'string' },
        reach: { type: 'string' },
        scaling: { type: 'string' },
        points: { type: 'string' },
        engine: { type: 'string' },
        'landmarks-frame': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 2, max: 2, names: 'MOVING FIXED' },
    );
    if (!values.output) throw new UsageError('-o OUT is required');
    const blur = numberOption(values.blur, '--blur', (v) => v > 0) ?? 1;
    const reach = reachOption(values.reach) ?? null; // left out: balanced
    const scaling = numberOption(values.scaling, '--scaling', (v) => v > 0 && v < 1) ?? 0.8;
    const points = numberOption(values.points, '--points', (v) => Number.isInteger(v) && v >= 1);
    const seed = numberOption(values.seed, '--seed', Number.isInteger) ?? 0;
    const engineName = engineOption(values.engine) ?? 'auto';
    const assumeFrame = frameOption(values['landmarks-frame'], '--landmarks-frame');

    const [movingPath, fixedPath] = positionals;
    // OUT is the arrays: a format that drops them (.fcsv, .surf) or holds no point set (.stl) is refused before the solve.
    const problem = (await outputFileProblem(values.output, [movingPath, fixedPath], 'shape')) ?? pointArrayOutputProblem(values.output, OT_ARRAYS);
    if (problem) throw new UsageError(problem);
    const moving = atMost(await loadShape(movingPath, { assumeFrame }), points, seed);
    const fixed = atMost(await loadShape(fixedPath, { assumeFrame }), points, seed + 1);
    const { engine, description } = await createEngine(engineName);
    const bar = progressBar();
    const started = performance.now();
    try {
      const result = await match(engine, moving.pointsLps, fixed.pointsLps, { blur, reach, scaling, onProgress: bar.onProgress, signal });
      const seconds = (performance.now() - started) / 1000;
      bar.done();
      const out: Shape = {
        kind: 'points',
        pointsLps: moving.pointsLps,
        arrays: [
          { name: OT_ARRAYS[0], components: 3, values: result.matched, spatialVector: true },
          { name: OT_ARRAYS[1], components: 1, values: result.confidence },
        ],
        labels: moving.labels,
        sourceFrame: moving.sourceFrame,
      };
      await writeShape(values.output, out);
      if (result.diameter < SMALL_DIAMETER_MM) {
        printMessage(
          `monge ot: warning: the shapes span only ${result.diameter.toPrecision(3)} units; Monge expects millimetres ` +
            '(were the points given in metres or normalised?). Scale them to mm, or set --blur and --reach in the same unit.',
        );
      }
      const summary = {
        cost: result.cost,
        iterations: result.iterations,
        marginal_error: result.marginalError,
        seconds,
        n: moving.pointsLps.length / 3,
        m: fixed.pointsLps.length / 3,
        engine: description.engine,
        threads: description.threads,
        backend: description.backend,
        diameter_mm: result.diameter,
      };
      if (values.json) printJson(summary);
      else
        printResult(
          `cost ${summary.cost.toPrecision(6)}  ${summary.iterations} iterations  marginal error ${summary.marginal_error.toExponential(2)}  ` +
            `${seconds.toFixed(2)} s  (${summary.n} × ${summary.m} points, ${summary.engine} engine, ${summary.threads} threads)`,
        );
      return EXIT.ok;
    } finally {
      bar.done();
      await engine.dispose();
    }
  },
};

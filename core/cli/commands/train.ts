import { numberOption, parseCommandLine, UsageError } from '../../options/index.ts';
import { isSynthPresetName } from '../../registration/synth/index.ts';
import { NET_BACKENDS, type NetBackendName } from '../../registration/net/backend.ts';
import { parseDataSpec, type TrainingDataSpec } from '../../registration/net/training-data.ts';
import { hasCheckpoint } from '../../registration/net/checkpoint.ts';
import { formatDuration, trainRegistrationNet, TrainOptionsError } from '../../registration/net/train.ts';
import { CancelledError } from '../../progress/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printMessage } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

/** Options that take several values: `--data A B C` means `--data A --data B --data C`. */
const MULTI_VALUE = new Set(['--data', '--val-data', '--unlabeled-moving', '--unlabeled-fixed']);

/** Expands the values following a multi-value option into repeated options (the values end at the next `-…`). */
export function expandMultiValues(argv: string[]): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const token of argv) {
    if (token.startsWith('-')) {
      current = MULTI_VALUE.has(token) ? token : undefined;
      if (current === undefined) out.push(token);
      continue;
    }
    if (current !== undefined) out.push(current, token);
    else out.push(token);
  }
  return out;
}

function dataSpecs(values: string[] | undefined, option: string): TrainingDataSpec[] {
  return (values ?? []).map((v) => {
    try {
      return parseDataSpec(v);
    } catch (e) {
      throw new UsageError(`${option}: ${(e as Error).message}`);
    }
  });
}

export const trainCommand: Command = {
  name: 'train',
  cancellable: true,
  summary: 'train the registration network on synthetic deformations of your shapes',
  help: `Usage: monge train --preset lung|brain --data FILE_OR_DIR... --out DIR [--epochs N] [--resume] [--seed N]
                    [--pairs-per-epoch N] [--val-data FILE_OR_DIR...] [--val-pairs N] [--batch N] [--lr X]
                    [--unlabeled-moving FILE... --unlabeled-fixed FILE... [--unlabeled-weight X]]
                    [--init MODEL_DIR] [--backend wasm|cpu|tensorflow] [--keep-checkpoint] [--json]

Trains Monge's point-cloud registration network (step 2 of 'monge register') on synthetic pairs drawn on the
fly from your shapes: each pair deforms a shape by a random smooth motion with known ground truth (global
motion on a coarse grid, local motion, a small rigid perturbation, noise, dropout and outliers; amplitudes per
preset, in mm), resampled independently on both sides. The loss is the endpoint error against the truth.
After every epoch it reports the validation endpoint error on held-out synthetic pairs and writes a checkpoint;
at the end DIR holds model.json + weights.bin (tfjs) and manifest.json (preset, normalisation, training data
with sha256, metrics). The same seed gives the same model.

Data: meshes (.vtk .vtp .stl .obj .off .ply .gii, FreeSurfer surfaces), point sets, or masks / label maps
(.nii.gz .nrrd .mha .mgz …: their surface is used). A folder is searched recursively for meshes and volumes
(point-set files there are landmarks; name a point set on its own to train on it). Append :scale=S to a path
to multiply its coordinates by S (e.g. clouds stored in units of 100 mm).

Options:
  --preset lung|brain      anatomy preset: deformation amplitudes and network normalisation
  --data FILE_OR_DIR...    training shapes (several paths after one --data, or repeat it)
  --out DIR                model folder to create, new or empty (e.g. assets/models/my-lung)
  --epochs N               epochs (default 10)
  --pairs-per-epoch N      synthetic pairs per epoch (default 256)
  --val-data FILE_OR_DIR...  shapes used only for validation (default: held-out pairs of the training
                           shapes)
  --val-pairs N            validation pairs (default 16)
  --batch N                pairs per optimisation step (default 4)
  --lr X                   Adam learning rate, decayed by a cosine to 5 % (default 0.001)
  --seed N                 seed of every random draw (default 1)
  --unlabeled-moving FILE...  real pairs without ground truth, moving side (paired in order with
  --unlabeled-fixed FILE...   the fixed side): adds the self-supervised Sinkhorn-divergence loss
  --unlabeled-weight X     weight of that loss (default 1)
  --resume                 continue from DIR/checkpoint/ (same options required), e.g. after Ctrl-C
  --init MODEL_DIR         start from the config and weights of an existing model of the same preset (e.g. the
                           shipped one, assets/models/lung in Monge's folder) instead of random weights: fine-tune
                           it on your cohort
  --backend NAME           tfjs backend: wasm, cpu, tensorflow (needs tfjs-node-gpu); default tensorflow where
                           tfjs-node-gpu loads, else wasm, or the MONGE_NET_BACKEND variable's
  --keep-checkpoint        keep DIR/checkpoint/ after the last epoch
  --json                   print the final metrics as JSON on stdout
  -h, --help               this help`,
  async run(argv, signal) {
    const { values } = parseCommandLine(
      expandMultiValues(argv),
      {
        preset: { type: 'string' },
        data: { type: 'string', multiple: true },
        'val-data': { type: 'string', multiple: true },
        out: { type: 'string', short: 'o' },
        epochs: { type: 'string' },
        'pairs-per-epoch': { type: 'string' },
        'val-pairs': { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        resume: { type: 'boolean' },
        init: { type: 'string' },
        backend: { type: 'string' },
        'keep-checkpoint': { type: 'boolean' },
        'unlabeled-moving': { type: 'string', multiple: true },
        'unlabeled-fixed': { type: 'string', multiple: true },
        'unlabeled-weight': { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 0, max: 0, names: 'no positional arguments (give paths after --data or --val-data)' },
    );
    if (!values.preset) throw new UsageError('--preset lung|brain is required');
    if (!isSynthPresetName(values.preset)) throw new UsageError(`--preset must be lung or brain, not '${values.preset}'`);
    const data = dataSpecs(values.data, '--data');
    if (data.length === 0) throw new UsageError('--data FILE_OR_DIR is required');
    if (!values.out) throw new UsageError('--out DIR is required');
    const positiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;
    const backend = values.backend;
    if (backend !== undefined && !(NET_BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend must be one of ${NET_BACKENDS.join(', ')}`);
    const validationData = values['val-data'] ? dataSpecs(values['val-data'], '--val-data') : undefined;
    const unlabeledMoving = dataSpecs(values['unlabeled-moving'], '--unlabeled-moving');
    const unlabeledFixed = dataSpecs(values['unlabeled-fixed'], '--unlabeled-fixed');
    if (unlabeledMoving.length !== unlabeledFixed.length) throw new UsageError('give as many --unlabeled-fixed files as --unlabeled-moving files');
    const unlabeledWeight = numberOption(values['unlabeled-weight'], '--unlabeled-weight', (v) => v > 0);
    if (unlabeledWeight !== undefined && unlabeledMoving.length === 0) throw new UsageError('--unlabeled-weight needs --unlabeled-moving/--unlabeled-fixed pairs');
    const selfSupervised =
      unlabeledMoving.length > 0 ? { pairs: unlabeledMoving.map((moving, k) => ({ moving, fixed: unlabeledFixed[k] })), weight: unlabeledWeight } : undefined;

    const bar = progressBar();
    const log = (line: string): void => {
      bar.done();
      printMessage(line);
    };
    let result;
    try {
      result = await trainRegistrationNet({
        preset: values.preset,
        data,
        validationData,
        outDir: values.out,
        epochs: numberOption(values.epochs, '--epochs', positiveInt),
        pairsPerEpoch: numberOption(values['pairs-per-epoch'], '--pairs-per-epoch', positiveInt),
        validationPairs: numberOption(values['val-pairs'], '--val-pairs', (v) => Number.isInteger(v) && v >= 0),
        batchSize: numberOption(values.batch, '--batch', positiveInt),
        learningRate: numberOption(values.lr, '--lr', (v) => v > 0 && v < 1),
        seed: numberOption(values.seed, '--seed', (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32),
        resume: values.resume ?? false,
        initFrom: values.init,
        backend: backend as NetBackendName | undefined,
        keepCheckpoint: values['keep-checkpoint'] ?? false,
        selfSupervised,
        onProgress: bar.onProgress,
        signal,
        log,
      });
    } catch (e) {
      // Option values that only the trainer can judge (e.g. --resume without a checkpoint) are usage errors.
      if (e instanceof TrainOptionsError) throw new UsageError(e.message);
      if (e instanceof CancelledError && (await hasCheckpoint(values.out))) {
        log(`monge train: the last finished epoch is saved in ${values.out}/checkpoint; the same command with --resume continues from it`);
      }
      throw e;
    } finally {
      bar.done();
    }
    const final = result.manifest.metrics.final;
    if (values.json) {
      printJson({ out: values.out, seconds: result.seconds, parameters: result.manifest.files.parameters, ...final });
    } else {
      printMessage(
        `wrote ${values.out}: ${result.manifest.files.parameters} parameters; validation endpoint error ${final.valEpeMm.toFixed(2)} mm ` +
          `(identity ${final.valIdentityEpeMm.toFixed(2)} mm, −${(100 * final.reduction).toFixed(1)} %) in ${formatDuration(result.seconds)}`,
      );
    }
    return EXIT.ok;
  },
};

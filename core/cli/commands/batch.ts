import { etaSeconds, formatDuration, parseShard, runBatch, SUMMARY_CSV, REPORT_HTML, type BatchEvent, type SummaryEntry } from '../../batch/index.ts';
import { DEFAULT_PAIR_MEMORY_MB } from '../../batch/job-count.ts';
import { commandLineRegistrationValues, NEGATED_REGISTRATION_OPTIONS, numberOption, parseCommandLine, REGISTRATION_OPTIONS, registrationSettings, UsageError } from '../../options/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printMessage, printResult, shortPath } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

/** One line per finished pair (logs, job arrays) and the line above the bar for failures on a terminal. */
export function pairLine(row: SummaryEntry, finished: number, total: number): string {
  const head = `[${finished}/${total}] ${row.id}`;
  if (row.status !== 'ok') return `${head} ${row.status.toUpperCase()}${row.error_kind && row.error_kind !== 'cancelled' ? ` (${row.error_kind})` : ''}: ${row.error ?? ''}`;
  const time = row.seconds !== null ? ` ${row.seconds.toFixed(1)} s` : '';
  const metric =
    row.tre_after_mm !== null && row.tre_before_mm !== null
      ? `TRE ${row.tre_before_mm.toFixed(2)} → ${row.tre_after_mm.toFixed(2)} mm`
      : row.chamfer_after_mm !== null && row.chamfer_before_mm !== null
        ? `chamfer ${row.chamfer_before_mm.toFixed(2)} → ${row.chamfer_after_mm.toFixed(2)} mm`
        : '';
  return `${head} ok${time}${metric ? `, ${metric}` : ''}`;
}

export const batchCommand: Command = {
  name: 'batch',
  cancellable: true,
  summary: 'register a cohort of pairs listed in a manifest (resumable, parallel, shardable), with a summary and report',
  help: `Usage: monge batch MANIFEST -o OUTDIR [--jobs N] [--shard K/N] [--resume] [--pair-memory MB] [--json]
                    [registration options, as for monge register]

Registers every pair of MANIFEST as 'monge register' does, each into OUTDIR/<id>/ (the same files), on worker
processes; a pair that fails (missing or corrupt file, empty mask, diverging registration) becomes an error row
and the others go on.

MANIFEST is CSV with a header row, or JSON lines (.jsonl / .ndjson: one object per line), one pair per row:
  id                         the pair's name: letters, digits, '.', '_', '-' (it names OUTDIR/<id>/); unique
  moving, fixed              the shapes or volumes (paths relative to the manifest's folder; \\ separates folders as / does)
  moving_landmarks, fixed_landmarks   optional, both or neither
  preset, steps, field_spacing, moving_landmarks_prefix, landmarks_frame, seed, rotation_search, …
                             optional per-row overrides of any registration option below ('-' or '_'; an empty
                             cell keeps the command line's value; a flag's cell is true or false, yes or no, 1
                             or 0: diffeomorphic false turns the lung and brain presets' default off)
Lines starting with '#' are comments.

Writes into OUTDIR:
  <id>/                      what 'monge register' writes (warped shape, field, transform, report.json, …) and
                             .done.json, the completion mark (SHA-256 of the inputs and outputs), written last
  thumbnails/<id>.before.png, <id>.after.png   moving / warped shape (orange) with the fixed one (blue
                             outline and tint), anterior view
  summary.csv, summary.json  one row per pair: status, error, metrics (TRE, surface distances, Jacobian), time
                             per step; rewritten after every pair
  report.html                self-contained cohort report (sortable table, TRE plot, thumbnails); opens offline

Options:
  -o, --output OUTDIR        output folder: new or empty, unless --resume
  --resume                   continue the batch that wrote OUTDIR (refused for a folder no batch wrote): pairs
                             whose completion mark verifies (same input files and settings, every output file
                             unchanged) are kept, every other pair is (re)done
  -j, --jobs N               worker processes (default 1), capped by memory: 80 % of RAM (or of the cgroup
                             limit: Slurm --mem, a container's) / --pair-memory; the CPU threads are shared
                             out (MONGE_THREADS per worker = cores / N unless set)
  --pair-memory MB           memory one registration may take (default ${DEFAULT_PAIR_MEMORY_MB})
  --shard K/N                only the pairs at manifest positions i with i mod N = K (0 ≤ K < N, 0-based as
                             $SLURM_ARRAY_TASK_ID with --array=0-(N-1), and $JOB_COMPLETION_INDEX); give each
                             shard its own OUTDIR and combine them with 'monge merge'
  --json                     print summary.json on stdout at the end
 Registration options (as for monge register; manifest columns override them per pair):
  --preset lung|brain|generic, --steps LIST, --landmarks-frame ras|lps, --moving-landmarks-prefix P,
  --fixed-landmarks-prefix P, --field-format nii.gz|nrrd|mha, --field-spacing MM, --inverse-field,
  --label N, --threshold T, --apply F (a column: paths separated by ';'), --apply-prefix P, --engine NAME, --seed N,
  --rotation-search, --diffeomorphic, --no-diffeomorphic (a manifest cell: diffeomorphic false), --net-model DIR,
  --blur MM, --reach MM|none, --kernel-width MM, --anisotropy A, --residual-prior F
  -h, --help                 this help

Progress: on a terminal (stderr), a bar of the pairs done, the running ones counted in part, with the ETA and
the running pair's stage; otherwise one line per finished pair on stderr.
Ctrl-C (or SIGTERM from a scheduler) cancels: running pairs stop and leave nothing that looks complete, the
summary and report are written; --resume continues later. A second Ctrl-C stops at once, removing what the
running pairs had half-written and the OUTDIR lock.

Exit codes: 0 every pair registered, 4 some pairs failed (the count is printed; see summary.csv),
2 usage error (including an OUTDIR in the way), 3 bad manifest (the message names the line), 1 internal error.
Cancelled, it ends by the signal once the summary is written (shell status 130 / 143).`,
  async run(argv, signal) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        output: { type: 'string', short: 'o' },
        jobs: { type: 'string', short: 'j' },
        shard: { type: 'string' },
        resume: { type: 'boolean' },
        'pair-memory': { type: 'string' },
        json: { type: 'boolean' },
        ...REGISTRATION_OPTIONS,
        ...NEGATED_REGISTRATION_OPTIONS,
      },
      { min: 1, max: 1, names: 'MANIFEST' },
    );
    if (!values.output) throw new UsageError('-o OUTDIR is required');
    const jobs = numberOption(values.jobs, '--jobs', (v) => Number.isInteger(v) && v >= 1) ?? 1;
    const pairMemoryMb = numberOption(values['pair-memory'], '--pair-memory', (v) => v > 0);
    const shard = values.shard !== undefined ? parseShard(values.shard) : undefined;
    const options = commandLineRegistrationValues(values);
    registrationSettings(options); // usage errors in the shared options, before reading the manifest

    // 40 columns of label: with the bar and the percentage the line is 78 wide, and a wider one would wrap on an
    // 80-column terminal, where '\r' no longer redraws it.
    const bar = progressBar(process.stderr, { labelWidth: 40 });
    const tty = process.stderr.isTTY === true;
    const started = Date.now();
    let total = 0;
    let finished = 0;
    let estimate: { seconds: number; at: number } | undefined;
    // The pairs running, in the order they started, with their stage and the fraction of the pair done: the bar
    // counts them in part, and names the first one's stage (a pair takes from seconds to minutes).
    const running = new Map<string, { stage: string; fraction: number }>();
    const drawBar = () => {
      const left = estimate ? Math.max(0, estimate.seconds - (Date.now() - estimate.at) / 1000) : undefined;
      const [first] = running;
      const now = first ? ` · ${first[0]} ${first[1].stage}${running.size > 1 ? ` +${running.size - 1}` : ''}` : '';
      let inPart = 0;
      for (const { fraction } of running.values()) inPart += fraction;
      bar.onProgress({ stage: `${finished}/${total} pairs${left !== undefined ? `, ETA ${formatDuration(left)}` : ''}${now}`, fraction: total > 0 ? Math.min(1, (finished + inPart) / total) : 0 });
    };
    const ticker = tty ? setInterval(drawBar, 1000) : undefined;
    ticker?.unref();
    const onEvent = (e: BatchEvent) => {
      if (e.type === 'plan') {
        total = e.toRun;
        const scope = shard ? ` (shard ${shard.index}/${shard.count})` : '';
        const kept = e.resumed > 0 ? `, ${e.resumed} already complete` : '';
        printMessage(`monge batch: ${e.pairs} pairs${scope}${kept}; running ${e.toRun} on ${e.plan.jobs} worker${e.plan.jobs === 1 ? '' : 's'} × ${process.env.MONGE_THREADS ?? e.plan.threadsPerJob} thread(s)`);
        if (e.plan.capped) printMessage(`monge batch: ${e.plan.capped}`);
        for (const r of e.redo) printMessage(`monge batch: redoing ${r.id}: ${r.reason}`);
      } else if (e.type === 'pair-start') {
        running.set(e.id, { stage: 'starting', fraction: 0 });
        if (tty) drawBar();
      } else if (e.type === 'pair-progress') {
        running.set(e.id, { stage: e.report.stage, fraction: e.pairFraction });
        if (tty) drawBar();
      } else if (e.type === 'pair-done') {
        running.delete(e.row.id);
        finished = e.finished;
        const eta = etaSeconds(e.elapsedSeconds, e.finished, e.toRun);
        estimate = eta !== undefined ? { seconds: eta, at: Date.now() } : undefined;
        const line = pairLine(e.row, e.finished, e.toRun);
        if (!tty) printMessage(line);
        else if (e.row.status !== 'ok') {
          bar.done();
          printMessage(line);
        }
        if (tty) drawBar();
      }
    };
    let result;
    try {
      result = await runBatch({ manifest: positionals[0], outDir: values.output, options, jobs, shard, resume: values.resume ?? false, pairMemoryMb, signal, onEvent });
    } finally {
      if (ticker) clearInterval(ticker);
      bar.done();
    }
    const { summary } = result;
    const c = summary.counts;
    const where = shortPath(result.outDir);
    const took = formatDuration((Date.now() - started) / 1000);
    if (values.json) printJson(summary);
    else printResult(`${c.pairs} pairs: ${c.ok} ok${c.resumed > 0 ? ` (${c.resumed} from an earlier run)` : ''}, ${c.failed} failed${c.cancelled > 0 ? `, ${c.cancelled} cancelled` : ''} in ${took} → ${where}/${SUMMARY_CSV}, ${where}/${REPORT_HTML}`);
    if (result.cancelled) {
      printMessage(`monge batch: cancelled; ${c.ok} pairs complete. Run the same command with --resume to finish the rest.`);
      return EXIT.internal;
    }
    if (c.failed + c.cancelled > 0) {
      const what = [c.failed > 0 ? `${c.failed} failed` : '', c.cancelled > 0 ? `${c.cancelled} cancelled` : ''].filter(Boolean).join(', ');
      printMessage(`monge batch: ${c.failed + c.cancelled} of ${c.pairs} pairs ${c.cancelled === 0 ? 'failed' : `not registered (${what})`} (reasons in ${where}/${SUMMARY_CSV})`);
      return EXIT.somePairsFailed;
    }
    return EXIT.ok;
  },
};

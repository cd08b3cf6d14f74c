import { mergeBatches, REPORT_HTML, SUMMARY_CSV } from '../../batch/index.ts';
import { parseCommandLine, UsageError } from '../../options/index.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printMessage, printResult, shortPath } from '../output.ts';

export const mergeCommand: Command = {
  name: 'merge',
  summary: "combine the summaries and reports of several 'monge batch' runs (the shards of a job array)",
  help: `Usage: monge merge OUTDIR... -o MERGED [--json]

Combines the summary.json of each OUTDIR (written by 'monge batch', typically one per --shard K/N) into
MERGED/summary.csv, MERGED/summary.json and MERGED/report.html, rows in manifest order. The pair folders are
referenced, not copied: each row's 'dir' is the path from MERGED to the pair's folder in its OUTDIR, and the
report embeds the thumbnails from there (keep the shard folders beside MERGED, or merge again after moving them).

Checked: the OUTDIRs come from the same manifest (SHA-256), no pair is listed twice, and for shards of one split
(K/N with one N) no shard is given twice; missing shards are listed.

Options:
  -o, --output MERGED        folder for the merged summary and report (created; may not be one of the OUTDIRs
                             nor any other batch's OUTDIR; an earlier merge there is replaced)
  --json                     print the merged summary.json on stdout
  -h, --help                 this help

Exit codes: 0 the merged cohort is complete and every pair registered, 4 some pairs failed or were not run
(or shards are missing; counts printed), 2 usage error, 3 an OUTDIR without a valid summary or from another
manifest, 1 internal error.`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      { output: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
      { min: 1, max: Infinity, names: 'at least one OUTDIR' },
    );
    if (!values.output) throw new UsageError('-o MERGED is required');
    const { summary, outDir, warnings } = await mergeBatches(positionals, values.output);
    for (const w of warnings) printMessage(`monge merge: warning: ${w}`);
    const c = summary.counts;
    const where = shortPath(outDir);
    if (values.json) printJson(summary);
    else printResult(`${summary.mergedFrom?.length ?? 0} summaries, ${c.pairs} pairs: ${c.ok} ok, ${c.failed} failed${c.cancelled + c.pending > 0 ? `, ${c.cancelled + c.pending} not run` : ''} → ${where}/${SUMMARY_CSV}, ${where}/${REPORT_HTML}`);
    const missing = summary.missingShards ?? [];
    if (missing.length > 0) printMessage(`monge merge: shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} missing`);
    if (c.failed > 0) printMessage(`monge merge: ${c.failed} of ${c.pairs} pairs failed (reasons in ${where}/${SUMMARY_CSV})`);
    return summary.complete && c.failed === 0 ? EXIT.ok : EXIT.somePairsFailed;
  },
};

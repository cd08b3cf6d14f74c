/**
 * The README's library example (section "Library") type-checks under the project's strict settings and runs as
 * written, on a synthetic pair: so the documented API is the real one. The example imports './core/…' from a
 * script in the repository; here its imports point at the repository from a temporary folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../../support/data.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { startNode, writeSyntheticPairs } from '../batch/support.ts';

/** The first ```ts block after the '## Library' heading. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(readme.includes('\n## Library\n') && block, 'README has a Library section with a ```ts example');
  return block[1];
}

/** Type errors of `file` under tsconfig.json's compiler options. */
function typeErrors(file: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(REPO_ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  assert.ok(config);
  const program = ts.createProgram([file], { ...config.options, typeRoots: [join(REPO_ROOT, 'node_modules', '@types')] });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

test('the README library example type-checks and runs: register, then robust OT matches', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'readme-example');
  const source = (await readmeExample()).replaceAll("from './core/", `from '${REPO_ROOT}/core/`);
  assert.ok(source !== (await readmeExample()), 'the example imports from ./core/');
  const script = join(dir, 'pair.ts');
  await writeFile(script, source);
  // In the repository the script is an ES module by package.json's "type"; here by its own.
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  assert.deepEqual(typeErrors(script), []);

  await writeSyntheticPairs(dir, 1);
  const outDir = join(dir, 'out');
  const run = await startNode(['--import', 'tsx', script, join(dir, 'm0.vtk'), join(dir, 'f0.vtk'), outDir], { cwd: REPO_ROOT }).done;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /finetune 100 %/);
  const chamfer = /^chamfer (\S+) → (\S+) mm; wrote .*report\.json/m.exec(run.stdout);
  assert.ok(chamfer, run.stdout);
  assert.ok(Number(chamfer[2]) < Number(chamfer[1]) / 2, chamfer[0]);
  const report = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as { metrics: { after: { surfaceDistance: { chamferMm: number } } } };
  assert.equal(report.metrics.after.surfaceDistance.chamferMm.toFixed(2), chamfer[2]);
  const matched = /^(\d+) of (\d+) vertices matched with confidence > 0\.5$/m.exec(run.stdout);
  assert.ok(matched, run.stdout);
  assert.ok(Number(matched[1]) > 0.5 * Number(matched[2]), matched[0]);
});

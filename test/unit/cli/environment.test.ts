/**
 * A MONGE_* variable set to a value the work would refuse is a usage error (exit 2) naming it, its value and what it
 * takes, before any input is read. Before, `MONGE_ENGINE=bogus monge ot …` read both inputs, then failed with
 * "internal error: RangeError …", a stack trace and exit 1.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnvironment } from '../../../core/cli/environment.ts';
import { UsageError } from '../../../core/options/index.ts';
import { mongeWith } from '../../support/monge-cli.ts';
import { tempDir } from '../../support/temp-dir.ts';

test('checkEnvironment: the library\'s own parsers decide; blank is unset; a bad value names variable, value and choices', () => {
  for (const env of [{}, { MONGE_ENGINE: 'CPU', MONGE_THREADS: ' 4 ', MONGE_NET_BACKEND: 'Wasm' }, { MONGE_ENGINE: ' ', MONGE_THREADS: '', MONGE_NET_BACKEND: '' }, { MONGE_NET_MODEL: '/no/such/model' }]) {
    assert.doesNotThrow(() => checkEnvironment(env), JSON.stringify(env));
  }
  const refused: [Record<string, string>, string][] = [
    [{ MONGE_ENGINE: 'bogus' }, "the environment variable MONGE_ENGINE is 'bogus'; it takes one of auto, cpu, webgpu, tfjs, js (any case), or unset it"],
    [{ MONGE_THREADS: 'abc' }, "the environment variable MONGE_THREADS is 'abc'; it takes a positive integer (the CPU threads to use), or unset it"],
    [{ MONGE_THREADS: '0' }, "the environment variable MONGE_THREADS is '0'; it takes a positive integer (the CPU threads to use), or unset it"],
    [{ MONGE_THREADS: '2.5' }, "the environment variable MONGE_THREADS is '2.5'; it takes a positive integer (the CPU threads to use), or unset it"],
    [{ MONGE_NET_BACKEND: 'gpu' }, "the environment variable MONGE_NET_BACKEND is 'gpu'; it takes one of wasm, cpu, tensorflow (any case), or unset it"],
  ];
  for (const [env, message] of refused) {
    assert.throws(() => checkEnvironment(env), (e: unknown) => e instanceof UsageError && e.message === message, JSON.stringify(env));
  }
});

test('MONGE_ENGINE=bogus, MONGE_THREADS=abc, MONGE_NET_BACKEND=gpu: exit 2 before any input is read, no stack trace, nothing written', async (t) => {
  const dir = await tempDir(t, 'environment');
  writeFileSync(join(dir, 'a.csv'), 'x,y,z\n0,0,0\n1,0,0\n0,1,0\n');
  const cases: [Record<string, string>, string[]][] = [
    [{ MONGE_ENGINE: 'bogus' }, ['ot', join(dir, 'a.csv'), join(dir, 'a.csv'), '-o', join(dir, 'm.csv')]],
    [{ MONGE_THREADS: 'abc' }, ['ot', join(dir, 'a.csv'), join(dir, 'a.csv'), '-o', join(dir, 'm.csv')]],
    [{ MONGE_THREADS: 'abc' }, ['register', join(dir, 'a.csv'), join(dir, 'a.csv'), '-o', join(dir, 'out')]],
    [{ MONGE_NET_BACKEND: 'gpu' }, ['register', join(dir, 'a.csv'), join(dir, 'a.csv'), '-o', join(dir, 'out')]],
    // Missing inputs would be exit 3: the variable is found first.
    [{ MONGE_ENGINE: 'bogus' }, ['surface', join(dir, 'missing.nii.gz'), '-o', join(dir, 's.vtk')]],
  ];
  for (const [env, args] of cases) {
    const [name, value] = Object.entries(env)[0];
    const r = mongeWith(env, ...args);
    assert.equal(r.code, 2, `${name}=${value} monge ${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^monge ${args[0]}: the environment variable ${name} is '${value}'; it takes .+, or unset it\nTry 'monge ${args[0]} --help'.\n$`));
  }
  assert.deepEqual(readdirSync(dir), ['a.csv'], 'nothing written');
  const help = mongeWith({ MONGE_ENGINE: 'bogus' }, 'ot', '--help');
  assert.equal(help.code, 0, '--help still answers');
});

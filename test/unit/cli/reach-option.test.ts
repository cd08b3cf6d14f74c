/**
 * `--reach MM|none` is one parser for register, batch and ot: `none` in any case is balanced OT. Before, register took
 * `NONE` and ot refused it ("invalid value 'NONE'").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reachOption, registrationSettings, UsageError } from '../../../core/options/index.ts';
import { monge } from '../../support/monge-cli.ts';
import { tempDir } from '../../support/temp-dir.ts';

test('reachOption: none in any case is null (balanced), a positive number is mm, anything else a usage error', () => {
  for (const none of ['none', 'NONE', 'None', ' none ']) assert.equal(reachOption(none), null, none);
  assert.equal(reachOption(undefined), undefined);
  assert.equal(reachOption('12.5'), 12.5);
  for (const bad of ['0', '-3', 'nan', 'balanced', '']) {
    assert.throws(() => reachOption(bad), (e: unknown) => e instanceof UsageError && e.message.startsWith('--reach: '), bad);
  }
  assert.deepEqual(registrationSettings({ reach: 'NONE' }), { reachMm: null });
});

test('ot --reach NONE is balanced OT, as --reach none and no --reach', async (t) => {
  const dir = await tempDir(t, 'reach');
  const a = ['x,y,z'];
  const b = ['x,y,z'];
  for (let i = 0; i < 40; i++) {
    a.push([30 * Math.sin(i * 1.3), 20 * Math.cos(i * 0.7), 10 * Math.sin(i * 0.31)].join(','));
    b.push([30 * Math.sin(i * 1.1) + 2, 20 * Math.cos(i * 0.5), 10 * Math.sin(i * 0.37) - 1].join(','));
  }
  writeFileSync(join(dir, 'a.csv'), a.join('\n'));
  writeFileSync(join(dir, 'b.csv'), b.join('\n'));
  const run = (name: string, ...reach: string[]) => {
    const r = monge('ot', join(dir, 'a.csv'), join(dir, 'b.csv'), '-o', join(dir, name), '--engine', 'js', '--json', ...reach);
    assert.equal(r.code, 0, `${reach.join(' ')}: ${r.stderr}`);
    return { cost: (JSON.parse(r.stdout) as { cost: number }).cost, text: readFileSync(join(dir, name), 'utf8') };
  };
  const balanced = run('balanced.csv');
  const upper = run('upper.csv', '--reach', 'NONE');
  const lower = run('lower.csv', '--reach', 'none');
  assert.equal(upper.cost, balanced.cost);
  assert.equal(upper.text, balanced.text, 'the same matching as balanced OT');
  assert.equal(lower.text, balanced.text);
  // Balanced: every moving point fully matched (confidence 1).
  for (const line of upper.text.trim().split('\n').slice(1)) assert.ok(Math.abs(Number(line.split(',')[6]) - 1) < 1e-2, line);
  // An unbalanced reach does change it, so the comparison above means something.
  assert.notEqual(run('unbalanced.csv', '--reach', '2').text, balanced.text);
});

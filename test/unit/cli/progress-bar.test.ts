/**
 * The terminal progress bar's label: it widens for a long stage as far as the terminal allows (a batch's pair count,
 * ETA and running pair), stays that wide, and ends in '…' only where the terminal is too narrow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { progressBar } from '../../../core/cli/progress-bar.ts';

/** A terminal `columns` wide that keeps what is written to it. */
function fakeTerminal(columns: number): { stream: NodeJS.WriteStream; frames: string[] } {
  const frames: string[] = [];
  const stream = { isTTY: true, columns, write: (s: string) => frames.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, frames };
}

/** Draws each stage in turn, past the bar's first second and 100 ms apart, and returns each frame's text. */
async function draw(columns: number, stages: string[]): Promise<string[]> {
  const { stream, frames } = fakeTerminal(columns);
  const bar = progressBar(stream);
  await sleep(1_050);
  for (const stage of stages) {
    bar.onProgress({ stage, fraction: 0.5 });
    await sleep(110);
  }
  return frames;
}

const LONG = '12/140 pairs, ETA 3 h 12 min · copd-case-0042 displacement field';

test('a long stage shows whole on a wide terminal, and the label keeps that width for a shorter one', async () => {
  const frames = await draw(160, [LONG, 'finetune']);
  assert.equal(frames.length, 2);
  assert.ok(frames[0].startsWith(`\r${LONG} [`), JSON.stringify(frames[0]));
  assert.ok(frames[1].startsWith(`\r${'finetune'.padEnd(LONG.length)} [`), JSON.stringify(frames[1]));
  assert.equal(frames[0].length, frames[1].length);
});

test('on a narrow terminal the label is cut to fit, ending in an ellipsis, and the line fits', async () => {
  const [frame] = await draw(80, [LONG]);
  const line = frame.slice(1);
  assert.ok(line.length < 80, `${line.length} columns: ${line}`);
  const label = line.slice(0, line.indexOf(' ['));
  assert.ok(label.endsWith('…') && LONG.startsWith(label.slice(0, -1)), label);
  assert.match(line, / \[#{15} {15}\]  50%$/);
});

test('a short stage keeps the default 24-column label, and nothing is drawn off a terminal', async () => {
  const [frame] = await draw(160, ['prealign']);
  assert.ok(frame.startsWith(`\r${'prealign'.padEnd(24)} [`), JSON.stringify(frame));
  const frames: string[] = [];
  const bar = progressBar({ isTTY: false, columns: 160, write: (s: string) => frames.push(s) } as unknown as NodeJS.WriteStream);
  await sleep(1_050);
  bar.onProgress({ stage: 'prealign', fraction: 0.5 });
  bar.done();
  assert.deepEqual(frames, []);
});

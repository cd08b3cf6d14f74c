/**
 * The host dies mid-job (`npm run web` killed, the machine asleep): the page says so, shows no job running any
 * more, and Escape or Cancel then raise no uncaught error. Before, the progress stayed at its last value for ever,
 * Register stayed disabled, and every Cancel threw "the connection to Monge is closed".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { needsSharedData } from '../support/data.ts';
import { LUNG } from './support/results-fixture.ts';
import { needsChromium, startWebSession, type WebSession } from './support/web-session.ts';

const skip = needsChromium() || needsSharedData();
let session: WebSession;

before(async () => {
  if (!skip) session = await startWebSession();
});
after(async () => {
  await session?.close();
});

test('the host killed during a surface extraction: the page says so and shows no job; Escape and Cancel raise nothing', { skip }, async () => {
  const { page } = session;
  await page.setInputFiles('#file-moving', LUNG.fixedMask);
  await page.waitForSelector('#panel-progress[data-state="running"]', { timeout: 30_000 });
  assert.ok(session.hostPid);
  process.kill(session.hostPid, 'SIGKILL');
  const lost = page.locator('#messages .message[data-kind="error"] span', { hasText: 'Lost the connection to Monge' });
  await lost.waitFor({ timeout: 30_000 });
  await page.waitForSelector('#panel-progress[data-state="idle"]', { timeout: 5_000 });
  assert.equal(await page.textContent('#progress-label'), 'Idle');
  assert.equal(await page.locator('#btn-cancel').isDisabled(), true);
  await page.keyboard.press('Escape');
  await page.locator('#btn-cancel-top').click({ force: true });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(session.errors.filter((e) => e.startsWith('page error')), []);
});

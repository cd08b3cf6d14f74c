/**
 * An end-to-end session: the web host started as `npm run web` starts it (a child process printing one line),
 * and Debian's Chromium driven by playwright-core, with every console error and page error recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureRendererBuilt, REPO_ROOT } from '../../../renderer/build.ts';
import { skipUnlessRequired } from '../../support/skip-unless-required.ts';

export const CHROMIUM = process.env.MONGE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'e2e');

/**
 * `skip` option for the end-to-end tests: they need Chromium, required in CI (CI=true) and by `.ci/run`, which
 * installs it (MONGE_REQUIRE_BROWSER=1): there a missing browser fails instead of skipping every end-to-end test.
 */
export function needsChromium(): false | string {
  return skipUnlessRequired(!existsSync(CHROMIUM) && `Chromium not found at ${CHROMIUM}`, 'MONGE_REQUIRE_BROWSER');
}

export interface WebSession {
  url: string;
  /** Every line the host printed on stdout (must be exactly one). */
  stdoutLines: string[];
  browser: Browser;
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** Process id of the web host (its job workers are threads of this process). */
  hostPid: number | undefined;
  /** The host's `--results` folder (a temporary one, removed by close). */
  resultsRoot: string;
  screenshot(name: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** Starts `main/web-host/main.ts --port 0 --results DIR` and resolves with its printed address. */
async function startHost(resultsRoot: string): Promise<{ host: ChildProcess; url: string; stdoutLines: string[] }> {
  const host = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'main', 'web-host', 'main.ts'), '--port', '0', '--results', resultsRoot], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdoutLines: string[] = [];
  let stderr = '';
  host.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    host.stdout?.on('data', (d: Buffer) => {
      buffered += String(d);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        stdoutLines.push(line);
        const m = /^Monge is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)$/.exec(line);
        if (m) resolve(m[1]);
      }
    });
    host.once('exit', (code) => reject(new Error(`the web host exited (${code}): ${stderr}`)));
    setTimeout(() => reject(new Error(`the web host did not start in 60 s: ${stderr}`)), 60_000).unref();
  });
  return { host, url, stdoutLines };
}

export async function startWebSession(): Promise<WebSession> {
  await ensureRendererBuilt();
  await mkdir(SCREENSHOTS, { recursive: true });
  // Not the default ~/Monge results: the tests' registrations go to a folder they remove.
  const resultsRoot = await mkdtemp(join(tmpdir(), 'monge-e2e-results-'));
  const [{ host, url, stdoutLines }, browser] = await Promise.all([
    startHost(resultsRoot),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking'],
    }),
  ]);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return {
    url,
    stdoutLines,
    browser,
    page,
    errors,
    hostPid: host.pid,
    resultsRoot,
    screenshot: async (name) => {
      const png = await page.screenshot({ fullPage: false });
      await writeFile(join(SCREENSHOTS, `${name}.png`), png);
      return png;
    },
    close: async () => {
      await browser.close();
      host.kill('SIGTERM');
      await new Promise((r) => (host.exitCode !== null ? r(undefined) : host.once('exit', r)));
      await rm(resultsRoot, { recursive: true, force: true });
    },
  };
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { requireBinary } from '../../support/components.js';

/** Builds the console page with Vite and drives it in Debian's Chromium (never a downloaded browser). */

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const SCREENSHOTS = join(root, 'test-results/screenshots');

/** `vite build` of src/console/web into a fresh temp dir; returns the dir (remove it after). */
export async function buildPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  const { build } = await import('vite');
  await build({
    configFile: join(root, 'src/console/web/vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = requireBinary('/usr/bin/chromium', 'chromium');
  return chromium.launch({
    executablePath,
    timeout: 30_000,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page whose console errors, CSP violations and uncaught exceptions are collected. */
export interface WatchedPage {
  page: Page;
  /** `console.error` lines and uncaught page errors. */
  errors: string[];
  /** Messages about Content-Security-Policy violations (console and `securitypolicyviolation`). */
  cspViolations: string[];
}

export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/content security policy|refused to (load|execute|apply|connect|evaluate)/i.test(text))
      cspViolations.push(text);
    if (message.type() === 'error') errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { page, errors, cspViolations };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits until the chart's uPlot canvas is laid out with a non-zero size; returns it. */
export async function waitForCanvas(page: Page, testid: string): Promise<{ width: number; height: number }> {
  const canvas = page.locator(`[data-testid="chart-${testid}"] canvas`).first();
  await canvas.waitFor({ state: 'visible' });
  for (let i = 0; i < 50; i++) {
    const box = await canvas.boundingBox();
    if (box !== null && box.width > 0 && box.height > 0) return { width: box.width, height: box.height };
    await page.waitForTimeout(100);
  }
  throw new Error(`chart-${testid}: the uPlot canvas never got a size`);
}

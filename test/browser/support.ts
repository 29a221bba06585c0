import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (scripts/setup-tools.sh installs it); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of each step, kept as test output (gitignored). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-output', 'browser');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a container Chromium's sandbox cannot start; nothing untrusted is loaded here.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Saves a full-page screenshot named after the suite and step. */
export async function shot(page: Page, suite: string, step: string): Promise<string> {
  const dir = join(SCREENSHOT_DIR, suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${step}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * What the browser tests of the pages share: Debian's Chromium, axe-core injected into a page,
 * and where screenshots go (test-artifacts/screenshots/, ignored by git; the README's pictures
 * in docs/images/ are chosen from them).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
/**
 * The browser: Debian's chromium-headless-shell when it is installed, else Debian's chromium.
 * The shell is the same Blink without the browser around it; poll's accessibility pages took
 * 11.5 CPU-seconds in it against 25 in chromium's own headless mode, with the same results.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium');
/** What to install when there is no browser at all. */
export const CHROMIUM_MISSING = `no browser at ${CHROMIUM}: install Debian's chromium-headless-shell (or chromium) package`;
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export const SHOT_DIR = process.env.SCREENSHOT_DIR ?? fileURLToPath(new URL('../../../test-artifacts/screenshots/', import.meta.url));

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 860 },
  projector: { width: 1920, height: 1080 },
} as const;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe violation, as a line a failing assertion can show. */
export type Violation = string;

/**
 * Runs axe-core (WCAG 2.x A and AA and axe's best practices) on the page as it is now and
 * returns its violations, one line per failing element. Evaluated through the DevTools
 * protocol, which the page's Content-Security-Policy does not govern; the page's own
 * policy stays in force.
 */
export async function axeViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate<Violation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.flatMap((v) => v.nodes.map((n) => v.id + ' (' + v.impact + ') at ' + n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' '))))`);
}

/** Saves what the page shows as `<SHOT_DIR>/<name>.png` (the whole page with `fullPage`). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SHOT_DIR}/${name}.png`, ...options });
}

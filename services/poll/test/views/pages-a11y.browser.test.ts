/**
 * Every page of poll in a real browser: axe-core finds no violation, light and dark, phone
 * and desktop; after a vote, focus is on the confirmation; and the screenshots of the voting
 * and admin pages (test-artifacts/screenshots/, the README's pictures are chosen from them).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { axeViolations, CHROMIUM, CHROMIUM_MISSING, launchChromium, screenshot, VIEWPORTS } from '../../../result/test/page-tools.js';
import { startHarness, type Harness } from '../helpers.js';

const TOKEN = 'a11y-admin-token-0123456789abcdef';

describe('poll pages: accessibility and screenshots', { skip: existsSync(CHROMIUM) ? false : CHROMIUM_MISSING }, () => {
  let h: Harness;
  let browser: Browser;
  let base: string;

  before(async () => {
    h = await startHarness({ ADMIN_TOKEN: TOKEN, RESULT_URL: 'https://results.example.org/' });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  async function loggedIn(context: BrowserContext): Promise<void> {
    const page = await context.newPage();
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Polls' }).waitFor();
    await page.close();
  }

  it('has no axe violation on any page, light and dark, phone and desktop', async () => {
    const found: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of Object.entries({ phone: VIEWPORTS.phone, desktop: VIEWPORTS.desktop })) {
        const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
        const page = await context.newPage();
        const check = async (name: string) => {
          for (const v of await axeViolations(page)) found.push(`${name} ${colorScheme} ${size}: ${v}`);
          const [scroll, client] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]');
          if (scroll > client) found.push(`${name} ${colorScheme} ${size}: ${scroll}px wide on a ${client}px screen`);
        };
        await page.goto(`${base}/admin`);
        await check('admin login');
        await loggedIn(context);
        for (const [name, path] of [
          ['voting', '/'],
          ['voting lunch', '/polls/lunch'],
          ['polls', '/polls'],
          ['share', '/polls/lunch/share'],
          ['admin', '/admin'],
          ['not found', '/nothing/here'],
          ['poll not found', '/polls/nope'],
        ] as const) {
          await page.goto(`${base}${path}`);
          await check(name);
        }
        await page.goto(`${base}/polls/lunch`);
        await page.getByRole('button', { name: 'Soup' }).click();
        await page.getByRole('status').waitFor();
        await check('voted');
        await context.close();
      }
    }
    assert.deepEqual(found, []);
  });

  it('moves focus to the confirmation after a vote, without script', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Birds' }).click();
    await page.waitForURL(`${base}/?voted=c`);
    assert.equal(await page.evaluate<string>('document.activeElement.id'), 'confirmation');
    assert.match((await page.evaluate<string>('document.activeElement.textContent')) ?? '', /^Thanks! Your vote for Birds has been recorded\.$/);
    await context.close();
  });

  it('takes screenshots of the voting and admin pages, phone and desktop, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of Object.entries({ phone: VIEWPORTS.phone, desktop: VIEWPORTS.desktop })) {
        const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
        const page = await context.newPage();
        await page.goto(`${base}/polls/lunch`);
        await screenshot(page, `voting-${size}-${colorScheme}`);
        await page.getByRole('button', { name: 'Pizza' }).click();
        await page.getByRole('status').waitFor();
        await screenshot(page, `voted-${size}-${colorScheme}`);
        await loggedIn(context);
        await page.goto(`${base}/admin`);
        await screenshot(page, `admin-${size}-${colorScheme}`);
        await page.goto(`${base}/polls/lunch/share`);
        await screenshot(page, `share-${size}-${colorScheme}`);
        await context.close();
      }
    }
  });
});

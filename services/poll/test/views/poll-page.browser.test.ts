import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { signerFactory } from '@fastify/cookie';
import { CHROMIUM, CHROMIUM_MISSING, launchChromium } from '../../../result/test/page-tools.js';
import { COOKIE_SECRET, startHarness, type Harness } from '../helpers.js';


describe('voting page in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), CHROMIUM_MISSING);
    h = await startHarness();
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('votes with a click (no JavaScript on the page), confirms, and marks the choice; a second click changes it', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });

      await page.goto(`${base}/`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Which pet <em>wins</em>?');
      // The label that looks like a script is shown as text, not run.
      assert.equal(await page.getByRole('button', { name: '<script>alert("x")</script>' }).isVisible(), true);
      // (Expressions run in the page are strings: the tests are type-checked without the DOM library.)
      // The inline stylesheet is allowed by the page's CSP (its hash) and applied.
      assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('main')).borderTopLeftRadius"), '16px');
      // Mobile-friendly: nothing wider than a small phone's screen.
      const [scroll, client] = await page.evaluate<[number, number]>(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      );
      assert.ok(scroll <= client, `page is ${scroll}px wide on a ${client}px screen`);

      await page.getByRole('button', { name: 'Dogs & "friends"' }).click();
      await page.waitForURL(`${base}/?voted=b`);
      const status = page.getByRole('status');
      assert.equal((await status.textContent())?.trim(), 'Thanks! Your vote for Dogs & "friends" has been recorded.');
      assert.equal(await page.getByRole('button', { name: /Dogs/ }).getAttribute('aria-current'), 'true');
      assert.equal(await page.getByRole('button', { name: 'Birds' }).getAttribute('aria-current'), null);

      const voterCookie = (await context.cookies()).find((c) => c.name === 'bernstein_voter');
      assert.ok(voterCookie, 'the browser keeps the voter cookie');
      assert.equal(voterCookie.httpOnly, true);
      assert.equal(voterCookie.sameSite, 'Lax');
      const voter = signerFactory(COOKIE_SECRET).unsign(decodeURIComponent(voterCookie.value)).value;

      await page.getByRole('button', { name: 'Birds' }).click();
      await page.waitForURL(`${base}/?voted=c`);
      assert.equal(await page.getByRole('button', { name: /Birds/ }).getAttribute('aria-current'), 'true');

      const entries = await h.entries();
      assert.deepEqual(
        entries.map((e) => [e.fields.voter, e.fields.option]),
        [
          [voter, 'b'],
          [voter, 'c'],
        ],
      );
      assert.deepEqual(problems, [], 'no console errors (CSP violations) and no script dialogs');
    } finally {
      await context.close();
    }
  });
});

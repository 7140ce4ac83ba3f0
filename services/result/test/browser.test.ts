import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { castVotes, startDatabase, startResult, untilListening, votesFor, voterId, type ResultInstance, type TestDatabase } from './helpers.js';
import { CHROMIUM, CHROMIUM_MISSING, launchChromium, screenshot } from './page-tools.js';

/** Runs in the page: the rendered width of an element (structural, as this project compiles without the DOM lib). */
const widthOf = (el: { getBoundingClientRect(): { width: number } }): number => el.getBoundingClientRect().width;

describe('results page in a real browser', { skip: existsSync(CHROMIUM) ? false : CHROMIUM_MISSING }, () => {
  let database: TestDatabase;
  let result: ResultInstance;
  let browser: Browser;

  before(async () => {
    database = await startDatabase();
    await castVotes(database.db, votesFor('default', [['a', 12], ['b', 17], ['c', 5], ['d', 2]]));
    result = await startResult(database);
    await untilListening(result);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await result?.close();
    await database?.close();
  });

  it('shows the tallies, then moves bars and counts live after a vote, without reloading', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 720 }, deviceScaleFactor: 1 });
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await page.goto(result.url);
    const dogs = page.locator('li[data-id="b"]');
    const fish = page.locator('li[data-id="d"]');
    await page.locator('#status.live').waitFor();
    assert.equal(await page.locator('#total').textContent(), '36');
    assert.equal(await fish.locator('.n').textContent(), '2');
    assert.match((await dogs.getAttribute('class')) ?? '', /leader/);
    const fishWidthBefore = await fish.locator('.fill').evaluate(widthOf);

    // 20 voters switch to Fish and 10 new ones join: Fish takes the lead.
    await castVotes(database.db, [
      ...Array.from({ length: 20 }, (_, i) => ({ poll: 'default', voter: voterId(i), option: 'd' })),
      ...Array.from({ length: 10 }, (_, i) => ({ poll: 'default', voter: voterId(100 + i), option: 'd' })),
    ]);

    // Locators, not string predicates: waitForFunction would evaluate a string with eval,
    // which the page's Content-Security-Policy forbids (as it should).
    await page.locator('li[data-id="d"] .n', { hasText: /^32$/ }).waitFor();
    await page.locator('#total', { hasText: /^46$/ }).waitFor();
    assert.match((await fish.getAttribute('class')) ?? '', /leader/);
    assert.doesNotMatch((await dogs.getAttribute('class')) ?? '', /leader/);
    assert.equal(await fish.locator('.pct').textContent(), '70%');
    await page.waitForTimeout(900); // let the bar animation finish before measuring and the screenshot
    const fishWidthAfter = await fish.locator('.fill').evaluate(widthOf);
    assert.ok(fishWidthAfter > fishWidthBefore * 5, `the bar grew (${fishWidthBefore} → ${fishWidthAfter})`);
    assert.equal(navigations, 1, 'no reload');
    assert.equal(await page.locator('#status').textContent(), 'Live');

    await screenshot(page, 'results-page');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'results-page-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // PostgreSQL goes away: the page keeps the numbers and says they are stale.
    await database.server.stop();
    await page.locator('#status.stale').waitFor();
    assert.equal(await page.locator('#status').textContent(), 'Stale · database unreachable');
    assert.equal(await fish.locator('.n').textContent(), '32');
    await screenshot(page, 'results-page-stale');
    await page.setViewportSize({ width: 390, height: 760 });
    await screenshot(page, 'results-page-narrow');
    await page.close();
  });
});

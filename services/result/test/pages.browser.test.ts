import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { UPSERT_POLL_SQL } from '../../worker/src/batch.js';
import { castVotes, eventually, startDatabase, startResult, untilListening, votesFor, voterId, type ResultInstance, type TestDatabase } from './helpers.js';
import { axeViolations, CHROMIUM, CHROMIUM_MISSING, launchChromium, screenshot, VIEWPORTS } from './page-tools.js';

const POLL_URL = 'https://vote.example.org/';

/** Every page of result, and what shows that its script (if any) has settled. */
const PAGES = [
  { name: 'results', path: '/', ready: '#status.live' },
  { name: 'results-lunch', path: '/polls/lunch', ready: '#status.live' },
  { name: 'present', path: '/polls/default/present', ready: '#status.live' },
  { name: 'polls', path: '/polls', ready: 'h1' },
  { name: 'poll-not-found', path: '/polls/nope', ready: 'h1' },
  { name: 'page-not-found', path: '/polls/default/nothing/here', ready: 'h1' },
] as const;

describe('result pages in a real browser', { skip: existsSync(CHROMIUM) ? false : CHROMIUM_MISSING }, () => {
  let database: TestDatabase;
  let result: ResultInstance;
  let browser: Browser;

  before(async () => {
    database = await startDatabase();
    const votes = votesFor('default', [['a', 41], ['b', 58], ['c', 23], ['d', 9]]);
    await castVotes(database.db, [...votes, { poll: 'lunch', voter: voterId(1), option: 'ramen' }]);
    result = await startResult(database, { app: { pollUrl: POLL_URL } });
    await untilListening(result);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await result?.close();
    await database?.close();
  });

  /** A poll defined through poll's API, as the worker writes it (result hears of it by NOTIFY). */
  let seq = 0;
  async function writePoll(
    id: string,
    status: 'open' | 'closed',
    question = 'Where do you deploy?',
    options = [
      { id: 'k8s', label: 'Kubernetes' },
      { id: 'compose', label: 'Compose' },
      { id: 'systemd', label: 'systemd units' },
    ],
  ): Promise<void> {
    const definition = {
      question,
      options,
      access: 'open',
      closesAt: null,
      createdAt: '2026-11-29T18:00:00.000Z',
    };
    const now = Date.now();
    await database.db.query(UPSERT_POLL_SQL, [id, JSON.stringify(definition), status, false, now, String(now), String(++seq), status === 'closed' ? now : null]);
    await eventually(`poll ${id} ${status}`, () => (result.store.polls.get(id)?.status === status ? true : undefined));
  }

  async function open(path: string, colorScheme: 'light' | 'dark', viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce', deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${result.url}${path}`);
    return { page, problems };
  }

  it('has no axe violation on any page, light and dark, phone and desktop', async () => {
    const found: string[] = [];
    // One browser context per colour scheme and size, going from page to page (as poll's
    // accessibility test does): a fresh context per page cost a renderer process each.
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of Object.entries({ phone: VIEWPORTS.phone, desktop: VIEWPORTS.desktop })) {
        const { page, problems } = await open(PAGES[0].path, colorScheme, viewport);
        for (const [i, { name, path, ready }] of PAGES.entries()) {
          if (i > 0) await page.goto(`${result.url}${path}`);
          await page.locator(ready).waitFor();
          for (const v of await axeViolations(page)) found.push(`${name} ${colorScheme} ${size}: ${v}`);
          // Nothing wider than the screen.
          const [scroll, client] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]');
          if (scroll > client) found.push(`${name} ${colorScheme} ${size}: ${scroll}px wide on a ${client}px screen`);
          // What this page logged (an error the previous one logged late is still reported here).
          for (const p of problems.splice(0)) if (!/status of 404/.test(p)) found.push(`${name} ${colorScheme} ${size}: console: ${p}`);
        }
        await page.context().close();
      }
    }
    assert.deepEqual(found, []);
  });

  it('present view: large type at 1920×1080, the QR code beside the bars, updated live', async () => {
    const { page } = await open('/polls/default/present', 'dark', VIEWPORTS.projector);
    await page.locator('#status.live').waitFor();
    const sizes = await page.evaluate<{ h1: number; label: number; qr: { x: number; width: number }; bars: { right: number } }>(`(() => {
      const px = (s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
      const qr = document.querySelector('.qr').getBoundingClientRect();
      const bars = document.querySelector('ol.options').getBoundingClientRect();
      return { h1: px('h1'), label: px('.label'), qr: { x: qr.x, width: qr.width }, bars: { right: bars.right } };
    })()`);
    assert.ok(sizes.h1 >= 60, `question at ${sizes.h1}px`);
    assert.ok(sizes.label >= 36, `option labels at ${sizes.label}px`);
    assert.ok(sizes.qr.width >= 320, `QR code ${sizes.qr.width}px wide`);
    assert.ok(sizes.qr.x > sizes.bars.right, 'the QR code is beside the bars');
    assert.equal(await page.locator('.join .url').textContent(), 'vote.example.org');
    assert.equal(await page.locator('li[data-id="b"] .pct').textContent(), '44%');

    await castVotes(database.db, Array.from({ length: 60 }, (_, i) => ({ poll: 'default', voter: voterId(1000 + i), option: 'd' })));
    await page.locator('#total', { hasText: /^191$/ }).waitFor();
    await page.locator('li[data-id="d"] .n', { hasText: /^69$/ }).waitFor();
    assert.match((await page.locator('li[data-id="d"]').getAttribute('class')) ?? '', /leader/);
    // 41, 58, 23, 69 of 191: 21.47, 30.37, 12.04, 36.13 → 21 + 30 + 12 + 36 = 99, one point to the largest remainder.
    const shares = await page.locator('.pct').allTextContents();
    assert.deepEqual(shares, ['22%', '30%', '12%', '36%']);
    assert.match((await page.locator('#updated').textContent()) ?? '', /^Updated \d\d:\d\d:\d\d UTC$/);
    await page.waitForTimeout(300);
    await screenshot(page, 'present-desktop-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'present-desktop-light');
    await page.setViewportSize(VIEWPORTS.phone);
    await screenshot(page, 'present-phone-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'present-phone-dark');
    await page.context().close();
  });

  it('present view: turns to the closed state, live, when the poll is closed', async () => {
    await writePoll('talk', 'open');
    await castVotes(database.db, [
      ...Array.from({ length: 31 }, (_, i) => ({ poll: 'talk', voter: voterId(i), option: 'k8s' })),
      ...Array.from({ length: 17 }, (_, i) => ({ poll: 'talk', voter: voterId(100 + i), option: 'compose' })),
      ...Array.from({ length: 6 }, (_, i) => ({ poll: 'talk', voter: voterId(200 + i), option: 'systemd' })),
    ]);
    const { page } = await open('/polls/talk', 'light', VIEWPORTS.desktop);
    await page.locator('#status.live').waitFor();
    await page.goto(`${result.url}/polls/talk/present`);
    await page.locator('#status.live').waitFor();
    await page.locator('.join .qr').waitFor();
    assert.equal(await page.locator('.join .url').textContent(), 'vote.example.org/polls/talk');
    await page.setViewportSize(VIEWPORTS.projector);
    await page.waitForTimeout(300);
    await screenshot(page, 'present-open-desktop-light');

    await writePoll('talk', 'closed');
    await page.locator('#status.closed', { hasText: 'Final result' }).waitFor();
    assert.equal(await page.locator('.join .qr').isVisible(), false, 'no code to scan once voting has closed');
    assert.equal(await page.locator('.join h2:visible').textContent(), 'Voting has closed');
    assert.equal(await page.locator('.eyebrow').innerText(), 'RESULTS');
    assert.deepEqual(await page.locator('.pct').allTextContents(), ['57%', '32%', '11%'], '31, 17, 6 of 54: 57.41, 31.48, 11.11: the point left over goes to .48');
    assert.deepEqual(await axeViolations(page), []);
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `present-closed-desktop-${colorScheme}`);
    }
    // The results page of a closed poll says so and no longer offers to vote.
    await page.goto(`${result.url}/polls/talk`);
    assert.equal(await page.locator('#closed').isVisible(), true);
    assert.equal(await page.getByRole('link', { name: 'Vote' }).count(), 0);
    await page.context().close();
  });

  it('present view: 20 options fit a 1920×1080 screen in two columns', async () => {
    const topics = ['Containers', 'Pods and probes', 'Services', 'Ingress and Traefik', 'ConfigMaps', 'Secrets', 'Volumes', 'StatefulSets', 'Jobs', 'CronJobs'];
    const options = Array.from({ length: 20 }, (_, i) => ({ id: `o${i + 1}`, label: `${topics[i % 10] ?? ''} (part ${i < 10 ? 1 : 2})` }));
    await writePoll('many', 'open', 'Which of these twenty options would you pick for the next course session?', options);
    // One vote each, and three more for the fourth option: 23 votes, shares of 4.35 % and 17.39 %.
    await castVotes(database.db, [...options, options[3], options[3], options[3]].map((o, i) => ({ poll: 'many', voter: voterId(5000 + i), option: o?.id ?? '' })));
    const { page } = await open('/polls/many/present', 'dark', VIEWPORTS.projector);
    await page.locator('#status.live').waitFor();
    const [scrollHeight, innerHeight, label] = await page.evaluate<[number, number, number]>(
      "[document.documentElement.scrollHeight, innerHeight, parseFloat(getComputedStyle(document.querySelector('.label')).fontSize)]",
    );
    await screenshot(page, 'present-20-options-desktop-dark');
    assert.ok(scrollHeight <= innerHeight, `the page is ${scrollHeight}px tall on a ${innerHeight}px screen`);
    assert.ok(label >= 22, `labels at ${label}px`);
    // 19 × 4.35 + 17.39: floors 19 × 4 + 17 = 93; the 7 points left go to the largest remainders (.39 first, then six of the .35s).
    const shares = (await page.locator('.pct').allTextContents()).map((t) => Number.parseInt(t, 10));
    assert.equal(shares.reduce((a, b) => a + b, 0), 100);
    assert.equal(shares[3], 18);
    await screenshot(page, 'present-20-options-desktop-dark');
    await page.context().close();
  });

  it('results page screenshots, phone and desktop, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of Object.entries({ phone: VIEWPORTS.phone, desktop: VIEWPORTS.desktop })) {
        const { page } = await open('/', colorScheme, viewport);
        await page.locator('#status.live').waitFor();
        await screenshot(page, `results-${size}-${colorScheme}`);
        await page.context().close();
      }
      const { page } = await open('/polls', colorScheme, VIEWPORTS.desktop);
      await screenshot(page, `polls-desktop-${colorScheme}`);
      await page.goto(`${result.url}/polls/nope`);
      await screenshot(page, `error-desktop-${colorScheme}`);
      await page.context().close();
    }
  });
});

/**
 * The admin page in a real browser (Debian's Chromium through playwright-core): log in with
 * the admin token, create a poll, vote in it, see its share panel, close it; the voting page
 * then says voting has closed. Also: the session cookie's attributes and the cross-site guard.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, launchChromium, screenshot } from '../../result/test/page-tools.js';
import { FORM_HEADERS, setCookies, startHarness, type Harness } from './helpers.js';

const TOKEN = 'browser-admin-token-0123456789';

describe('admin page in a real browser', { skip: existsSync(CHROMIUM) ? false : CHROMIUM_MISSING }, () => {
  let h: Harness;
  let browser: Browser;
  let url: string;

  before(async () => {
    h = await startHarness({ ADMIN_TOKEN: TOKEN });
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('logs in, creates a poll, shares it, closes it; the voting page then says voting has closed', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${url}/admin`);
    await page.getByLabel('Admin token').fill('not the token');
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'That is not the admin token.');
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Polls' }).waitFor();

    await page.getByLabel('Question').fill('Lonely?');
    await page.getByLabel('Answers, one per line (2 to 20)').fill('Only one\n');
    await page.getByRole('button', { name: 'Create poll' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'invalid poll definition: "options" must have 2 to 20 options, not 1');
    assert.equal(await page.locator('tr', { hasText: 'Lonely?' }).count(), 0, 'nothing created');

    await page.getByLabel('Question').fill('Coffee or tea?');
    await page.getByLabel('Answers, one per line (2 to 20)').fill('Coffee\nTea\n');
    await page.getByRole('button', { name: 'Create poll' }).click();
    assert.equal(await page.getByRole('status').textContent(), 'The poll was created.');
    const row = page.locator('tr', { hasText: 'Coffee or tea?' });
    assert.equal(await row.locator('td').nth(1).textContent(), 'open');

    const [poll] = ((await (await fetch(`${url}/api/polls`)).json()) as { polls: { id: string; managedBy: string }[] }).polls.filter(
      (p) => p.managedBy === 'api',
    );
    assert.ok(poll, 'the created poll is listed');
    await row.getByRole('link', { name: 'share' }).click();
    assert.equal(await page.locator('#join-url').textContent(), `${url}/polls/${poll.id}`);
    assert.equal(await page.locator('svg.qr').count(), 1, 'the QR code is an inline SVG');

    const voter = await browser.newContext({ javaScriptEnabled: false });
    const ballot = await voter.newPage();
    await ballot.goto(`${url}/polls/${poll.id}`);
    await ballot.getByRole('button', { name: 'Tea' }).click();
    assert.match((await ballot.getByRole('status').textContent()) ?? '', /Your vote for Tea has been recorded/);

    await page.goto(`${url}/admin`);
    await page.locator('tr', { hasText: 'Coffee or tea?' }).getByRole('button', { name: 'Close' }).click();
    assert.equal(await page.getByRole('status').textContent(), 'The poll was closed.');
    assert.equal(await page.locator('tr', { hasText: 'Coffee or tea?' }).locator('td').nth(1).textContent(), 'closed');
    for (const [name, width, height] of [['desktop', 1280, 900], ['phone', 390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await screenshot(page, `poll-admin-${name}`, { fullPage: true });
    }

    await ballot.goto(`${url}/polls/${poll.id}`);
    assert.equal(await ballot.locator('#closed').textContent(), 'Voting has closed. No more votes are taken.');
    assert.equal(await ballot.getByRole('button', { name: 'Tea' }).count(), 0);
    await context.close();
    await voter.close();
  });

  it('sets an HttpOnly, SameSite=Strict session cookie, and refuses cross-site or unauthenticated posts', async () => {
    const login = await fetch(`${url}/admin/login`, { method: 'POST', headers: FORM_HEADERS, body: `token=${TOKEN}`, redirect: 'manual' });
    assert.equal(login.status, 303);
    const cookie = setCookies({ 'set-cookie': login.headers.getSetCookie() }).get('bernstein_admin') ?? '';
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.doesNotMatch(cookie, new RegExp(TOKEN), 'the cookie never holds the token');
    const session = cookie.slice(0, cookie.indexOf(';'));
    const before = await h.streamLength();
    const forged = await fetch(`${url}/admin/polls`, {
      method: 'POST',
      headers: { ...FORM_HEADERS, cookie: session, origin: 'https://evil.example' },
      body: 'question=Forged&options=A%0AB',
      redirect: 'manual',
    });
    assert.equal(forged.status, 403);
    const anonymous = await fetch(`${url}/admin/polls`, { method: 'POST', headers: FORM_HEADERS, body: 'question=Anon&options=A%0AB', redirect: 'manual' });
    assert.equal(anonymous.status, 401);
    assert.equal(await h.streamLength(), before, 'nothing created');
  });
});

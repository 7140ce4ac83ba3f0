/**
 * Cross-site request forgery in a real browser: the visitor votes on poll, then opens a page
 * of another origin (another local port, and another host name) that posts the voting form
 * at poll in three ways: an auto-submitted form, a hidden iframe with one, and a burst of
 * `fetch(…, {mode: 'no-cors'})`. No vote may count, and the visitor keeps their cookie and
 * vote. 127.0.0.1:<other port> is same-site with poll (the Lax cookie IS sent), which tests
 * the Origin check itself; localhost:<other port> is cross-site (the cookie is not sent).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, launchChromium } from '../../../result/test/page-tools.js';
import { startHarness, type Harness } from '../helpers.js';


/** The attacker's pages, all aimed at `target` (poll's form URL). */
function attackerPages(target: string): Record<string, string> {
  const form = (id: string) =>
    `<form id="${id}" method="post" action="${target}"><input type="hidden" name="vote" value="c"></form>`;
  return {
    '/form': `<!doctype html><body>${form('f')}<script>document.getElementById('f').submit()</script></body>`,
    '/iframe-inner': `<!doctype html><body>${form('f')}<script>document.getElementById('f').submit()</script></body>`,
    '/iframe': `<!doctype html><body><iframe src="/iframe-inner" style="display:none" onload="document.title='loaded'"></iframe></body>`,
    '/fetch': `<!doctype html><body><script>
      Promise.allSettled(Array.from({ length: 20 }, () => fetch(${JSON.stringify(target)}, {
        method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'vote=c',
      }))).then(() => { document.title = 'done'; });
    </script></body>`,
  };
}

function serve(pages: Record<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('cross-site forged votes in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  let attacker: Server;
  let attackerPort: number;
  const hits: { url: string; origin: string | undefined; status: number }[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), CHROMIUM_MISSING);
    h = await startHarness();
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    // What reached poll, as its HTTP server saw it.
    h.app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST') res.on('finish', () => hits.push({ url: req.url ?? '', origin: req.headers.origin, status: res.statusCode }));
    });
    attacker = await serve(attackerPages(`${base}/`));
    attackerPort = (attacker.address() as AddressInfo).port;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    attacker?.close();
    await h?.close();
  });

  for (const attackerHost of ['127.0.0.1', 'localhost']) {
    it(`counts no vote from pages on http://${attackerHost}:<other port>, and leaves the visitor's cookie and vote alone`, async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${base}/`);
        await page.getByRole('button', { name: 'Birds' }).click();
        await page.waitForURL(`${base}/?voted=c`);
        const cookieBefore = (await context.cookies()).find((c) => c.name === 'bernstein_voter');
        assert.ok(cookieBefore);
        await page.goto(`${base}/`);
        await page.getByRole('button', { name: 'Dogs & "friends"' }).click();
        await page.waitForURL(`${base}/?voted=b`);
        const streamBefore = await h.streamLength();
        hits.length = 0;

        const evil = `http://${attackerHost}:${attackerPort}`;
        // 1. An auto-submitting form: the top-level page ends on poll's 403 page.
        const navigation = page.waitForResponse((r) => r.url() === `${base}/` && r.request().method() === 'POST');
        await page.goto(`${evil}/form`);
        const forged = await navigation;
        assert.equal(forged.status(), 403);
        await page.waitForLoadState();
        assert.match(await page.content(), /This vote was sent from another website, so it was not recorded\./);
        // 2. A hidden iframe that submits the form.
        await page.goto(`${evil}/iframe`);
        await page.waitForFunction("document.title === 'loaded'");
        // 3. Twenty fetch(no-cors) posts.
        await page.goto(`${evil}/fetch`);
        await page.waitForFunction("document.title === 'done'", undefined, { timeout: 15_000 });

        const forgedHits = hits.filter((x) => x.origin === evil);
        assert.equal(forgedHits.length, 22, `form + iframe + 20 fetches reached poll: ${JSON.stringify(hits)}`);
        assert.deepEqual([...new Set(forgedHits.map((x) => x.status))], [403], 'every forged post refused');
        assert.equal(await h.streamLength(), streamBefore, 'no vote counted');
        const cookieAfter = (await context.cookies()).find((c) => c.name === 'bernstein_voter');
        assert.equal(cookieAfter?.value, cookieBefore.value, "the visitor's cookie is unchanged");
        await page.goto(`${base}/`);
        assert.equal(await page.getByRole('button', { name: /Dogs/ }).getAttribute('aria-current'), 'true', 'their vote is still Dogs');
      } finally {
        await context.close();
      }
    });
  }
});

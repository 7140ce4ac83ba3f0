import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { castVotes, eventually, startDatabase, voterId, type TestDatabase } from './helpers.js';
import { CHROMIUM, CHROMIUM_MISSING, launchChromium } from './page-tools.js';

const KEEPALIVE_MS = 500;

describe('live indicator against a frozen result process', { skip: existsSync(CHROMIUM) ? false : CHROMIUM_MISSING }, () => {
  let database: TestDatabase;
  let child: ChildProcess;
  let url: string;
  let browser: Browser;

  before(async () => {
    database = await startDatabase();
    await castVotes(database.db, [{ poll: 'default', voter: voterId(1), option: 'a' }]);
    // NODE_OPTIONS (tsx, source conditions) comes from the test runner.
    child = spawn(process.execPath, [fileURLToPath(new URL('./frozen-server.ts', import.meta.url))], {
      env: { ...process.env, TEST_POSTGRES: JSON.stringify(database.connection), KEEPALIVE_MS: String(KEEPALIVE_MS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    url = (JSON.parse(line) as { url: string }).url;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await database?.close();
  });

  it('says Live while events arrive, Reconnecting… once two keepalives are missed, Live again after; each change announced once', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.locator('#status.live').waitFor();
    // Every text the live region takes from now on (what a screen reader would announce).
    await page.evaluate(`(() => { window.said = []; const st = document.querySelector('#status .st');
      new MutationObserver(() => window.said.push(st.textContent)).observe(st, { childList: true, characterData: true, subtree: true }); })()`);

    // Quiet but alive: keepalives hold "Live" over several intervals without any vote.
    await page.waitForTimeout(KEEPALIVE_MS * 5);
    assert.equal(await page.locator('#status').textContent(), 'Live');

    child.kill('SIGSTOP');
    const frozenAt = Date.now();
    await page.locator('#status', { hasText: 'Reconnecting…' }).waitFor({ timeout: 10_000 });
    const noticed = Date.now() - frozenAt;
    assert.ok(noticed >= KEEPALIVE_MS * 1.5 && noticed <= KEEPALIVE_MS * 2 + 500 + 1500, `noticed after ${noticed} ms`);
    // A vote while the page cannot hear of it; several reconnection attempts pass.
    await castVotes(database.db, [{ poll: 'default', voter: voterId(2), option: 'b' }]);
    await page.waitForTimeout(KEEPALIVE_MS * 8);
    assert.equal(await page.locator('#status').textContent(), 'Reconnecting…');
    assert.equal(await page.locator('#total').textContent(), '1');

    child.kill('SIGCONT');
    await page.locator('#status.live').waitFor({ timeout: 15_000 });
    await page.locator('#total', { hasText: /^2$/ }).waitFor();
    assert.deepEqual(await page.evaluate<string[]>('window.said'), ['Reconnecting…', 'Live']);
    await eventually('no further change', async () => ((await page.evaluate<string[]>('window.said')).length === 2 ? true : undefined));
    await page.close();
  });
});

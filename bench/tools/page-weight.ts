/**
 * Page weight and first paint of every page of poll and result, in Debian's Chromium.
 *
 *   npm run build && node --conditions=source --import=tsx bench/tools/page-weight.ts [--runs 5] [--from-source]
 *
 * Starts the local system (`npm start`'s LocalStack: private Redis and PostgreSQL, one poll,
 * one worker, one result, from their built `dist/` unless --from-source), then opens each page
 * `--runs` times in a fresh browser context (empty cache, 1280×800, light) and reads the
 * browser's own timing: the Navigation Timing entry (bytes on the wire, headers included;
 * the HTML's size) and the Paint Timing entries (first paint, first contentful paint). Every
 * other request a page makes is counted too (there should be none: styles, script, icon and
 * QR code are inline). Prints a Markdown table, medians over the runs. Times depend on the
 * machine and on what else runs on it; sizes do not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalStack } from '@bernstein/local';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../services/result/test/page-tools.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'from-source': { type: 'boolean', default: false },
    chromium: { type: 'string', default: CHROMIUM },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const ADMIN_TOKEN = 'page-weight-admin-token-0123456789';

interface Sample {
  transfer: number;
  html: number;
  requests: number;
  firstPaint: number;
  firstContentfulPaint: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
};
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

async function measure(context: BrowserContext, url: string): Promise<Sample> {
  const page = await context.newPage();
  let requests = 0;
  page.on('request', () => requests++);
  await page.goto(url, { waitUntil: 'load' });
  // Paint entries arrive after the frame is drawn.
  await page.waitForTimeout(150);
  const timing = await page.evaluate<{ transfer: number; html: number; fp: number; fcp: number }>(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
    return { transfer: nav.transferSize, html: nav.decodedBodySize, fp: paint['first-paint'] ?? NaN, fcp: paint['first-contentful-paint'] ?? NaN };
  })()`);
  await page.close();
  return { transfer: timing.transfer, html: timing.html, requests, firstPaint: timing.fp, firstContentfulPaint: timing.fcp };
}

const dir = mkdtempSync(join(tmpdir(), 'bernstein-page-weight-'));
const stack = await LocalStack.start({
  dataDir: dir,
  env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, LOG_LEVEL: 'warn', ADMIN_TOKEN },
  pollPort: 0,
  resultPort: 0,
  fromSource: values['from-source'],
  output: () => undefined,
});
const browser = await chromium.launch({
  executablePath: values.chromium,
  args: CHROMIUM_ARGS,
});
try {
  const poll = stack.pollUrls[0] as string;
  const result = stack.resultUrl;
  // One vote, so the results have a bar and the voting page a confirmation to show.
  const voted = await fetch(`${poll}/api/polls/default/votes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"option":"b"}' });
  if (!voted.ok) throw new Error(`the vote was refused: ${voted.status} ${await voted.text()}`);
  const pages: [string, string][] = [
    ['poll: voting page', `${poll}/`],
    ['poll: after a vote (confirmation)', `${poll}/?voted=b`],
    ['poll: list of polls', `${poll}/polls`],
    ['poll: share panel (QR code)', `${poll}/polls/default/share`],
    ['poll: admin (log-in form)', `${poll}/admin`],
    ['poll: error page (404)', `${poll}/nothing`],
    ['result: results page', `${result}/`],
    ['result: present view (QR code)', `${result}/polls/default/present`],
    ['result: list of polls', `${result}/polls`],
    ['result: error page (404)', `${result}/polls/nothing`],
  ];
  process.stdout.write(`| Page | On the wire | HTML | Requests | First paint | First contentful paint |\n|---|---|---|---|---|---|\n`);
  for (const [name, url] of pages) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
      samples.push(await measure(context, url));
      await context.close();
    }
    const m = (f: (s: Sample) => number) => median(samples.map(f));
    process.stdout.write(
      `| ${name} | ${kb(m((s) => s.transfer))} | ${kb(m((s) => s.html))} | ${m((s) => s.requests)} | ${Math.round(m((s) => s.firstPaint))} ms | ${Math.round(m((s) => s.firstContentfulPaint))} ms |\n`,
    );
  }
  process.stdout.write(`\n${RUNS} runs per page, medians; Chromium ${browser.version()}, ${values['from-source'] ? 'services from src/ (tsx)' : 'services from dist/'}.\n`);
} finally {
  await browser.close();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}

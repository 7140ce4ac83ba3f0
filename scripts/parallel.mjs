#!/usr/bin/env node
// Runs npm scripts at the same time and prints each one's output as a block when it ends.
// Usage: node scripts/parallel.mjs build typecheck lint
// `npm test` runs build, type check and lint this way: each is one single-threaded
// TypeScript program, so on 2 cores they take the time of the longest (the lint) instead of
// the sum. Exits with 1 when any of them fails, after all have ended.
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node scripts/parallel.mjs <npm script> [<npm script> ...]');
  process.exit(2);
}

const npm = process.env.npm_execpath;
const runs = names.map(
  (name) =>
    new Promise((resolve) => {
      const started = performance.now();
      // Through the npm that runs us, when there is one, so the same npm runs each script.
      const child = npm ? spawn(process.execPath, [npm, 'run', name]) : spawn('npm', ['run', name]);
      const chunks = [];
      child.stdout.on('data', (d) => chunks.push(d));
      child.stderr.on('data', (d) => chunks.push(d));
      child.on('error', (err) => chunks.push(Buffer.from(`${err.message}\n`)));
      child.on('close', (code, signal) => {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const outcome = code === 0 ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`;
        process.stdout.write(`\n> npm run ${name}: ${outcome} in ${seconds} s\n${Buffer.concat(chunks).toString()}`);
        resolve(code === 0);
      });
    }),
);
const ok = (await Promise.all(runs)).every(Boolean);
process.exit(ok ? 0 : 1);

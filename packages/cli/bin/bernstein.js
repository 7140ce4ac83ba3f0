#!/usr/bin/env node
// Committed shim so npm links the `bernstein` command at install time, before the first build.
// It runs the compiled CLI; build it first with `npm run build`.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('bernstein: not built yet; run `npm run build` in the repository first\n');
  process.exit(2);
}
await import(compiled.href);

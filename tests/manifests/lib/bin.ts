#!/usr/bin/env node
/**
 * Usage: bernstein-render-manifests <output-directory>
 * Writes <name>.yaml for every overlay, component combination and side-by-side instance,
 * and prints each name with its object count. Exit 0 rendered, 1 a render failed, 2 usage.
 */
import { renderAll } from './render-all.js';

async function main(argv: string[]): Promise<number> {
  const [outDir, ...rest] = argv;
  if (outDir === undefined || rest.length > 0 || outDir.startsWith('-')) {
    process.stderr.write('usage: bernstein-render-manifests <output-directory>\n');
    return 2;
  }
  try {
    await renderAll(outDir, (name, r) => process.stdout.write(`${name}: ${r.objects.length} objects\n`));
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

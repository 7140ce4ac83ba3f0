#!/usr/bin/env node
/**
 * Usage: bernstein-cluster-sizes
 * Prints the cluster sizes table of docs/operations.md and deploy/kubernetes/README.md, as the
 * cluster model of `bernstein check` computes it (see cluster-sizes.ts). Needs kubectl.
 */
import { computeClusterSizes, sizesMarkdown } from './cluster-sizes.js';

try {
  process.stdout.write(`${sizesMarkdown(await computeClusterSizes())}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}

// Loads the TypeScript sources of this repository in the process that imports it:
//   node --import=./scripts/ts-loader/register.mjs file.ts
// The test runner puts it in NODE_OPTIONS, so every process a test spawns has it too.
// Why not tsx: tsx costs about 0.3 CPU-seconds per process (its resolver sees every module,
// node_modules included), and a test run starts some 300 Node processes. See README.md.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);

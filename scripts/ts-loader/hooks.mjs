// Module hooks (they run on Node's loader thread): `.ts` files are ES modules whose types
// esbuild strips, and a relative `./x.js` import from a `.ts` file means `./x.ts` when that
// exists (the NodeNext convention tsc checks). Anything else goes to Node untouched, so a
// process pays for this only on its own sources.
//
// The JavaScript of each source is cached on disk by content, so a warm run never starts
// esbuild; the cache is node_modules/.cache/bernstein/ts (delete it freely).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/bernstein/ts/', import.meta.url));
// Same semantics as tsc with tsconfig.base.json: imports stay as written
// (verbatimModuleSyntax), class fields are defined (target ES2022).
const TRANSFORM = {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};
const KEY = `bernstein-ts-loader 1 ${JSON.stringify(TRANSFORM)}`;
let esbuild;

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && specifier.endsWith('.js') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    const ts = new URL(`${specifier.slice(0, -3)}.ts`, parent);
    if (existsSync(ts)) return { url: ts.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = readFileSync(file, 'utf8');
  return { format: 'module', source: await compiled(file, source), shortCircuit: true };
}

async function compiled(file, source) {
  const key = createHash('sha256').update(KEY).update('\0').update(file).update('\0').update(source).digest('hex');
  const cached = `${cacheDir}${key}.js`;
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  esbuild ??= await import('esbuild');
  const { code } = await esbuild.transform(source, { ...TRANSFORM, sourcefile: file });
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Write then rename: processes that start together never read half a file.
    const partial = `${cached}.${process.pid}.partial`;
    writeFileSync(partial, code);
    renameSync(partial, cached);
  } catch {
    // A read-only tree still runs, only slower.
  }
  return code;
}

/**
 * Renders kustomizations with `kubectl kustomize` (kustomize v5 built into kubectl) and
 * parses the result into plain objects.
 *
 * Renders of deploy/kubernetes itself (its directories, every combination and instance) are
 * kept in a cache directory shared by all test files, keyed by a hash of everything the
 * render reads: every file under deploy/kubernetes, the generated kustomization, and the
 * kubectl binary. Many test files render the same overlays; one render each is enough.
 * BERNSTEIN_KUSTOMIZE_CACHE=off renders every time; a directory path moves the cache.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { instanceCheckDeclaration, instanceKustomization, instanceNamespace } from './instance.js';
import { kubernetesDir, type Combination, type OverlayName } from './layout.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Rendered {
  readonly yaml: string;
  readonly objects: K8sObject[];
}

export class RenderError extends Error {
  override readonly name = 'RenderError';
}

function kubectlKustomize(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new RenderError('kubectl not found on PATH: install kubectl (1.27 or newer, it bundles kustomize v5)'));
      } else if (err) {
        reject(new RenderError(`kubectl kustomize ${dir} failed: ${stderr.trim() || err.message}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

const cacheSetting = process.env.BERNSTEIN_KUSTOMIZE_CACHE ?? '';
// Per user: the temporary directory is shared, and another user's renders are neither
// writable for us nor ours to trust.
const cacheDir = cacheSetting === 'off' ? undefined : cacheSetting || join(tmpdir(), `bernstein-kustomize-cache-uid${userInfo().uid}`);

/** The path, size and modification time of the kubectl on the PATH (a new kubectl renders anew). */
function kubectlIdentity(): string {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (d === '') continue;
    try {
      const path = realpathSync(join(d, 'kubectl'));
      const st = statSync(path);
      if (st.isFile()) return `${path} ${st.size} ${st.mtimeMs}`;
    } catch {
      // not in this directory
    }
  }
  return 'no kubectl';
}

/** Every file under dir, path and content, in a fixed order. */
function hashTree(hash: ReturnType<typeof createHash>, dir: string, prefix = ''): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) hashTree(hash, path, `${name}/`);
    else {
      const content = readFileSync(path);
      hash.update(`${name}\0${content.length}\0`).update(content);
    }
  }
}

let treeKey: string | undefined;
/** The hash of deploy/kubernetes and kubectl, computed once per process (the tests do not edit the tree). */
function deploymentKey(): string {
  if (treeKey === undefined) {
    const hash = createHash('sha256').update(`${kubectlIdentity()}\0`);
    hashTree(hash, kubernetesDir);
    treeKey = hash.digest('hex');
  }
  return treeKey;
}

const DAY_MS = 24 * 60 * 60 * 1000;
let pruned: Promise<void> | undefined;
/** Drops renders written more than a day ago (of trees edited since), once per process. */
async function prune(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (st && now - st.mtimeMs > DAY_MS) await rm(path, { force: true });
  }
}

/**
 * `kubectl kustomize dir`, from the cache when dir is in deploy/kubernetes or is a generated
 * kustomization whose only inputs are its own files and deploy/kubernetes (generated: true).
 * Any other directory (such as a mutated copy of the base) is always rendered.
 */
async function kustomize(dir: string, generated = false): Promise<string> {
  const inside = !relative(kubernetesDir, dir).startsWith('..');
  if (cacheDir === undefined || (!inside && !generated)) return kubectlKustomize(dir);
  const hash = createHash('sha256').update(`${deploymentKey()}\0`);
  if (inside) hash.update(`dir\0${relative(kubernetesDir, dir)}`);
  else {
    // The generated files point back with relative paths, so their content names the tree.
    for (const name of (await readdir(dir)).sort()) hash.update(`${name}\0`).update(await readFile(join(dir, name)));
  }
  const file = join(cacheDir, `${hash.digest('hex')}.yaml`);
  try {
    return await readFile(file, 'utf8');
  } catch {
    // not rendered yet
  }
  const yaml = await kubectlKustomize(dir);
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  pruned ??= prune(cacheDir).catch(() => undefined);
  // Written whole, then renamed: a concurrent reader sees the old state or the full render.
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(partial, yaml);
  await rename(partial, file);
  return yaml;
}

export function parseManifests(text: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new RenderError(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const o = value as Partial<K8sObject>;
    if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new RenderError(`${source}: a document without apiVersion, kind or metadata.name`);
    }
    objects.push(o as K8sObject);
  }
  return objects;
}

/** Renders one kustomization directory. */
export async function renderDir(dir: string): Promise<Rendered> {
  const yaml = await kustomize(dir);
  return { yaml, objects: parseManifests(yaml, dir) };
}

/** Renders a kustomization that writeCombination or writeInstance generated. */
async function renderGenerated(dir: string): Promise<Rendered> {
  const yaml = await kustomize(dir, true);
  return { yaml, objects: parseManifests(yaml, dir) };
}

export function renderOverlay(name: OverlayName): Promise<Rendered> {
  return renderDir(join(kubernetesDir, 'overlays', name));
}

/** Kustomize refuses absolute paths: every generated kustomization points back relatively. */
function pathTo(from: string, to: string): string {
  return relative(from, to).split('\\').join('/') || '.';
}

/** Writes a kustomization of the base plus the given components under workDir/<name>. */
export async function writeCombination(workDir: string, combination: Combination): Promise<string> {
  const dir = join(workDir, combination.name);
  await mkdir(dir, { recursive: true });
  const root = pathTo(dir, kubernetesDir);
  const lines = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${root}/base`,
  ];
  if (combination.components.length > 0) {
    lines.push('components:', ...combination.components.map((c) => `  - ${root}/components/${c}`));
  }
  await writeFile(join(dir, 'kustomization.yaml'), lines.join('\n') + '\n');
  return dir;
}

export async function renderCombination(workDir: string, combination: Combination): Promise<Rendered> {
  return renderGenerated(await writeCombination(workDir, combination));
}

/** Writes the overlay of instance n under workDir/instance-<n>. */
export async function writeInstance(workDir: string, n: number): Promise<string> {
  const dir = join(workDir, `instance-${n}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'kustomization.yaml'), instanceKustomization(n, pathTo(dir, kubernetesDir)));
  await writeFile(join(dir, 'namespace.yaml'), instanceNamespace(n));
  await writeFile(join(dir, 'bernstein-check.yaml'), instanceCheckDeclaration(n));
  return dir;
}

export async function renderInstance(workDir: string, n: number): Promise<Rendered> {
  return renderGenerated(await writeInstance(workDir, n));
}

/**
 * Renders kustomizations with `kubectl kustomize` (kustomize v5 built into kubectl) and
 * parses the result into plain objects.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
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

function kustomize(dir: string): Promise<string> {
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
  return renderDir(await writeCombination(workDir, combination));
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
  return renderDir(await writeInstance(workDir, n));
}

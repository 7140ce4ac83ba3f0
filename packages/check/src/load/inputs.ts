/**
 * Expands the paths given on the command line into units to check: each Kustomize directory is
 * rendered and checked on its own; every other file found is part of one unit of loose files.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parse as parseYamlValue } from 'yaml';
import { loadUnitConfigFile } from '../config.js';
import { UNIT_CONFIG_FILE, type ComposeFile, type Dockerfile, type ExternalObject, type K8sObject, type ManifestFile, type ParseProblem, type Unit } from '../model.js';
import { DOCKERFILE_NAMES, parseDockerfile } from './dockerfile.js';
import { KUSTOMIZATION_FILES, renderKustomize } from './kustomize.js';
import { COMPOSE_NAMES, composeFrom, looksLikeCompose, objectsFrom } from './objects.js';
import { at, list, record } from '../read.js';
import { validatorFor } from '../schema/kubernetes.js';
import { isTraefikKind } from '../schema/traefik.js';
import { parseYaml, toData } from './yaml.js';

export class InputError extends Error {}

/**
 * Starts loading the schema validators of these objects' kinds, so the module reads overlap with
 * parsing the next files instead of waiting until every file is parsed (the engine awaits them).
 */
function prefetchValidators(objects: readonly K8sObject[]): void {
  for (const o of objects) if (!isTraefikKind(o.apiVersion, o.kind)) void validatorFor(o.apiVersion, o.kind);
}

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);
const YAML_FILE = /\.ya?ml$/;

export interface LoadOptions {
  readonly cwd?: string;
}

/** Shown paths are relative to the working directory, so reports are portable. */
function show(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

export async function loadUnits(paths: readonly string[], opts: LoadOptions = {}): Promise<Unit[]> {
  const cwd = opts.cwd ?? process.cwd();
  const loose: Loose = { files: [], roots: [] };
  const units: Unit[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const st = await stat(abs).catch(() => undefined);
    if (!st) throw new InputError(`${p}: no such file or directory`);
    if (st.isDirectory()) await walk(abs, cwd, loose, units, true);
    else {
      loose.files.push(abs);
      loose.roots.push({ path: abs, isDirectory: false });
    }
  }
  if (loose.files.length > 0) units.unshift(await looseUnit(loose, cwd));
  return units;
}

interface Loose {
  files: string[];
  roots: { path: string; isDirectory: boolean }[];
}

async function walk(dir: string, cwd: string, loose: Loose, units: Unit[], top: boolean): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const kustomization = entries.find((e) => e.isFile() && KUSTOMIZATION_FILES.includes(e.name));
  if (kustomization) {
    // A Component only renders inside the overlays that use it; those are checked instead.
    if (!(await isComponent(join(dir, kustomization.name)))) units.push(await kustomizeUnit(dir, join(dir, kustomization.name), cwd));
    return;
  }
  if (top) loose.roots.push({ path: dir, isDirectory: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(path, cwd, loose, units, false);
    } else if (e.isFile() && e.name !== UNIT_CONFIG_FILE && (YAML_FILE.test(e.name) || DOCKERFILE_NAMES.test(e.name))) {
      loose.files.push(path);
    }
  }
}

interface Collected {
  objects: K8sObject[];
  compose: ComposeFile[];
  dockerfiles: Dockerfile[];
  problems: ParseProblem[];
  manifests: ManifestFile[];
}

function collect(files: readonly string[], cwd: string, explicit: ReadonlySet<string>): Collected {
  const out: Collected = { objects: [], compose: [], dockerfiles: [], problems: [], manifests: [] };
  for (const abs of files) {
    const file = show(cwd, abs);
    // Synchronous: a check reads many small files in a row, and each asynchronous read waits
    // for thread-pool round trips (open, stat, read, close), idle time in the profile of a run.
    const text = readFileSync(abs, 'utf8');
    const name = basename(abs);
    if (DOCKERFILE_NAMES.test(name) && !YAML_FILE.test(name)) {
      out.dockerfiles.push(parseDockerfile(file, text));
      continue;
    }
    const parsed = parseYaml(file, text);
    out.problems.push(...parsed.problems);
    const manifest = { file, kinds: [] as string[], otherDocuments: 0, broken: parsed.problems.length > 0 };
    if (!COMPOSE_NAMES.test(name)) out.manifests.push(manifest);
    for (const src of parsed.sources) {
      if (COMPOSE_NAMES.test(name) || looksLikeCompose(src)) {
        manifest.otherDocuments++;
        const c = composeFrom(src, abs);
        if (c) out.compose.push(c);
      } else {
        const objs = objectsFrom(src);
        // A YAML file met while walking a directory that is not a manifest (CI config, …) is
        // not ours to judge; one named explicitly must be a manifest.
        if (objs.length === 0 && explicit.has(abs)) {
          out.problems.push({ rule: 'yaml-syntax', file, line: src.line, message: 'not a Kubernetes object: apiVersion and kind are missing' });
        }
        out.objects.push(...objs);
        prefetchValidators(objs);
        manifest.kinds.push(...objs.map((o) => o.kind));
        // An explicit `---` with nothing after it is an empty document, not content.
        if (objs.length === 0 && toData(src.doc) != null) manifest.otherDocuments++;
      }
    }
  }
  return out;
}

async function looseUnit(loose: Loose, cwd: string): Promise<Unit> {
  const explicit = new Set(loose.roots.filter((r) => !r.isDirectory).map((r) => r.path));
  const c = collect(loose.files, cwd, explicit);
  const dirs = loose.roots.filter((r) => r.isDirectory);
  const root = dirs.length === 1 && dirs[0] ? dirs[0].path : dirname(loose.files[0] ?? cwd);
  const external: ExternalObject[] = [];
  for (const d of dirs) external.push(...(await unitExternal(d.path, cwd)));
  return {
    root: show(cwd, root),
    isDirectory: dirs.length > 0,
    fileNames: loose.files.filter((f) => dirs.length === 0 || dirname(f) === root).map((f) => basename(f)),
    ...c,
    ...(external.length > 0 ? { external } : {}),
  };
}

async function kustomizeUnit(dir: string, kfile: string, cwd: string): Promise<Unit> {
  const shown = show(cwd, dir);
  // Objects that cannot be traced to a source file keep the line in the rendered output.
  const rendered = parseYaml(`${shown} (kustomize output)`, await renderKustomize(dir, shown));
  const sources = await kustomizeSources(kfile, new Set());
  const src = collect(sources, cwd, new Set());
  const objects = rendered.sources.flatMap(objectsFrom).map((o) => mapBack(o, src.objects));
  const external = await unitExternal(dir, cwd);
  return {
    root: shown,
    isDirectory: true,
    rendered: true,
    fileNames: sources.map((f) => basename(f)),
    objects,
    compose: [],
    dockerfiles: [],
    problems: [...rendered.problems, ...src.problems],
    manifests: src.manifests,
    ...(external.length > 0 ? { external } : {}),
  };
}

/**
 * The objects a unit's own bernstein-check.yaml declares external: it sits in the kustomization
 * directory (or a directory named on the command line), so a deployment that relies on objects
 * created out of band carries that fact with it, for every run and every tool that checks it.
 */
async function unitExternal(dir: string, cwd: string): Promise<readonly ExternalObject[]> {
  const path = join(dir, UNIT_CONFIG_FILE);
  const st = await stat(path).catch(() => undefined);
  return st?.isFile() ? loadUnitConfigFile(path, show(cwd, path)) : [];
}

async function isComponent(kfile: string): Promise<boolean> {
  try {
    return at(parseYamlValue(await readFile(kfile, 'utf8')), 'kind') === 'Component';
  } catch {
    return false;
  }
}

/** The manifest files a kustomization includes, following bases and components. */
async function kustomizeSources(kfile: string, seen: Set<string>): Promise<string[]> {
  if (seen.has(kfile)) return [];
  seen.add(kfile);
  const dir = dirname(kfile);
  let k: Readonly<Record<string, unknown>>;
  try {
    k = record(parseYamlValue(await readFile(kfile, 'utf8')));
  } catch {
    return [];
  }
  const out: string[] = [];
  const refs = ['resources', 'bases', 'components'].flatMap((f) => list(k[f]));
  for (const ref of refs) {
    if (typeof ref !== 'string' || ref.includes('://')) continue;
    const abs = resolve(dir, ref);
    const st = await stat(abs).catch(() => undefined);
    if (st?.isFile()) out.push(abs);
    else if (st?.isDirectory()) {
      const names = await readdir(abs);
      const kf = KUSTOMIZATION_FILES.find((n) => names.includes(n));
      if (kf) out.push(...(await kustomizeSources(join(abs, kf), seen)));
    }
  }
  return out;
}

/**
 * Points a rendered object at the file and line it came from: same kind, and the same name or
 * the longest source name inside the rendered one (namePrefix/nameSuffix add to names).
 */
function mapBack(o: K8sObject, sources: readonly K8sObject[]): K8sObject {
  const same = sources.filter((s) => s.kind === o.kind);
  const match =
    same.find((s) => s.name === o.name) ??
    same.filter((s) => s.name !== '' && o.name.includes(s.name)).sort((a, b) => b.name.length - a.name.length)[0];
  if (!match) return o;
  return { ...o, file: match.file, line: match.line, lineOf: match.lineOf };
}

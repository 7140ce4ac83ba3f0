/**
 * Traefik's static configuration (entrypoints, providers and their options) as one map of
 * lower-cased dotted keys, read from the container's CLI flags, its TRAEFIK_* environment, or a
 * traefik.toml / traefik.yaml mounted from a ConfigMap of the input.
 *
 * In 2.x and 3.x the three sources are mutually exclusive: the first one found (file, then
 * flags, then environment) is the whole configuration
 * (https://doc.traefik.io/traefik/v2.11/getting-started/configuration-overview/#the-static-configuration).
 * For Traefik 1.7 the file and the flags are read together here, the flags last (an
 * assumption: 1.7 inputs in this course configure Traefik by flags only).
 */
import { parse as parseYaml } from 'yaml';
import type { K8sObject, Path } from '../model.js';
import { at, isRecord, records, str, strings, text } from '../read.js';
import { parseToml } from './toml.js';
import { isV1, type TraefikVersion } from './version.js';

export type ConfigSource =
  | { readonly kind: 'flags' }
  | { readonly kind: 'env' }
  | { readonly kind: 'file'; readonly configMap: K8sObject; readonly key: string; readonly path: string }
  /** A configuration file is named (or mounted) but its content is not in the input. */
  | { readonly kind: 'unknown'; readonly reason: string };

export interface StaticConfig {
  readonly values: ReadonlyMap<string, string>;
  readonly source: ConfigSource;
}

/** Where Traefik looks for its file when no --configFile is given (the working directory aside). */
const DEFAULT_FILES_V2 = ['/etc/traefik/traefik.yml', '/etc/traefik/traefik.yaml', '/etc/traefik/traefik.toml'];
const DEFAULT_FILES_V1 = ['/etc/traefik/traefik.toml'];

/** `--a.b=c`, `--a.b c` and bare `--a.b` (a boolean set to true). */
export function parseFlags(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([A-Za-z][\w.-]*)(?:=(.*))?$/s.exec(args[i] ?? '');
    if (!m) continue;
    const key = (m[1] ?? '').toLowerCase();
    let value = m[2];
    const next = args[i + 1];
    if (value === undefined && next !== undefined && !next.startsWith('-')) {
      value = next;
      i++;
    }
    out.set(key, value ?? 'true');
  }
  return out;
}

/** A parsed file as dotted keys; a table with no value of its own (`kubernetesIngress: {}`) is kept as present. */
export function flatten(v: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (isRecord(v)) {
    if (prefix !== '') out.set(prefix, out.get(prefix) ?? '');
    for (const [k, x] of Object.entries(v)) flatten(x, prefix === '' ? k.toLowerCase() : `${prefix}.${k.toLowerCase()}`, out);
  } else if (Array.isArray(v)) {
    out.set(prefix, v.map(String).join(','));
  } else if (v === null && prefix !== '') {
    out.set(prefix, ''); // `kubernetesIngress:` with no value still names the section
  } else if (v !== undefined && prefix !== '') {
    out.set(prefix, text(v));
  }
  return out;
}

function envConfig(container: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const { value: e } of records(at(container, 'env'))) {
    const name = str(e.name);
    const value = str(e.value);
    if (name?.startsWith('TRAEFIK_') && value !== undefined) out.set(name.slice('TRAEFIK_'.length).toLowerCase().replace(/_/g, '.'), value);
  }
  return out;
}

export interface MountedFile {
  readonly found: { readonly configMap: K8sObject; readonly key: string; readonly text: string } | undefined;
  /** A mount covers the path but its content is not readable from the input. */
  readonly mounted: boolean;
}

/** The ConfigMap key mounted at `path` in the container, when the ConfigMap is in the input. */
export function mountedFile(path: string, container: unknown, podSpec: unknown, objects: readonly K8sObject[], namespace: string): MountedFile {
  for (const { value: mount } of records(at(container, 'volumeMounts'))) {
    const mountPath = (str(mount.mountPath) ?? '').replace(/\/+$/, '');
    const subPath = str(mount.subPath);
    let rel: string | undefined;
    if (subPath !== undefined && subPath !== '') rel = mountPath === path ? subPath : undefined;
    else rel = path.startsWith(`${mountPath}/`) ? path.slice(mountPath.length + 1) : undefined;
    if (rel === undefined) continue;
    const volume = records(at(podSpec, 'volumes')).find((x) => x.value.name === mount.name)?.value;
    const cmName = str(at(volume, 'configMap', 'name'));
    if (cmName === undefined) return { found: undefined, mounted: true };
    const items = records(at(volume, 'configMap', 'items'));
    const key = items.length > 0 ? str(items.find((x) => x.value.path === rel)?.value.key) : rel;
    if (key === undefined) continue; // this item list does not project the file
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.name === cmName && (o.namespace ?? 'default') === namespace);
    const text = str(at(configMap?.data, 'data', key));
    return { found: configMap && text !== undefined ? { configMap, key, text } : undefined, mounted: true };
  }
  return { found: undefined, mounted: false };
}

function parseFile(path: string, text: string): Map<string, string> {
  try {
    return flatten(path.endsWith('.toml') ? parseToml(text) : (parseYaml(text) as unknown));
  } catch {
    return new Map();
  }
}

export interface ContainerContext {
  readonly container: unknown;
  readonly podSpec: unknown;
  readonly objects: readonly K8sObject[];
  readonly namespace: string;
}

/** The command-line arguments (command + args), as Kubernetes passes them. */
export function argsOf(container: unknown): string[] {
  return [...strings(at(container, 'command')), ...strings(at(container, 'args'))];
}

export function staticConfig(version: TraefikVersion, ctx: ContainerContext): StaticConfig {
  const flags = parseFlags(argsOf(ctx.container));
  const named = flags.get('configfile');
  const candidates = named !== undefined ? [named] : isV1(version) ? DEFAULT_FILES_V1 : DEFAULT_FILES_V2;
  for (const path of candidates) {
    const file = mountedFile(path, ctx.container, ctx.podSpec, ctx.objects, ctx.namespace);
    if (!file.mounted) continue;
    if (!file.found) return { values: flags, source: { kind: 'unknown', reason: `its configuration file ${path} is not in the input` } };
    const fromFile = parseFile(path, file.found.text);
    const values = isV1(version) ? new Map([...fromFile, ...flags]) : fromFile;
    return { values, source: { kind: 'file', configMap: file.found.configMap, key: file.found.key, path } };
  }
  if (named !== undefined) return { values: flags, source: { kind: 'unknown', reason: `its configuration file ${named} is not in the input` } };
  if (flags.size > 0) return { values: flags, source: { kind: 'flags' } };
  const env = envConfig(ctx.container);
  if (env.size > 0) return { values: env, source: { kind: 'env' } };
  return { values: flags, source: { kind: 'flags' } };
}

/** The value of a key, case-insensitive. */
export function valueOf(cfg: StaticConfig, key: string): string | undefined {
  return cfg.values.get(key.toLowerCase());
}

/** True when the key or any option under it is set (setting an option enables its section). */
export function isSet(cfg: StaticConfig, key: string): boolean {
  const k = key.toLowerCase();
  for (const name of cfg.values.keys()) if (name === k || name.startsWith(`${k}.`)) return true;
  return false;
}

/** A boolean option: `true`/`false` as written, `fallback` when unset. */
export function flag(cfg: StaticConfig, key: string, fallback = false): boolean {
  const v = valueOf(cfg, key);
  if (v === undefined) return fallback;
  return v === '' || v.toLowerCase() === 'true';
}

/** Path of the container's args (or command) field, for findings about a flag. */
export function argsPath(containerPath: Path, container: unknown): Path {
  return [...containerPath, at(container, 'args') !== undefined ? 'args' : 'command'];
}

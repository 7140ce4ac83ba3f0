/** Turns parsed YAML documents into Kubernetes objects and compose files. */
import type { ComposeFile, K8sObject, Path, YamlSource } from '../model.js';
import { lineOfPath, toData } from './yaml.js';

export const COMPOSE_NAMES = /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects of a `List` (kubectl get -o yaml) are unpacked. */
export function objectsFrom(src: YamlSource): K8sObject[] {
  const data = toData(src.doc);
  if (!isRecord(data)) return [];
  if (data.kind === 'List' && Array.isArray(data.items)) {
    return data.items.flatMap((item, i) => (isRecord(item) ? [makeObject(src, item, ['items', i])] : []));
  }
  if (!('kind' in data) && !('apiVersion' in data)) return [];
  return [makeObject(src, data, [])];
}

function makeObject(src: YamlSource, data: Record<string, unknown>, prefix: Path): K8sObject {
  const meta = isRecord(data.metadata) ? data.metadata : {};
  const line = prefix.length === 0 ? src.line : lineOfPath(src, prefix);
  return {
    apiVersion: typeof data.apiVersion === 'string' ? data.apiVersion : '',
    kind: typeof data.kind === 'string' ? data.kind : '',
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    data,
    file: src.file,
    line,
    lineOf: (path: Path) => lineOfPath(src, [...prefix, ...path]),
  };
}

export function composeFrom(src: YamlSource, absPath: string): ComposeFile | undefined {
  const data = toData(src.doc);
  if (!isRecord(data)) return undefined;
  return { file: src.file, absPath, data, lineOf: (path: Path) => lineOfPath(src, path) };
}

/** A YAML document that is a compose file rather than a Kubernetes object. */
export function looksLikeCompose(src: YamlSource): boolean {
  const data = toData(src.doc);
  return isRecord(data) && isRecord(data.services) && !('kind' in data);
}

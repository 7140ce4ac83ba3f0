/**
 * `--cluster <preset-or-file>`: a preset name (default, kind, k3d, production) or a YAML file
 * describing the nodes:
 *
 *   name: staging                      # optional, shown in findings
 *   defaultStorageClass: standard      # optional
 *   nodes:
 *     - name: cp-1
 *       zone: zone-a                   # optional: label topology.kubernetes.io/zone
 *       labels: {node-role.kubernetes.io/control-plane: ""}
 *       taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]   # or "key=value:Effect"
 *       allocatable: {cpu: "2", memory: 4Gi, pods: 110}                            # pods defaults to 110
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parse } from 'yaml';
import { isRecord, list, num, str, stringMap, text } from '../read.js';
import { CLUSTER_PRESETS, type ClusterModel, type ClusterNode, type Taint, type TaintEffect } from './model.js';
import { cpuMillis, memoryBytes } from './quantity.js';

export class ClusterFileError extends Error {}

const EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const TOP_KEYS = ['name', 'defaultStorageClass', 'nodes'];
const NODE_KEYS = ['name', 'zone', 'labels', 'taints', 'allocatable'];

/** A preset by name, or the cluster file at this path (relative to `cwd`). */
export function resolveCluster(spec: string, cwd = process.cwd()): ClusterModel {
  const preset = CLUSTER_PRESETS[spec];
  if (preset) return preset;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, spec), 'utf8');
  } catch {
    throw new ClusterFileError(`--cluster ${spec}: neither a preset (${Object.keys(CLUSTER_PRESETS).join(', ')}) nor a readable file`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ClusterFileError(`cluster file ${spec}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseClusterFile(raw, spec);
}

export function parseClusterFile(raw: unknown, source: string): ClusterModel {
  const fail = (msg: string): never => {
    throw new ClusterFileError(`cluster file ${source}: ${msg}`);
  };
  if (!isRecord(raw)) return fail('expected a mapping with "nodes" (and optionally "name", "defaultStorageClass")');
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) fail(`unknown key "${k}" (expected ${TOP_KEYS.join(', ')})`);
  if (!Array.isArray(raw.nodes) || raw.nodes.length === 0) fail('"nodes" must be a non-empty list');
  const names = new Set<string>();
  const nodes = list(raw.nodes).map((n, i): ClusterNode => {
    const at = `nodes[${i}]`;
    if (!isRecord(n)) return fail(`${at}: expected a mapping with name, allocatable and optionally zone, labels, taints`);
    for (const k of Object.keys(n)) if (!NODE_KEYS.includes(k)) fail(`${at}: unknown key "${k}" (expected ${NODE_KEYS.join(', ')})`);
    const name = str(n.name);
    if (!name) return fail(`${at}: "name" is required`);
    if (names.has(name)) fail(`${at}: duplicate node name "${name}"`);
    names.add(name);
    if (n.labels !== undefined && !isRecord(n.labels)) fail(`${at} (${name}): "labels" must be a mapping`);
    const zone = n.zone === undefined ? undefined : str(n.zone) ?? fail(`${at} (${name}): "zone" must be a string`);
    const alloc = n.allocatable;
    if (!isRecord(alloc)) return fail(`${at} (${name}): "allocatable" with cpu and memory is required`);
    const cpu = cpuMillis(alloc.cpu) ?? fail(`${at} (${name}): allocatable.cpu is not a CPU quantity ("2", "1500m"): ${JSON.stringify(alloc.cpu)}`);
    const memory = memoryBytes(alloc.memory) ?? fail(`${at} (${name}): allocatable.memory is not a memory quantity ("4Gi"): ${JSON.stringify(alloc.memory)}`);
    const pods = alloc.pods === undefined ? 110 : (num(alloc.pods) ?? fail(`${at} (${name}): allocatable.pods must be a number`));
    if (n.taints !== undefined && !Array.isArray(n.taints)) fail(`${at} (${name}): "taints" must be a list`);
    return {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(zone !== undefined ? { 'topology.kubernetes.io/zone': zone } : {}), ...stringMap(n.labels) },
      taints: list(n.taints).map((t, j) => taint(t, `${at} (${name}).taints[${j}]`, fail)),
      allocatable: { cpuMillis: cpu, memoryBytes: memory, pods },
    };
  });
  const name = raw.name === undefined ? basename(source) : (str(raw.name) ?? fail('"name" must be a string'));
  const storage = raw.defaultStorageClass === undefined ? undefined : (str(raw.defaultStorageClass) ?? fail('"defaultStorageClass" must be a string'));
  return { name, nodes, ...(storage !== undefined ? { defaultStorageClass: storage } : {}) };
}

function taint(t: unknown, at: string, fail: (msg: string) => never): Taint {
  if (typeof t === 'string') {
    const m = /^([^=:\s]+)(?:=([^:\s]*))?:(\w+)$/.exec(t.trim());
    if (!m || !EFFECTS.includes(m[3] as TaintEffect)) return fail(`${at}: expected "key[=value]:Effect" with Effect ${EFFECTS.join(', ')}; got ${JSON.stringify(t)}`);
    return { key: m[1] ?? '', ...(m[2] !== undefined && m[2] !== '' ? { value: m[2] } : {}), effect: m[3] as TaintEffect };
  }
  if (!isRecord(t)) return fail(`${at}: expected {key, value?, effect} or "key[=value]:Effect"`);
  const key = str(t.key);
  if (!key) return fail(`${at}: "key" is required`);
  const effect = EFFECTS.find((e) => e === t.effect) ?? fail(`${at}: effect must be one of ${EFFECTS.join(', ')}; got ${JSON.stringify(t.effect)}`);
  const value = t.value === undefined ? undefined : text(t.value);
  return { key, ...(value !== undefined && value !== '' ? { value } : {}), effect };
}

/**
 * Unknown-field detection for compiled JSON-schema validators.
 *
 * The kubernetes-models schemas allow extra properties, so `replicaz: 3` validates. Their
 * compiled validators read every property the schema declares (`data.replicas`, …) and
 * enumerate the keys of free-form maps (labels). Running a validator on a recording proxy
 * therefore tells, for every object node it visited, which keys the schema knows; an own key
 * the validator never asked for is unknown. Nodes the validator never looked into (free-form
 * objects such as RawExtension) are not judged.
 */
import type { Path } from '../model.js';

interface NodeRecord {
  readonly path: Path;
  readonly target: object;
  readonly asked: Set<string>;
  enumerated: boolean;
}

export interface Recording {
  readonly root: unknown;
  unknownFields(): Path[];
}

export function record(data: unknown): Recording {
  const records: NodeRecord[] = [];
  const wrap = (value: unknown, path: Path): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const rec: NodeRecord = { path, target: value, asked: new Set(), enumerated: false };
    records.push(rec);
    const children = new Map<string, unknown>();
    return new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key !== 'string') {
          const own: unknown = Reflect.get(target, key, receiver);
          return own;
        }
        rec.asked.add(key);
        const v: unknown = Reflect.get(target, key, receiver);
        if (v === null || typeof v !== 'object' || !Object.hasOwn(target, key)) return v;
        let w = children.get(key);
        if (w === undefined) {
          w = wrap(v, [...path, Array.isArray(target) ? Number(key) : key]);
          children.set(key, w);
        }
        return w;
      },
      has(target, key) {
        if (typeof key === 'string') rec.asked.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        rec.enumerated = true;
        return Reflect.ownKeys(target);
      },
      getOwnPropertyDescriptor(target, key) {
        // hasOwnProperty(key) asks about one key; Object.keys() already tripped ownKeys.
        if (typeof key === 'string') rec.asked.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
  };
  const root = wrap(data, []);
  return {
    root,
    unknownFields() {
      const out: Path[] = [];
      for (const r of records) {
        if (Array.isArray(r.target) || r.enumerated || r.asked.size === 0) continue;
        for (const key of Object.keys(r.target)) if (!r.asked.has(key)) out.push([...r.path, key]);
      }
      return out;
    },
  };
}

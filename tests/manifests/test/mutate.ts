/**
 * Edits a copy of deploy/kubernetes the way a person would reintroduce a defect: YAML files
 * are parsed with the `yaml` package (comments and layout kept), changed, and written back.
 * Kustomize patches written inline (`patches[].patch: |-`) are YAML too, and are edited the
 * same way, so a change to "every topology spread" reaches the components' patches as well.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, visit, type Document } from 'yaml';
import { kubernetesDir } from '../lib/index.js';

/** Copies deploy/kubernetes to `<root>/kubernetes` and returns that directory. */
export async function copyDeployment(root: string): Promise<string> {
  const dir = join(root, 'kubernetes');
  await cp(kubernetesDir, dir, { recursive: true });
  return dir;
}

export type DocumentEdit = (doc: Document) => void;

/**
 * Applies `edit` to every document of a (multi-document) YAML file, and with `inlinePatches`
 * to the YAML of every inline Kustomize patch in it too.
 */
export async function editYaml(file: string, edit: DocumentEdit, { inlinePatches = false } = {}): Promise<void> {
  const docs = parseAllDocuments(await readFile(file, 'utf8'));
  const out: string[] = [];
  for (const doc of docs) {
    if ('errors' in doc && doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    edit(doc);
    if (inlinePatches) editInlinePatches(doc, edit);
    out.push(doc.toString({ lineWidth: 0 }).replace(/^---\n/, ''));
  }
  await writeFile(file, out.join('---\n'));
}

function editInlinePatches(doc: Document, edit: DocumentEdit): void {
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'patch' || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
      const inner = parseDocument(pair.value.value);
      edit(inner);
      pair.value.value = inner.toString({ lineWidth: 0 });
    },
  });
}

/** Removes every mapping entry with this key. */
export const removeKey =
  (key: string): DocumentEdit =>
  (doc) =>
    visit(doc, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === key) return visit.REMOVE;
        return undefined;
      },
    });

/** Removes every mapping that is an item of a sequence and matches (read as plain data). */
export const removeItems =
  (matches: (item: Readonly<Record<string, unknown>>) => boolean): DocumentEdit =>
  (doc) =>
    visit(doc, {
      Map(_, map, path) {
        const parent = path[path.length - 1];
        if (isSeq(parent) && matches(map.toJSON() as Record<string, unknown>)) return visit.REMOVE;
        return undefined;
      },
    });

/** Removes every string item of a sequence equal to `value` (a container argument, say). */
export const removeString =
  (value: string): DocumentEdit =>
  (doc) =>
    visit(doc, {
      Scalar(_, node, path) {
        if (node.value === value && isSeq(path[path.length - 1])) return visit.REMOVE;
        return undefined;
      },
    });

/** Sets a field of every object (document with a kind) of the file, creating maps on the way. */
export const setIn =
  (path: readonly (string | number)[], value: unknown): DocumentEdit =>
  (doc) => {
    if (isMap(doc.contents) && doc.contents.get('kind') !== undefined) doc.setIn(path, doc.createNode(value));
  };

/** Appends an item to a sequence of the document. */
export const appendTo =
  (path: readonly (string | number)[], value: unknown): DocumentEdit =>
  (doc) => {
    const seq = doc.getIn(path, true);
    if (isSeq(seq)) seq.add(doc.createNode(value));
  };

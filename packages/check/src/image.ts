/** Reading image references: "registry/name:tag@digest". */

export interface ImageRef {
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export function parseImage(ref: string): ImageRef {
  const [withoutDigest = '', digest] = ref.split('@', 2);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, tag: undefined, digest };
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** Why an image reference is not pinned, or undefined when it is. */
export function unpinnedReason(ref: string): string | undefined {
  if (ref.includes('${')) return undefined; // a variable in compose; its value is checked where it is set
  const img = parseImage(ref);
  if (img.digest) return undefined;
  if (img.tag === undefined || img.tag === '') return `image "${ref}" has no tag, so it means :latest and changes under you`;
  const t = img.tag.toLowerCase();
  if (t === 'latest') return `image "${ref}" uses the moving tag "latest"`;
  if (distance(t, 'latest') <= 2 && !/\d/.test(t)) return `image "${ref}" has the tag "${img.tag}", a misspelling of "latest"? Such a tag does not exist and the pull fails`;
  if (['stable', 'main', 'master', 'edge', 'nightly', 'current'].includes(t)) return `image "${ref}" uses the moving tag "${img.tag}"`;
  return undefined;
}

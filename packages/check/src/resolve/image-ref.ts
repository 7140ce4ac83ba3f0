/**
 * Where a container runtime pulls an image reference from. Per the reference grammar of the
 * distribution project (https://github.com/distribution/reference), the first component names a
 * registry only when it contains a dot or a colon or is `localhost`; otherwise the image is on
 * Docker Hub (`docker.io`), a single-component name in its `library/` namespace of official
 * images (https://docs.docker.com/engine/reference/commandline/pull/#pull-from-a-different-registry).
 */

export interface ResolvedImage {
  /** The registry host as written, or undefined when the reference names none. */
  readonly registry: string | undefined;
  /** The reference the runtime pulls ("docker.io/bernstein/poll:0.1.0"). */
  readonly canonical: string;
  /** The Docker Hub namespace of a reference without registry ("bernstein", or "library"). */
  readonly hubNamespace: string | undefined;
  readonly digest: string | undefined;
}

export function resolveImage(ref: string): ResolvedImage {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const first = ref.split('/')[0] ?? '';
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return { registry: first, canonical: ref, hubNamespace: undefined, digest };
  const parts = ref.split('/');
  const hubNamespace = parts.length === 1 ? 'library' : parts[0];
  return { registry: undefined, canonical: `docker.io/${parts.length === 1 ? 'library/' : ''}${ref}`, hubNamespace, digest };
}

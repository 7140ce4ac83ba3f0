/** A base URL plus the Host header to send (e.g. `poll.dop.io` through Traefik's NodePort). */
export interface Target {
  /** Origin for the connection pool, e.g. `http://127.0.0.1:30021`. */
  origin: string;
  /** Path prefix without the trailing slash ('' for the root). */
  prefix: string;
  /** Host header override; the URL's host when undefined. */
  host: string | undefined;
}

export function parseTarget(url: string, host: string | undefined, what: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what} ${JSON.stringify(url)} is not a URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${what} ${JSON.stringify(url)} must start with http:// or https://`);
  }
  return { origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, ''), host: host || undefined };
}

export function headersFor(target: Target, extra: Record<string, string> = {}): Record<string, string> {
  return target.host ? { ...extra, host: target.host } : extra;
}

/**
 * Entrypoints of a 2.x/3.x Traefik and their responding timeouts.
 *
 * `transport.respondingTimeouts.readTimeout` is a deadline on the whole client connection
 * (https://doc.traefik.io/traefik/routing/entrypoints/#respondingtimeouts: "the maximum duration
 * for reading the entire request"); its default became 60s in v3.0 and v2.11.2
 * (https://github.com/traefik/traefik/pull/10602), which cuts long-lived responses such as
 * Server-Sent Events after 60 s (https://github.com/traefik/traefik/issues/10991: streams end at
 * 60000 ms). 0 means no timeout. Before, the default was 0.
 */
import { valueOf, type StaticConfig } from './static-config.js';
import { atLeast, isV1, type TraefikVersion } from './version.js';

export interface EntryPoint {
  readonly name: string;
  readonly address: string;
  /** Seconds; 0 = no timeout. */
  readonly readTimeout: number;
  /** True when the timeout is Traefik's default (not written in the configuration). */
  readonly readTimeoutDefault: boolean;
  readonly asDefault: boolean;
}

export function defaultReadTimeout(v: TraefikVersion): number {
  if (isV1(v)) return 0;
  return atLeast(v, 3, 0) || atLeast(v, 2, 11, 2) ? 60 : 0;
}

/** A Go duration or a number of seconds ("90", "60s", "1m30s", "0") in seconds; undefined if unreadable. */
export function durationSeconds(raw: string): number | undefined {
  const t = raw.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  let rest = t;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** The entrypoints the configuration defines; Traefik's own `http` on :80 when it defines none. */
export function entryPoints(v: TraefikVersion, cfg: StaticConfig): EntryPoint[] {
  const names = new Set<string>();
  for (const key of cfg.values.keys()) {
    const m = /^entrypoints\.([^.]+)\./.exec(key);
    if (m?.[1] !== undefined) names.add(m[1]);
  }
  if (names.size === 0) names.add('http');
  return [...names].map((name) => {
    const raw = valueOf(cfg, `entrypoints.${name}.transport.respondingtimeouts.readtimeout`);
    const parsed = raw === undefined ? undefined : durationSeconds(raw);
    return {
      name,
      address: valueOf(cfg, `entrypoints.${name}.address`) ?? (name === 'http' ? ':80' : ''),
      readTimeout: parsed ?? defaultReadTimeout(v),
      readTimeoutDefault: parsed === undefined,
      asDefault: (valueOf(cfg, `entrypoints.${name}.asdefault`) ?? '').toLowerCase() === 'true',
    };
  });
}

/**
 * The entrypoints a route listens on: those it names, else the default ones (those marked
 * asDefault, else all: https://doc.traefik.io/traefik/routing/routers/#entrypoints).
 */
export function routeEntryPoints(all: readonly EntryPoint[], named: readonly string[]): EntryPoint[] {
  if (named.length > 0) return all.filter((e) => named.some((n) => n.toLowerCase() === e.name.toLowerCase()));
  const defaults = all.filter((e) => e.asDefault);
  return defaults.length > 0 ? defaults : [...all];
}

/**
 * The addresses of other services our services are configured with (REDIS_HOST/REDIS_PORT,
 * POSTGRES_HOST/POSTGRES_PORT), read from the `peer` markers of the configuration schema in
 * @bernstein/common, never from a copied list.
 */
import { serviceSpecs } from '@bernstein/common/config';

export interface PeerAddress {
  /** "redis", "postgres". */
  readonly service: string;
  readonly hostVariable: string;
  readonly portVariable: string | undefined;
  /** The port the service uses when the port variable is unset. */
  readonly defaultPort: number | undefined;
}

export function peerAddresses(): PeerAddress[] {
  const vars = Object.values(serviceSpecs).flatMap((spec) => Object.values(spec));
  const out = new Map<string, PeerAddress>();
  for (const v of vars) {
    if (v.peer?.role !== 'host' || out.has(v.peer.service)) continue;
    const service = v.peer.service;
    const port = vars.find((p) => p.peer?.service === service && p.peer.role === 'port');
    const dflt = port?.default === undefined ? undefined : Number(port.default);
    out.set(service, { service, hostVariable: v.name, portVariable: port?.name, defaultPort: dflt !== undefined && Number.isInteger(dflt) ? dflt : undefined });
  }
  return [...out.values()];
}

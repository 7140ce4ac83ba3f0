/**
 * TRUSTED_PROXIES: which peers may tell a service, through X-Forwarded-For and
 * X-Forwarded-Proto, who the client is and whether it came over TLS. Nobody by default: the
 * client address is then the socket's, and a direct `X-Forwarded-Proto: https` cannot make
 * poll mark its cookie Secure, nor an `X-Forwarded-For` buy an attacker a fresh rate budget.
 *
 * The value is a comma-separated list of IP addresses, CIDR ranges, the names `loopback` and
 * `private`, and at most one whole number: the hop count, i.e. how many proxies in front of
 * the service may append to X-Forwarded-For (Traefik alone: 1). Addresses and a hop count
 * together trust at most that many hops, each from a trusted address. A hop count alone
 * trusts any peer: use it only where nothing but the proxy can reach the service (a
 * NetworkPolicy), since a direct client could then write its own X-Forwarded-For.
 */
import { BlockList, isIP } from 'node:net';

const NAMED: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

export interface TrustedProxies {
  /** The value as given, normalised (for the start-up log). */
  readonly description: string;
  /** Ranges of trusted peers; undefined = any peer (hop count alone). */
  readonly ranges: readonly string[] | undefined;
  /** How many hops of X-Forwarded-For may be trusted; undefined = as many as come from trusted peers. */
  readonly hops: number | undefined;
  /**
   * Fastify's `trustProxy` function: `addr` is the peer at hop `i` (0 = the socket's peer).
   * Trusting it means its X-Forwarded-* entry is believed.
   */
  readonly trust: (addr: string, i: number) => boolean;
}

/** Parses TRUSTED_PROXIES; throws an Error saying what is expected. */
export function parseTrustedProxies(raw: string): TrustedProxies {
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new Error('expected IP addresses, CIDR ranges, loopback, private or a hop count');
  const list = new BlockList();
  const ranges: string[] = [];
  let hops: number | undefined;
  for (const entry of entries) {
    if (/^\d+$/.test(entry)) {
      const n = Number(entry);
      if (hops !== undefined) throw new Error('expected at most one hop count');
      if (n < 1 || n > 10) throw new Error(`expected a hop count from 1 to 10, got ${entry}`);
      hops = n;
      continue;
    }
    for (const cidr of NAMED[entry] ?? [entry]) {
      addRange(list, cidr);
      ranges.push(cidr);
    }
  }
  const anyPeer = ranges.length === 0;
  const maxHops = hops ?? Number.POSITIVE_INFINITY;
  // Fastify asks on every request (the client address, the protocol), mostly about the same
  // few proxy addresses; BlockList.check costs microseconds, a Map lookup nanoseconds.
  let known = new Map<string, boolean>();
  const trusted = (addr: string): boolean => {
    let verdict = known.get(addr);
    if (verdict === undefined) {
      verdict = matches(list, addr);
      if (known.size >= 10_000) known = new Map();
      known.set(addr, verdict);
    }
    return verdict;
  };
  return {
    description: [...ranges, ...(hops === undefined ? [] : [`${hops} hop${hops > 1 ? 's' : ''}`])].join(', '),
    ranges: anyPeer ? undefined : ranges,
    hops,
    trust: (addr, i) => i < maxHops && (anyPeer || trusted(addr)),
  };
}

function addRange(list: BlockList, cidr: string): void {
  const [address = '', prefix, extra] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) {
    throw new Error('expected IP addresses, CIDR ranges (10.0.0.0/8), loopback, private or a hop count');
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) {
    list.addAddress(address, type);
    return;
  }
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) throw new Error(`expected a prefix length from 0 to ${family === 4 ? 32 : 128} in ${JSON.stringify(cidr)}`);
  list.addSubnet(address, bits, type);
}

function matches(list: BlockList, addr: string): boolean {
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
  const v4 = addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
  const family = isIP(v4);
  if (family === 0) return false;
  return list.check(v4, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Every environment variable Bernstein reads, declared once, grouped by concern, and the
 * specification of each service assembled from those groups. The course's names
 * (REDIS_HOST, POSTGRES_*, OPTION_A…D) work as-is.
 */
import { hostname } from 'node:os';
import { ballotVars } from './ballot.js';
import { postgresTlsVars, redisAuthVars, redisTlsVars, roleSetupVars } from './data-layer.js';
import { env, type Spec } from './schema.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses an absolute http:// or https:// URL, normalized; `example` is shown when the value is no URL. */
function absoluteHttpUrl(example: string): (raw: string) => string {
  return (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`expected an absolute URL such as ${example}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('expected an http:// or https:// URL');
    return url.toString();
  };
}

export const processVars = {
  logLevel: env.withDefault('LOG_LEVEL', 'info', {
    description: 'pino log level',
    parse: env.oneOf(LOG_LEVELS),
  }),
  shutdownDelayMs: env.withDefault('SHUTDOWN_DELAY_MS', '0', {
    description: 'after SIGTERM, how long to keep serving while readiness is false (lets load balancers drain)',
    parse: env.parsers.nonNegativeInt,
  }),
  shutdownTimeoutMs: env.withDefault('SHUTDOWN_TIMEOUT_MS', '10000', {
    description: 'after SIGTERM, how long to wait for in-flight work before exiting anyway',
    parse: env.parsers.positiveInt,
  }),
} satisfies Spec;

export function httpVars(defaultPort: number) {
  return {
    host: env.withDefault('HOST', '0.0.0.0', { description: 'address to listen on', parse: env.parsers.hostname }),
    port: env.withDefault('PORT', String(defaultPort), { description: 'HTTP port', parse: env.parsers.port }),
  } satisfies Spec;
}

/**
 * The ops listener of poll and result (/healthz, /readyz, /metrics), apart from the public
 * port so that no Ingress route reaches it. 8080 is the worker's one (ops-only) port too, so
 * every Bernstein pod serves its probes and metrics on 8080.
 */
export const opsVars = {
  opsPort: env.withDefault('OPS_PORT', '8080', {
    description: 'port of /healthz, /readyz and /metrics (probes, Prometheus); never routed by the Ingress',
    parse: env.parsers.port,
  }),
} satisfies Spec;

/**
 * Timeouts of the public HTTP listener. The keep-alive default outlasts Traefik's 90 s idle
 * timeout towards backends (serversTransport forwardingTimeouts.idleConnTimeout,
 * https://doc.traefik.io/traefik/reference/routing-configuration/http/load-balancing/serverstransport/),
 * so the proxy, not the service, closes an idle connection and never reuses one being closed.
 * Event streams are not cut by any of them: their request is complete once its headers are in.
 */
export const httpTimeoutVars = {
  headersTimeoutMs: env.withDefault('HTTP_HEADERS_TIMEOUT_MS', '10000', {
    description: 'a client must send its complete request headers within this time, or the connection is closed (slowloris)',
    parse: env.parsers.positiveInt,
  }),
  requestTimeoutMs: env.withDefault('HTTP_REQUEST_TIMEOUT_MS', '30000', {
    description: 'a client must send its complete request (headers and body) within this time (at least HTTP_HEADERS_TIMEOUT_MS)',
    parse: env.parsers.positiveInt,
  }),
  keepAliveTimeoutMs: env.withDefault('HTTP_KEEP_ALIVE_TIMEOUT_MS', '95000', {
    description: 'an idle keep-alive connection is closed after this time (longer than the proxy\'s own idle timeout)',
    parse: env.parsers.positiveInt,
  }),
} satisfies Spec;

export const redisVars = {
  redisHost: env.required('REDIS_HOST', { description: 'Redis host name', parse: env.parsers.hostname, peer: { service: 'redis', role: 'host' } }),
  redisPort: env.withDefault('REDIS_PORT', '6379', { description: 'Redis port', parse: env.parsers.port, peer: { service: 'redis', role: 'port' } }),
  ...redisAuthVars,
  redisPassword: env.optional('REDIS_PASSWORD', { description: 'Redis password (AUTH), of REDIS_USERNAME when set', secret: true }),
  ...redisTlsVars,
  votesStream: env.withDefault('VOTES_STREAM', 'votes', {
    description: 'name of the Redis stream that carries votes',
    parse: (raw: string) => {
      if (!/^[\w:.-]{1,100}$/.test(raw)) throw new Error('expected 1 to 100 letters, digits, or _ : . -');
      return raw;
    },
  }),
} satisfies Spec;

export const postgresVars = {
  postgresHost: env.required('POSTGRES_HOST', { description: 'PostgreSQL host name', parse: env.parsers.hostname, peer: { service: 'postgres', role: 'host' } }),
  postgresPort: env.withDefault('POSTGRES_PORT', '5432', { description: 'PostgreSQL port', parse: env.parsers.port, peer: { service: 'postgres', role: 'port' } }),
  postgresDb: env.required('POSTGRES_DB', { description: 'PostgreSQL database name' }),
  postgresUser: env.required('POSTGRES_USER', { description: 'PostgreSQL user', secret: true }),
  postgresPassword: env.required('POSTGRES_PASSWORD', { description: 'PostgreSQL password', secret: true }),
  postgresPoolSize: env.withDefault('POSTGRES_POOL_SIZE', '10', {
    description: 'maximum PostgreSQL connections per process',
    parse: env.parsers.positiveInt,
  }),
  ...postgresTlsVars,
} satisfies Spec;

/** Which polls exist: POLLS (JSON) or POLLS_FILE, else one poll built from OPTION_A…OPTION_D. */
export const pollsVars = {
  polls: env.optional('POLLS', { description: 'polls definition as JSON (see README)' }),
  pollsFile: env.optional('POLLS_FILE', { description: 'path to a JSON file with the polls definition' }),
  optionA: env.optional('OPTION_A', { description: 'label of option a of the default poll (course compatible)' }),
  optionB: env.optional('OPTION_B', { description: 'label of option b of the default poll' }),
  optionC: env.optional('OPTION_C', { description: 'label of option c of the default poll' }),
  optionD: env.optional('OPTION_D', { description: 'label of option d of the default poll' }),
} satisfies Spec;

export const pollServiceSpec = {
  ...processVars,
  ...httpVars(80),
  ...opsVars,
  ...httpTimeoutVars,
  ...redisVars,
  ...pollsVars,
  ...ballotVars,
  cookieSecret: env.optional('COOKIE_SECRET', {
    description: 'one key that signs voter cookies, as a one-element COOKIE_SECRETS (kept for existing deployments; at least 32 characters)',
    secret: true,
    parse: (raw: string) => {
      if (raw.length < 32) throw new Error('expected at least 32 characters');
      return raw;
    },
  }),
  adminToken: env.optional('ADMIN_TOKEN', {
    description: 'bearer token of the admin API and page (create, close, archive polls, access codes); at least 24 characters; the admin API is off when unset',
    secret: true,
    parse: (raw: string) => {
      if (raw.trim().length < 24) throw new Error('expected at least 24 characters (e.g. openssl rand -base64 32)');
      return raw.trim();
    },
  }),
  bodyLimitBytes: env.withDefault('BODY_LIMIT_BYTES', '4096', {
    description: 'largest request body accepted; larger bodies get 413',
    parse: env.parsers.positiveInt,
  }),
  resultUrl: env.optional('RESULT_URL', {
    description: 'absolute http(s) URL of the results page of the default poll, linked from the voting page (no link when unset)',
    parse: absoluteHttpUrl('https://result.example.com/'),
  }),
} satisfies Spec;


export const workerServiceSpec = {
  ...processVars,
  ...httpVars(8080),
  ...redisVars,
  ...postgresVars,
  workerName: env.withDefault('WORKER_NAME', hostname(), {
    description: 'consumer name in the Redis consumer group (unique per worker; defaults to the host name)',
  }),
  batchSize: env.withDefault('BATCH_SIZE', '500', {
    description: 'most votes read from Redis and written to PostgreSQL in one transaction',
    parse: env.parsers.positiveInt,
  }),
  blockMs: env.withDefault('BLOCK_MS', '1000', {
    description: 'how long one blocking read waits for new votes',
    parse: env.parsers.positiveInt,
  }),
  claimIdleMs: env.withDefault('CLAIM_IDLE_MS', '15000', {
    description: 'votes pending this long with a silent consumer are claimed by another worker',
    parse: env.parsers.positiveInt,
  }),
} satisfies Spec;

export const resultServiceSpec = {
  ...processVars,
  ...httpVars(80),
  ...opsVars,
  ...httpTimeoutVars,
  ...postgresVars,
  ...pollsVars,
  // The client address of the stream caps, and HSTS behind a TLS-terminating proxy.
  trustedProxies: ballotVars.trustedProxies,
  sseMaxStreams: env.withDefault('SSE_MAX_STREAMS', '3000', {
    description: 'most open event streams per process, sized for a 128 MiB memory limit (see docs/security.md); beyond it 503 with Retry-After',
    parse: env.parsers.positiveInt,
  }),
  sseMaxStreamsPerClient: env.withDefault('SSE_MAX_STREAMS_PER_CLIENT', '200', {
    description: 'most open event streams of one client address per process; beyond it 503 with Retry-After',
    parse: env.parsers.positiveInt,
  }),
  pollUrl: env.optional('POLL_URL', {
    description: 'absolute http(s) URL of the voting page of the default poll: the join address and QR code of the present view, linked from the results pages (none when unset)',
    parse: absoluteHttpUrl('https://vote.example.com/'),
  }),
  coalesceMs: env.withDefault('COALESCE_MS', '50', {
    description: 'window in which tally changes are merged into one push to browsers',
    parse: env.parsers.nonNegativeInt,
  }),
} satisfies Spec;

/** The database-only specification, used by the `migrate` command. */
export const migrateSpec = { ...processVars, ...postgresVars, ...roleSetupVars } satisfies Spec;

/** Every service's specification, by service name; `bernstein check` reads this. */
export const serviceSpecs = {
  poll: pollServiceSpec,
  worker: workerServiceSpec,
  result: resultServiceSpec,
  migrate: migrateSpec,
} as const;
export type ServiceName = keyof typeof serviceSpecs;

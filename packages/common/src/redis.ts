/**
 * The one Redis module. Every process connects through `createRedis`, which reconnects
 * forever with capped back-off and logs connection state changes once (not once per retry).
 * It authenticates as the service's ACL user (REDIS_USERNAME) and speaks TLS when REDIS_TLS
 * is on; a TLS failure is logged as a sentence naming the setting to fix.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { explainTlsError, redisTlsOptions, type RedisTlsSettings } from './tls.js';

export { Redis } from 'ioredis';

export interface RedisConnection extends RedisTlsSettings {
  redisHost: string;
  redisPort: number;
  redisUsername?: string | undefined;
  redisPassword?: string | undefined;
}

/** ioredis options for `conn`: address, ACL user and TLS. */
export function redisConnectOptions(conn: RedisConnection): RedisOptions {
  const tls = redisTlsOptions(conn);
  return {
    host: conn.redisHost,
    port: conn.redisPort,
    ...(conn.redisUsername ? { username: conn.redisUsername } : {}),
    password: conn.redisPassword,
    ...(tls ? { tls } : {}),
  };
}

export interface CreateRedisOptions {
  /** Shown in logs and as CLIENT SETNAME. */
  name: string;
  /**
   * Fail commands at once while disconnected instead of queueing them (poll: a vote must be
   * refused with 503 right away, not held in memory where a crash would lose it).
   */
  failFast?: boolean;
  /** Pipeline commands issued in the same tick into one round trip. */
  autoPipelining?: boolean;
  /**
   * Reject a command that got no reply within this time (a hung or partitioned server),
   * instead of waiting for TCP to notice. Unset: no timeout.
   */
  commandTimeoutMs?: number;
}

export function createRedis(conn: RedisConnection, logger: Logger, opts: CreateRedisOptions): Redis {
  const options: RedisOptions = {
    ...redisConnectOptions(conn),
    connectionName: opts.name,
    connectTimeout: 3000,
    enableAutoPipelining: opts.autoPipelining ?? false,
    commandTimeout: opts.commandTimeoutMs,
    enableOfflineQueue: !opts.failFast,
    maxRetriesPerRequest: opts.failFast ? 0 : null,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), 2000),
    lazyConnect: false,
  };
  const redis = new Redis(options);
  const log = logger.child({ redis: `${conn.redisHost}:${conn.redisPort}`, connection: opts.name });
  if (!conn.redisUsername) {
    log.warn('REDIS_USERNAME is not set: connecting as the default user, which has every right; give each service its own ACL user (docs/security.md)');
  }
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) log.info('redis connection restored');
    healthy = true;
  });
  redis.on('error', (err: Error) => {
    const tls = explainTlsError(err, 'Redis', 'REDIS_TLS_CA');
    if (healthy) log.warn({ err }, tls ? `${tls}; reconnecting` : 'redis connection lost; reconnecting');
    healthy = false;
  });
  return redis;
}

/** True when the client is connected and the server answers PING within `timeoutMs`. */
export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
  await withTimeout(redis.ping(), timeoutMs, 'redis PING');
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

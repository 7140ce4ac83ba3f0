/**
 * The one Redis module. Every process connects through `createRedis`, which reconnects
 * forever with capped back-off and logs connection state changes once (not once per retry).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export { Redis } from 'ioredis';

export interface RedisConnection {
  redisHost: string;
  redisPort: number;
  redisPassword?: string | undefined;
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
    host: conn.redisHost,
    port: conn.redisPort,
    password: conn.redisPassword,
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
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) log.info('redis connection restored');
    healthy = true;
  });
  redis.on('error', (err: Error) => {
    if (healthy) log.warn({ err }, 'redis connection lost; reconnecting');
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

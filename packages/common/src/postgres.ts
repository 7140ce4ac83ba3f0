/**
 * The one PostgreSQL module: all SQL goes through `Database`. It logs each query's duration
 * and row count (never its parameters), survives the pool's idle-client errors (a database
 * restart must not crash the process), and runs a transaction on one client.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { withTimeout } from './redis.js';
import { explainTlsError, postgresSslOptions, type PostgresTlsSettings } from './tls.js';

export interface PostgresConnection extends PostgresTlsSettings {
  postgresHost: string;
  postgresPort: number;
  postgresDb: string;
  postgresUser: string;
  postgresPassword: string;
  postgresPoolSize?: number;
}

export type Row = Record<string, unknown>;
export type QueryResult<R extends Row = Row> = pg.QueryResult<R>;

/** What a transaction body may do: queries on the transaction's own client. */
export interface Queryable {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export function clientConfig(conn: PostgresConnection, applicationName: string): pg.ClientConfig {
  const ssl = postgresSslOptions(conn);
  return {
    ...(ssl === undefined ? {} : { ssl }),
    host: conn.postgresHost,
    port: conn.postgresPort,
    database: conn.postgresDb,
    user: conn.postgresUser,
    password: conn.postgresPassword,
    application_name: applicationName,
    connectionTimeoutMillis: 3000,
    keepAlive: true,
  };
}

export class Database implements Queryable {
  readonly pool: pg.Pool;
  private readonly log: Logger;

  constructor(conn: PostgresConnection, logger: Logger, applicationName: string) {
    this.log = logger.child({ postgres: `${conn.postgresHost}:${conn.postgresPort}/${conn.postgresDb}` });
    this.pool = new pg.Pool({ ...clientConfig(conn, applicationName), max: conn.postgresPoolSize ?? 10, idleTimeoutMillis: 30_000 });
    // An idle client whose server went away emits here; without a listener the process dies.
    this.pool.on('error', (err) => this.log.warn({ err }, 'idle postgres connection failed'));
  }

  async query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.timed(this.pool, text, params);
  }

  /** Runs `body` inside BEGIN/COMMIT on one client; rolls back and rethrows on any error. */
  async transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch(rethrowExplained);
    const tx: Queryable = { query: (text, params) => this.timed(client, text, params) };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await body(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A client whose connection failed must not go back to the pool.
      client.release(broken !== undefined && isConnectionError(broken) ? broken : undefined);
    }
  }

  async ping(timeoutMs = 1000): Promise<void> {
    await withTimeout(this.pool.query('SELECT 1').catch(rethrowExplained), timeoutMs, 'postgres SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async timed<R extends Row>(
    target: pg.Pool | pg.PoolClient,
    text: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    const started = performance.now();
    const result = await target.query<R>(text, params as unknown[] | undefined).catch(rethrowExplained);
    if (this.log.isLevelEnabled('debug')) {
      const sql = text.length > 120 ? `${text.replace(/\s+/g, ' ').slice(0, 120)}…` : text.replace(/\s+/g, ' ');
      this.log.debug({ sql, ms: +(performance.now() - started).toFixed(2), rows: result.rowCount }, 'query');
    }
    return result;
  }
}

/**
 * Rethrows a TLS handshake failure as a sentence naming POSTGRES_SSL_CA / POSTGRES_SSLMODE,
 * keeping its code; any other error unchanged. Not a connection error: retrying will not fix it.
 */
export function rethrowExplained(err: unknown): never {
  const tls = explainTlsError(err, 'PostgreSQL', 'POSTGRES_SSL_CA');
  if (tls === undefined) throw err;
  throw Object.assign(new Error(tls, { cause: err }), { code: (err as { code?: unknown }).code });
}

/** Errors that mean the connection (not the statement) failed: worth a retry elsewhere. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  const message = (err as Error | undefined)?.message ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08000', '08003', '08006'].includes(code) ||
    /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message)
  );
}

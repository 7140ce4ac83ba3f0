/**
 * TLS to Redis and PostgreSQL: the client options built from the configuration, and one
 * sentence for a handshake that failed, naming the variable to look at (a wrong CA otherwise
 * surfaces as "self-signed certificate in certificate chain" with no hint of which setting).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { PostgresSslMode } from './config/data-layer.js';

/** Reads a PEM file named by `variable`; a missing or unreadable file is one clear error. */
export function readPem(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${variable}=${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

export interface RedisTlsSettings {
  redisTls?: boolean | undefined;
  redisTlsCa?: string | undefined;
  redisTlsCert?: string | undefined;
  redisTlsKey?: string | undefined;
}

/** ioredis's `tls` option, or undefined when TLS is off. The server name is verified. */
export function redisTlsOptions(s: RedisTlsSettings): ConnectionOptions | undefined {
  if (!s.redisTls) return undefined;
  if ((s.redisTlsCert === undefined) !== (s.redisTlsKey === undefined)) {
    throw new Error('REDIS_TLS_CERT and REDIS_TLS_KEY go together: set both or neither');
  }
  return {
    ...(s.redisTlsCa ? { ca: readPem(s.redisTlsCa, 'REDIS_TLS_CA') } : {}),
    ...(s.redisTlsCert ? { cert: readPem(s.redisTlsCert, 'REDIS_TLS_CERT') } : {}),
    ...(s.redisTlsKey ? { key: readPem(s.redisTlsKey, 'REDIS_TLS_KEY') } : {}),
    rejectUnauthorized: true,
  };
}

export interface PostgresTlsSettings {
  postgresSslMode?: PostgresSslMode | undefined;
  postgresSslCa?: string | undefined;
}

/**
 * node-postgres's `ssl` option for a libpq sslmode. Unset mode: undefined, so node-postgres
 * still honours PGSSLMODE as before. `require` encrypts without verifying (libpq's meaning);
 * `verify-ca` checks the chain only; `verify-full` also the host name.
 */
export function postgresSslOptions(s: PostgresTlsSettings): false | ConnectionOptions | undefined {
  switch (s.postgresSslMode) {
    case undefined:
      return undefined;
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full': {
      const ca = s.postgresSslCa ? { ca: readPem(s.postgresSslCa, 'POSTGRES_SSL_CA') } : {};
      return s.postgresSslMode === 'verify-ca'
        ? { ...ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { ...ca, rejectUnauthorized: true };
    }
  }
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * One sentence for a TLS failure towards `server` (e.g. "Redis"), or undefined when `err` is
 * not one. `caVariable` is the setting that decides which certificates are trusted.
 */
export function explainTlsError(err: unknown, server: string, caVariable: string): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = (err as Error | undefined)?.message ?? '';
  if (typeof code === 'string' && UNTRUSTED.has(code)) {
    return `${server} TLS certificate not trusted: it is not signed by the CA in ${caVariable} (${message})`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `${server} TLS certificate does not name the host connected to (${message}); connect by a name the certificate lists`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `${server} TLS certificate is not valid now (${message})`;
  if (/The server does not support SSL connections/i.test(message)) return `${server} does not accept TLS connections (${message})`;
  return undefined;
}

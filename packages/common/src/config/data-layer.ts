/**
 * How services authenticate to Redis and PostgreSQL, and whether they speak TLS to them; and
 * what only the migrate step holds: the credentials that create the database roles. Each
 * service has its own Redis ACL user and its own PostgreSQL role (docs/security.md, "Data
 * layer"); TLS is off unless asked for.
 */
import { env, type Spec } from './schema.js';

const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof SSL_MODES)[number];

function flag(raw: string): boolean {
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error('expected true or false');
}

function password(raw: string): string {
  if (raw.length < 16) throw new Error('expected at least 16 characters');
  return raw;
}

export const redisAuthVars = {
  redisUsername: env.optional('REDIS_USERNAME', {
    description: 'Redis ACL user (AUTH username password); unset: the default user, which a least-privilege Redis disables',
  }),
} satisfies Spec;

export const redisTlsVars = {
  redisTls: env.withDefault('REDIS_TLS', 'false', { description: 'connect to Redis over TLS', parse: flag }),
  redisTlsCa: env.optional('REDIS_TLS_CA', {
    description: 'PEM file of the CA that signed the Redis server certificate (unset: the system CAs); with REDIS_TLS',
  }),
  redisTlsCert: env.optional('REDIS_TLS_CERT', {
    description: 'PEM file of a client certificate, for a Redis that requires one (tls-auth-clients yes); with REDIS_TLS_KEY',
  }),
  redisTlsKey: env.optional('REDIS_TLS_KEY', { description: 'PEM file of the client certificate\'s private key (the path; the file itself belongs in a Secret)' }),
} satisfies Spec;

export const postgresTlsVars = {
  postgresSslMode: env.optional('POSTGRES_SSLMODE', {
    description:
      'TLS to PostgreSQL as libpq names it: disable, require (encrypted, server not verified), verify-ca, verify-full (also the host name); unset: disable (or PGSSLMODE)',
    parse: env.oneOf(SSL_MODES),
  }),
  postgresSslCa: env.optional('POSTGRES_SSL_CA', {
    description: 'PEM file of the CA that signed the PostgreSQL server certificate (unset: the system CAs); with verify-ca or verify-full',
  }),
} satisfies Spec;

/**
 * Read by `migrate` only. The admin connection (a superuser, or a role with CREATEROLE that
 * owns the database) creates the roles and hands the database to the owner, POSTGRES_USER,
 * which then runs the migrations and grants each service role exactly its privileges. No
 * service ever holds these.
 */
export const roleSetupVars = {
  postgresAdminUser: env.optional('POSTGRES_ADMIN_USER', {
    description: 'role that creates the database roles (e.g. the image\'s superuser); migrate only, unset: roles are not created, only granted',
    secret: true,
  }),
  postgresAdminPassword: env.optional('POSTGRES_ADMIN_PASSWORD', { description: 'password of POSTGRES_ADMIN_USER; migrate only', secret: true }),
  postgresWorkerPassword: env.optional('POSTGRES_WORKER_PASSWORD', {
    description: 'password migrate gives the role worker (created when set, at least 16 characters)',
    secret: true,
    parse: password,
  }),
  postgresResultPassword: env.optional('POSTGRES_RESULT_PASSWORD', {
    description: 'password migrate gives the role result (created when set, at least 16 characters)',
    secret: true,
    parse: password,
  }),
  postgresBackupPassword: env.optional('POSTGRES_BACKUP_PASSWORD', {
    description: 'password migrate gives the role backup, read-only for pg_dump (created when set, at least 16 characters)',
    secret: true,
    parse: password,
  }),
} satisfies Spec;

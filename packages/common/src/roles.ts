/**
 * PostgreSQL roles, least privilege: one owner role that runs the migrations and owns every
 * object, and one login role per reader or writer, each with exactly the privileges it needs
 * (docs/security.md, "Data layer"):
 *
 * | role     | may                                                                  |
 * |----------|----------------------------------------------------------------------|
 * | owner    | own the database and its objects, run migrations (POSTGRES_USER of migrate) |
 * | `worker` | SELECT, INSERT, UPDATE on votes (tallies follow through the owner's trigger) and polls |
 * | `result` | SELECT on tallies and polls; LISTEN needs no grant                   |
 * | `backup` | SELECT on every table and sequence, for pg_dump                     |
 *
 * `ensureRoles` runs on the admin connection only the migrate step has (a superuser, e.g. the
 * image's): it creates or updates the roles and their passwords and hands the database to the
 * owner. `grantPrivileges` runs as the owner after the migrations. Both are idempotent, so the
 * migrate step runs them every time; a new password in the environment is a rotation.
 *
 * Passwords are sent as SCRAM-SHA-256 verifiers computed here, never in clear text, so no
 * server log (log_statement) or pg_stat_statements row can show one.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Queryable } from './postgres.js';

export const SERVICE_ROLES = ['worker', 'result', 'backup'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'REFERENCES' | 'TRIGGER';
const TABLE_PRIVILEGES: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/** Table privileges per role; `*` is every table of schema public (backup). */
export const ROLE_TABLE_PRIVILEGES: Record<ServiceRole, Record<string, readonly TablePrivilege[]>> = {
  // polls (issue 12): the worker applies the definitions poll appends to the stream; result reads them.
  worker: { votes: ['SELECT', 'INSERT', 'UPDATE'], polls: ['SELECT', 'INSERT', 'UPDATE'], schema_migrations: ['SELECT'] },
  result: { tallies: ['SELECT'], polls: ['SELECT'], schema_migrations: ['SELECT'] },
  backup: { '*': ['SELECT'] },
};

/** Serialises concurrent migrate steps: two CREATE ROLE or GRANT at once fail rather than wait. */
const ROLES_LOCK_KEY = 0x726f6c65; // "role"

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A role name as an SQL identifier; names outside [a-z0-9_] are refused rather than quoted. */
export function roleIdentifier(name: string): string {
  if (!ROLE_NAME.test(name)) throw new Error(`role name ${JSON.stringify(name)}: expected lower-case letters, digits and _`);
  return `"${name}"`;
}

/** The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, 4096 iterations). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function passwordClause(password: string): string {
  // The verifier is base64 and digits around '$' and ':': nothing to escape in a literal.
  return `PASSWORD '${scramVerifier(password)}'`;
}

export interface RoleSetup {
  database: string;
  owner: { user: string; password: string };
  /** Service roles to create or update; a role without a password here is left as it is. */
  passwords: Partial<Record<ServiceRole, string>>;
}

const NO_EXTRAS = 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

/**
 * As the admin: every role exists, can log in with its current password and has no attribute
 * beyond LOGIN; the owner owns the database and every object of schema public (objects made by
 * earlier runs as the admin are handed over), and nobody else may create there.
 */
export async function ensureRoles(admin: Queryable, setup: RoleSetup, logger: Logger): Promise<void> {
  await admin.query('SELECT pg_advisory_xact_lock($1)', [ROLES_LOCK_KEY]);
  const { rows: me } = await admin.query<{ user: string }>('SELECT current_user AS user');
  const adminName = me[0]?.user;
  const roles: [string, string][] = [[setup.owner.user, setup.owner.password]];
  for (const role of SERVICE_ROLES) {
    const password = setup.passwords[role];
    if (password !== undefined) roles.push([role, password]);
  }
  for (const [name, password] of roles) {
    const id = roleIdentifier(name);
    if (name === adminName) throw new Error(`the admin role ${name} cannot also be the owner or a service role: give POSTGRES_ADMIN_USER another role`);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    await admin.query(`${rowCount ? 'ALTER' : 'CREATE'} ROLE ${id} LOGIN ${NO_EXTRAS} ${passwordClause(password)}`);
    logger.info({ role: name }, rowCount ? 'postgres role updated' : 'postgres role created');
  }
  const owner = roleIdentifier(setup.owner.user);
  await admin.query(`ALTER DATABASE ${roleIdentifier(setup.database)} OWNER TO ${owner}`);
  // The owner owns schema public too, so it alone creates there and it can grant USAGE on it
  // (a schema re-created by a superuser would otherwise leave the grants silently empty).
  // PostgreSQL 15+ gives PUBLIC no CREATE on schema public; older versions did.
  await admin.query(`ALTER SCHEMA public OWNER TO ${owner}`);
  await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  const { rows: foreign } = await admin.query<{ kind: string; name: string }>(
    `SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' WHEN c.relkind IN ('v') THEN 'VIEW' ELSE 'TABLE' END AS kind,
            quote_ident(c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> $1
     UNION ALL
     SELECT 'FUNCTION', p.oid::regprocedure::text
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1`,
    [setup.owner.user],
  );
  for (const o of foreign) {
    // A sequence owned by a column follows its table.
    await admin.query(`ALTER ${o.kind} ${o.name} OWNER TO ${owner}`).catch((err: Error) => {
      if (!/cannot change owner of sequence/.test(err.message)) throw err;
    });
  }
  if (foreign.length > 0) logger.info({ objects: foreign.map((o) => o.name) }, 'database objects handed to the owner role');
}

/**
 * As the owner, after the migrations: each service role that exists gets exactly its
 * privileges (everything else it had on our tables is revoked first, so rights shrink when
 * the code needs fewer), and only they may connect.
 */
export async function grantPrivileges(owner: Queryable, database: string, logger: Logger): Promise<ServiceRole[]> {
  await owner.query('SELECT pg_advisory_xact_lock($1)', [ROLES_LOCK_KEY]);
  const { rows } = await owner.query<{ rolname: ServiceRole }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [SERVICE_ROLES]);
  const present = SERVICE_ROLES.filter((r) => rows.some((row) => row.rolname === r));
  const { rows: db } = await owner.query<{ owned: boolean }>(
    'SELECT pg_has_role(datdba, \'MEMBER\') AS owned FROM pg_database WHERE datname = current_database()',
  );
  const ownsDatabase = db[0]?.owned === true;
  const dbId = roleIdentifier(database);
  if (ownsDatabase) await owner.query(`REVOKE ALL ON DATABASE ${dbId} FROM PUBLIC`);
  for (const role of present) {
    const id = roleIdentifier(role);
    if (ownsDatabase) {
      await owner.query(`REVOKE ALL ON DATABASE ${dbId} FROM ${id}`);
      await owner.query(`GRANT CONNECT ON DATABASE ${dbId} TO ${id}`);
    }
    await owner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${id}`);
    await owner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${id}`);
    await owner.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ${id}`);
    await owner.query(`GRANT USAGE ON SCHEMA public TO ${id}`);
    for (const [table, privileges] of Object.entries(ROLE_TABLE_PRIVILEGES[role])) {
      if (table === '*') {
        await owner.query(`GRANT ${privileges.join(', ')} ON ALL TABLES IN SCHEMA public TO ${id}`);
        await owner.query(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${id}`);
        await owner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${id}`);
      } else {
        // A table a later migration adds may be listed before this database has it.
        const { rows: found } = await owner.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`public.${table}`]);
        if (found[0]?.t) await owner.query(`GRANT ${privileges.join(', ')} ON ${table} TO ${id}`);
      }
    }
  }
  if (!ownsDatabase && present.length > 0) {
    logger.warn('the owner role does not own the database: CONNECT is left open to every role (set POSTGRES_ADMIN_USER so migrate can hand it over)');
  }
  logger.info({ roles: present }, 'postgres privileges granted');
  return present;
}

/**
 * What the connected role may do beyond `needs` (table → privileges): superuser and other
 * role attributes, owning the database or a table, creating in schema public, and every
 * other table privilege. Empty when the role has exactly what it needs or less.
 */
export async function excessPrivileges(db: Queryable, needs: Record<string, readonly string[]>): Promise<string[]> {
  const { rows: attrs } = await db.query<{
    rolsuper: boolean;
    rolcreaterole: boolean;
    rolcreatedb: boolean;
    rolbypassrls: boolean;
    rolreplication: boolean;
    owns_database: boolean;
    creates: boolean;
  }>(
    `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolreplication,
            (SELECT pg_has_role(datdba, 'MEMBER') FROM pg_database WHERE datname = current_database()) AS owns_database,
            has_schema_privilege('public', 'CREATE') AS creates
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const a = attrs[0];
  const excess: string[] = [];
  if (a?.rolsuper) return ['superuser'];
  if (a?.rolcreaterole) excess.push('CREATEROLE');
  if (a?.rolcreatedb) excess.push('CREATEDB');
  if (a?.rolbypassrls) excess.push('BYPASSRLS');
  if (a?.rolreplication) excess.push('REPLICATION');
  if (a?.owns_database) excess.push('owns the database');
  if (a?.creates) excess.push('CREATE on schema public');
  const { rows: tables } = await db.query<{ relname: string; owned: boolean } & Record<string, boolean | string>>(
    `SELECT c.relname, pg_has_role(c.relowner, 'MEMBER') AS owned,
            ${TABLE_PRIVILEGES.map((p) => `has_table_privilege(c.oid, '${p}') AS "${p}"`).join(', ')}
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
      ORDER BY c.relname`,
  );
  for (const t of tables) {
    if (t.owned) {
      excess.push(`owns ${t.relname}`);
      continue;
    }
    const allowed = needs[t.relname] ?? [];
    const extra = TABLE_PRIVILEGES.filter((p) => t[p] === true && !allowed.includes(p));
    if (extra.length > 0) excess.push(`${extra.join(', ')} on ${t.relname}`);
  }
  return excess;
}

/**
 * Logs a warning when the service's PostgreSQL role may do more than `role` needs (a shared
 * owner or superuser login, say). Never fails start-up: an unreachable database is the
 * readiness probe's business, and a deployment without roles still runs.
 */
export async function warnOnExcessPrivileges(db: Queryable, role: Exclude<ServiceRole, 'backup'>, logger: Logger): Promise<string[]> {
  try {
    const excess = await excessPrivileges(db, ROLE_TABLE_PRIVILEGES[role]);
    if (excess.length > 0) {
      logger.warn(
        { excess },
        `the PostgreSQL role connects with more rights than ${role} needs (${excess.join('; ')}): give it the role ${role} (docs/security.md)`,
      );
    }
    return excess;
  } catch (err) {
    logger.debug({ err }, 'could not check the PostgreSQL role\'s privileges');
    return [];
  }
}

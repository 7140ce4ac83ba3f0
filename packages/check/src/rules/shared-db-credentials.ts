import { postgresVars, serviceSpecs } from '@bernstein/common/config';
import { composeServiceOf, composeServices, type ComposeService } from '../compose.js';
import { parseImage } from '../image.js';
import { containerLabel, containersOf, labelsOf, namespaceOf, podTemplate, type ContainerRef } from '../k8s.js';
import { COMPOSE, POD_TEMPLATE_KINDS } from '../kinds.js';
import { composeEnvironment, composeWords } from '../least-privilege/compose-values.js';
import { secretKeyId, secretSources, unresolvedEnvFrom, type SecretKey } from '../least-privilege/secret-sources.js';
import type { ComposeFile, K8sObject, RawFinding, RuleContext } from '../model.js';
import { at, records, str, strings } from '../read.js';
import { serviceOf } from '../services.js';
import { defineRule } from './define.js';

/**
 * The variables our services' schema logs in to PostgreSQL with: the secret ones of the
 * PostgreSQL group (POSTGRES_USER, POSTGRES_PASSWORD), and the admin connection only migrate
 * holds (POSTGRES_ADMIN_*). The other secrets migrate may hold (the passwords it gives each
 * service's role) are what the services should have, so they are not the owner's.
 */
const SCHEMA_SECRETS = new Set(Object.values(serviceSpecs).flatMap((spec) => Object.values(spec).filter((v) => v.secret).map((v) => v.name)));
const SCHEMA_LOGIN = new Set([...Object.values(postgresVars).filter((v) => v.secret).map((v) => v.name), ...[...SCHEMA_SECRETS].filter((n) => n.startsWith('POSTGRES_ADMIN_'))]);

/** A credential by its name, for migration tools other than ours (DB_USER, FLYWAY_PASSWORD, DATABASE_URL…). */
function isLoginVariable(name: string): boolean {
  if (SCHEMA_LOGIN.has(name)) return true;
  if (SCHEMA_SECRETS.has(name)) return false;
  return /(^|_)(USER|USERNAME|PASSWORD|PASSWD|PASS|PWD)$/i.test(name) || /^(DATABASE_URL|DB_URL)$|_DSN$/i.test(name);
}

/**
 * The variables the PostgreSQL server creates its first role from: the official image makes
 * POSTGRES_USER (default `postgres`) a superuser with POSTGRES_PASSWORD
 * (https://hub.docker.com/_/postgres, "Environment Variables"); Bitnami's makes
 * POSTGRESQL_USERNAME the database owner and POSTGRESQL_POSTGRES_PASSWORD the superuser's
 * password (https://github.com/bitnami/containers/tree/main/bitnami/postgresql).
 */
const SERVER_LOGIN = ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRESQL_USERNAME', 'POSTGRESQL_PASSWORD', 'POSTGRESQL_POSTGRES_PASSWORD', 'POSTGRES_POSTGRES_PASSWORD'];

function isPostgresImage(image: string): boolean {
  return /^(postgres|postgresql|postgis|timescaledb|timescaledb-ha)$/.test(parseImage(image).name.split('/').pop() ?? '');
}

/** A PostgreSQL server, not a pg_dump Job or a psql helper of the same image. */
function isServer(o: K8sObject, c: ContainerRef): boolean {
  if (c.init || o.kind === 'Job' || o.kind === 'CronJob' || c.image === undefined || !isPostgresImage(c.image)) return false;
  const command = strings(c.c.command);
  return command.length === 0 || /postgres|entrypoint/.test(command[0] ?? '');
}

const MIGRATION = /migrat|flyway|liquibase/i;

function isMigration(c: ContainerRef, labels: Readonly<Record<string, string>>): boolean {
  if (serviceOf(c, labels) === 'migrate') return true;
  const image = c.image === undefined ? '' : parseImage(c.image).name.split('/').pop() ?? '';
  return MIGRATION.test(c.name ?? '') || MIGRATION.test(image) || [...strings(c.c.command), ...strings(c.c.args)].some((w) => MIGRATION.test(w));
}

interface Owner {
  readonly role: 'superuser' | 'migration';
  /** `Deployment "postgres"`, `init container "migrate" of Deployment "result"`. */
  readonly where: string;
  readonly keys: ReadonlyMap<string, SecretKey>;
}

function ownerKeys(ctx: RuleContext, o: K8sObject, c: ContainerRef, names: (n: string) => boolean): Map<string, SecretKey> {
  const ns = namespaceOf(o);
  const external = ctx.external ?? [];
  const sources = secretSources(ctx.unit.objects, external, ns, c);
  const out = new Map<string, SecretKey>();
  const candidates = new Set([...sources.keys(), ...SERVER_LOGIN, ...SCHEMA_LOGIN]);
  for (const name of candidates) {
    if (!names(name)) continue;
    const key = sources.get(name) ?? (records(c.c.env).some(({ value }) => value.name === name) ? undefined : unresolvedEnvFrom(ctx.unit.objects, external, ns, c, name));
    if (key) out.set(secretKeyId(key), key);
  }
  return out;
}

/** "the PostgreSQL superuser (Deployment "postgres") and the migration owner (Job "migrate", …)". */
function describeOwners(owners: readonly Owner[]): string {
  const part = (role: Owner['role'], label: string) => {
    const where = [...new Set(owners.filter((o) => o.role === role).map((o) => o.where))];
    return where.length > 0 ? [`${label} (${where.join(', ')})`] : [];
  };
  return [...part('superuser', 'the PostgreSQL superuser'), ...part('migration', 'the migration owner')].join(' and ');
}

function* kubernetes(ctx: RuleContext): Generator<RawFinding> {
  const owners: Owner[] = [];
  const ownerContainers = new Set<string>();
  const workloads = ctx.objectsOf(...POD_TEMPLATE_KINDS);
  const id = (o: K8sObject, c: ContainerRef) => `${o.kind}/${namespaceOf(o)}/${o.name}/${c.path.join('.')}`;
  for (const o of workloads) {
    const labels = { ...labelsOf(o), ...(podTemplate(o)?.labels ?? {}) };
    for (const c of containersOf(o)) {
      if (isServer(o, c)) {
        owners.push({ role: 'superuser', where: `${o.kind} "${o.name}"`, keys: ownerKeys(ctx, o, c, (n) => SERVER_LOGIN.includes(n)) });
        ownerContainers.add(id(o, c));
      } else if (isMigration(c, labels)) {
        owners.push({ role: 'migration', where: c.init ? `init ${containerLabel(c)} of ${o.kind} "${o.name}"` : `${o.kind} "${o.name}"`, keys: ownerKeys(ctx, o, c, isLoginVariable) });
        ownerContainers.add(id(o, c));
      }
    }
  }
  const all = new Map(owners.flatMap((ow) => [...ow.keys].map(([k]) => [k, ow] as const)));
  if (all.size === 0) return;
  for (const o of workloads) {
    const ns = namespaceOf(o);
    for (const c of containersOf(o)) {
      if (ownerContainers.has(id(o, c))) continue;
      const sources = secretSources(ctx.unit.objects, ctx.external ?? [], ns, c);
      const variables: string[] = [];
      const secrets = new Set<string>();
      const whose = new Set<Owner>();
      for (const [name, key] of sources) {
        for (const ow of owners) {
          if (!ow.keys.has(secretKeyId(key))) continue;
          if (!variables.includes(name)) variables.push(name);
          secrets.add(key.secret);
          whose.add(ow);
        }
      }
      // envFrom of a Secret the input does not show: it holds whatever keys the owners read from it.
      for (const { value: f } of records(c.c.envFrom)) {
        const secret = str(at(f, 'secretRef', 'name'));
        if (secret === undefined || [...sources.values()].some((k) => k.secret === secret)) continue;
        for (const ow of owners) {
          for (const key of ow.keys.values()) {
            if (key.namespace !== ns || key.secret !== secret) continue;
            const name = (str(f.prefix) ?? '') + key.key;
            if (records(c.c.env).some(({ value }) => value.name === name)) continue;
            if (!variables.includes(name)) variables.push(name);
            secrets.add(secret);
            whose.add(ow);
          }
        }
      }
      if (variables.length === 0) continue;
      yield {
        object: o,
        path: c.path,
        message: `${containerLabel(c)} of ${o.kind} "${o.name}" reads ${variables.sort().join(', ')} from the same Secret key${variables.length > 1 ? 's' : ''} (Secret ${[...secrets].sort().map((s) => `"${s}"`).join(', ')}) as ${describeOwners([...whose])}: it connects with their rights (it could rewrite tallies or drop tables) instead of a role of its own`,
      };
    }
  }
}

/** A compose service's PostgreSQL user, as written (an interpolation such as `${POSTGRES_USER:-app}` compares as text). */
function composeUser(s: ComposeService): string | undefined {
  const env = composeEnvironment(s);
  return env.get('POSTGRES_USER') ?? env.get('PGUSER') ?? env.get('POSTGRESQL_USERNAME');
}

function* composeFindings(compose: ComposeFile): Generator<RawFinding> {
  const owners: { readonly service: string; readonly user: string; readonly label: string }[] = [];
  const clients: [string, ComposeService][] = [];
  for (const [name, s] of composeServices(compose)) {
    const image = str(s.image);
    const command = [...composeWords(s.entrypoint), ...composeWords(s.command)];
    if (image !== undefined && isPostgresImage(image) && (command.length === 0 || /postgres|entrypoint/.test(command[0] ?? ''))) {
      owners.push({ service: name, user: composeUser(s) ?? 'postgres', label: `the superuser service "${name}" creates (its POSTGRES_USER)` });
      continue;
    }
    if (composeServiceOf(name, s) === 'migrate' || MIGRATION.test(name) || command.some((w) => MIGRATION.test(w))) {
      const user = composeUser(s);
      if (user !== undefined) owners.push({ service: name, user, label: `the migration owner (service "${name}")` });
      continue;
    }
    if (composeUser(s) !== undefined) clients.push([name, s]);
  }
  for (const [name, s] of clients) {
    const user = composeUser(s) ?? '';
    const env = composeEnvironment(s);
    const variable = ['POSTGRES_USER', 'PGUSER', 'POSTGRESQL_USERNAME'].find((v) => env.get(v) !== undefined) ?? 'POSTGRES_USER';
    const whose = owners.filter((o) => o.user === user).map((o) => o.label);
    if (user === 'postgres' && !owners.some((o) => o.user === 'postgres' && o.label.startsWith('the superuser'))) whose.unshift('the superuser of the postgres image');
    if (whose.length === 0) continue;
    yield {
      compose,
      path: ['services', name, 'environment', ...(Array.isArray(s.environment) ? [] : [variable])],
      message: `service "${name}" logs in to PostgreSQL as ${variable} "${user}", the same user as ${whose.join(' and ')}: it connects with their rights (it could rewrite tallies or drop tables) instead of a role of its own`,
    };
  }
}

export default defineRule({
  id: 'shared-db-credentials',
  description:
    "Each workload logs in to PostgreSQL with a role of its own, not with the migration owner's or the superuser's credentials. In Kubernetes: a container that reads, under any variable name, a Secret key that the migration (a container running migrate, flyway, liquibase…, Job or init container) or the PostgreSQL server logs in with (the official image makes POSTGRES_USER a superuser with POSTGRES_PASSWORD, https://hub.docker.com/_/postgres; Bitnami's POSTGRESQL_USERNAME owns the database) — the login variables come from the services' schema (the secret POSTGRES_* of the PostgreSQL group, the POSTGRES_ADMIN_* of migrate) or, for other tools, from their names (*_USER, *_PASSWORD, DATABASE_URL). In compose: a service whose POSTGRES_USER (or PGUSER) is `postgres` or equals the postgres service's or the migration's POSTGRES_USER. A warning: it works, but one leaked credential then rewrites the votes.",
  remediation:
    'Create a role per service (none a superuser; the migration owner owns the tables and grants each role exactly its privileges) and give each workload its own Secret (e.g. `postgres-worker`, `postgres-result`), keeping the owner\'s and the admin credentials in the migration Job\'s Secret only; in compose, set each service\'s POSTGRES_USER/POSTGRES_PASSWORD to its own role.',
  severity: 'warning',
  profiles: ['production'],
  kinds: [...POD_TEMPLATE_KINDS, COMPOSE],
  *check(ctx) {
    yield* kubernetes(ctx);
    for (const compose of ctx.unit.compose) yield* composeFindings(compose);
  },
});

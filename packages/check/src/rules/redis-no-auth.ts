import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { redisVars } from '@bernstein/common/config';
import { composeServices } from '../compose.js';
import { envSource } from '../env.js';
import { containerLabel, containersOf, namespaceOf, podTemplate } from '../k8s.js';
import { COMPOSE, POD_TEMPLATE_KINDS } from '../kinds.js';
import { composeEnvironment, composeMounts, composeWords } from '../least-privilege/compose-values.js';
import { configFileOf, isRedisImage, redisAuth, type RedisAuth } from '../least-privilege/redis-auth.js';
import type { ComposeFile, RawFinding, RuleContext } from '../model.js';
import { records, str } from '../read.js';
import { argsOf, mountedFile } from '../traefik/static-config.js';
import { defineRule } from './define.js';

/** The variables of the services' schema: the Redis host (its `peer` marker) and password. */
const HOST_VARIABLE = redisVars.redisHost.name;
const PASSWORD_VARIABLE = redisVars.redisPassword.name;

function openMessage(what: string, auth: Extract<RedisAuth, { kind: 'none' }>): string {
  const mode = auth.protectedModeOff ? ' (protected-mode no)' : '';
  return `${what} starts Redis without authentication${mode}: no --requirepass, --aclfile or \`--user default\` with a password, and no redis.conf that sets them, so anything that reaches port 6379 may XADD fake entries, FLUSHALL or CONFIG SET`;
}

function* kubernetes({ unit, external = [], objectsOf }: RuleContext): Generator<RawFinding> {
  const servers: RedisAuth[] = [];
  const clients: RawFinding[] = [];
  for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
    const t = podTemplate(o);
    if (!t) continue;
    const ns = namespaceOf(o);
    for (const c of containersOf(o)) {
      if (c.image !== undefined && isRedisImage(c.image) && !c.init) {
        const args = argsOf(c.c);
        const env = new Map<string, string | undefined>();
        for (const { value: e } of records(c.c.env)) {
          const name = str(e.name);
          if (name !== undefined) env.set(name, str(e.value));
        }
        for (const v of ['REDIS_PASSWORD', 'REDIS_PASSWORD_FILE', 'ALLOW_EMPTY_PASSWORD']) {
          if (!env.has(v) && envSource(unit.objects, ns, c, v, external) !== undefined) env.set(v, undefined);
        }
        const file = configFileOf(args);
        const configText = file === undefined ? undefined : mountedFile(file, c.c, t.spec, unit.objects, ns).found?.text;
        const auth = redisAuth({ image: c.image, args, env, configText });
        servers.push(auth);
        if (auth.kind === 'none') yield { object: o, path: c.path, message: openMessage(`${containerLabel(c)} of ${o.kind} "${o.name}"`, auth) };
        continue;
      }
      if (envSource(unit.objects, ns, c, HOST_VARIABLE, external) === undefined) continue;
      if (envSource(unit.objects, ns, c, PASSWORD_VARIABLE, external) !== undefined) continue;
      clients.push({ object: o, path: c.path, message: `${containerLabel(c)} of ${o.kind} "${o.name}" connects to Redis (${HOST_VARIABLE}) without ${PASSWORD_VARIABLE}` });
    }
  }
  // Every Redis of the unit requires a password: a client without one is refused outright.
  const closed = servers.length > 0 && servers.every((s) => s.kind === 'password');
  for (const f of clients) {
    yield closed
      ? { ...f, severity: 'error', message: `${f.message}, but every Redis of the input requires one: each command is refused with NOAUTH` }
      : { ...f, message: `${f.message}, so its Redis cannot require authentication` };
  }
}

function readHostFile(compose: ComposeFile, source: string): string | undefined {
  try {
    return readFileSync(resolve(dirname(compose.absPath), source), 'utf8');
  } catch {
    return undefined;
  }
}

function* composeFindings(compose: ComposeFile): Generator<RawFinding> {
  const services = composeServices(compose);
  const servers: RedisAuth[] = [];
  const clients: RawFinding[] = [];
  for (const [name, s] of services) {
    const env = composeEnvironment(s);
    const image = str(s.image);
    if (image !== undefined && isRedisImage(image)) {
      const args = [...composeWords(s.entrypoint), ...composeWords(s.command)];
      const file = configFileOf(args);
      const mount = file === undefined ? undefined : composeMounts(s).find((m) => m.target === file || file.startsWith(`${m.target.replace(/\/+$/, '')}/`));
      const configText = mount === undefined || file === undefined ? undefined : readHostFile(compose, mount.target === file ? mount.source : `${mount.source}/${file.slice(mount.target.replace(/\/+$/, '').length + 1)}`);
      const auth = redisAuth({ image, args, env, configText });
      servers.push(auth);
      if (auth.kind === 'none') yield { compose, path: ['services', name, s.command !== undefined ? 'command' : 'image'], message: openMessage(`service "${name}"`, auth) };
      continue;
    }
    if (!env.has(HOST_VARIABLE) || env.has(PASSWORD_VARIABLE)) continue;
    clients.push({ compose, path: ['services', name, 'environment'], message: `service "${name}" connects to Redis (${HOST_VARIABLE}) without ${PASSWORD_VARIABLE}` });
  }
  const closed = servers.length > 0 && servers.every((s) => s.kind === 'password');
  for (const f of clients) {
    yield closed
      ? { ...f, severity: 'error', message: `${f.message}, but every Redis of the file requires one: each command is refused with NOAUTH` }
      : { ...f, message: `${f.message}, so its Redis cannot require authentication` };
  }
}

export default defineRule({
  id: 'redis-no-auth',
  description:
    "Redis asks for authentication: a Redis container (image redis, redis-stack-server, valkey, Bitnami's redis) is started with `--requirepass`, `--aclfile`, `--user default …` with a password, or a redis.conf that sets one of them (read from a ConfigMap of the input, or next to a compose file), or Bitnami's REDIS_PASSWORD; and every client (a container given REDIS_HOST) is given REDIS_PASSWORD. Redis lets anyone in as the `default` user until that user has a password (https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/#the-default-user), and the official image compiles protected mode off (https://github.com/docker-library/redis), so a password-less Redis serves every pod or container that reaches it: XADD fake votes, FLUSHALL, CONFIG SET. Kubernetes and compose. A warning (it works, unsafely); an error when every Redis of the input requires a password and a client has none (every command fails with NOAUTH).",
  remediation:
    'Give Redis ACL users from a Secret (an ACL file mounted from a Secret, `--aclfile /etc/redis/users.acl`, with `user default off` and one user per client) or at least `--requirepass $(REDIS_PASSWORD)` with the password from a Secret; give each client its REDIS_USERNAME and REDIS_PASSWORD from a Secret.',
  severity: 'warning',
  profiles: ['production'],
  kinds: [...POD_TEMPLATE_KINDS, COMPOSE],
  *check(ctx) {
    yield* kubernetes(ctx);
    for (const compose of ctx.unit.compose) yield* composeFindings(compose);
  },
});

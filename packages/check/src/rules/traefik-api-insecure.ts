import { composeServices, type ComposeService } from '../compose.js';
import { mapSelectorMatches, namespaceOf, podTemplate } from '../k8s.js';
import { COMPOSE, SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import { composeLabels, composeMounts, composeWords } from '../least-privilege/compose-values.js';
import type { ComposeFile, K8sObject, RawFinding, RuleContext } from '../model.js';
import { at, isRecord, list, records, str, text } from '../read.js';
import {
  argsOf,
  entryPoints,
  flag,
  isSet,
  isTraefikImage,
  isV1,
  parseFlags,
  routeEntryPoints,
  servedBy,
  traefikGroupOf,
  traefikInstances,
  valueOf,
  versionFromImage,
  type TraefikInstance,
} from '../traefik/index.js';
import { defineRule } from './define.js';

const AUTH_MIDDLEWARES = ['basicAuth', 'digestAuth', 'forwardAuth'];
const API_SERVICE = 'api@internal';

function portOf(address: string): number | undefined {
  const m = /:(\d+)(\/\w+)?$/.exec(address.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Where a Traefik serves its API without authentication: 2.x/3.x with api.insecure (on the
 * entrypoint "traefik", :8080 unless redefined); 1.7 with `--api` on its entrypoint (default
 * "traefik" on :8080), which has no authentication unless that entrypoint defines `Auth.*`
 * (https://doc.traefik.io/traefik/v1.6/configuration/api/: "not recommended in production,
 * unless secured by authentication").
 */
interface OpenApi {
  readonly setting: string;
  readonly entryPoint: string;
  readonly port: number | undefined;
}

function openApiV2(t: TraefikInstance): OpenApi | undefined {
  if (!flag(t.config, 'api.insecure')) return undefined;
  return { setting: 'api.insecure=true', entryPoint: 'traefik', port: portOf(valueOf(t.config, 'entrypoints.traefik.address') ?? ':8080') };
}

/** 1.7: `--entryPoints='Name:traefik Address::8080 Auth.Basic.Users:…'` definitions, by name. */
function entryPointsV1(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--?entry[pP]oints(?:=(.*))?$/s.exec(args[i] ?? '');
    if (!m) continue;
    const def = m[1] ?? args[++i] ?? '';
    const name = /Name:(\S+)/.exec(def)?.[1];
    if (name !== undefined) out.set(name.replace(/^["']/, ''), def);
  }
  return out;
}

function openApiV1(t: TraefikInstance): OpenApi | undefined {
  if (!isSet(t.config, 'api') || valueOf(t.config, 'api')?.toLowerCase() === 'false') return undefined;
  const entryPoint = valueOf(t.config, 'api.entrypoint') ?? 'traefik';
  const def = entryPointsV1(argsOf(t.container)).get(entryPoint);
  const fileAuth = [...t.config.values.keys()].some((k) => k.startsWith(`entrypoints.${entryPoint.toLowerCase()}.auth.`));
  if (fileAuth || (def !== undefined && /\bAuth\./.test(def))) return undefined;
  const address = def !== undefined ? (/Address:(\S*)/.exec(def)?.[1] ?? '') : (valueOf(t.config, `entrypoints.${entryPoint.toLowerCase()}.address`) ?? (entryPoint === 'traefik' ? ':8080' : ''));
  return { setting: '--api', entryPoint, port: portOf(address) };
}

/** The node ports (or load balancers) that publish a container port of the Traefik pods. */
function publishers(t: TraefikInstance, port: number, services: readonly K8sObject[]): string[] {
  const declared = records(t.container.ports).map(({ value }) => value);
  const names = new Set(declared.filter((p) => p.containerPort === port).map((p) => str(p.name)).filter((n): n is string => n !== undefined));
  const labels = podTemplate(t.object)?.labels ?? {};
  const out: string[] = [];
  for (const s of services) {
    const type = str(at(s.data, 'spec', 'type'));
    if ((type !== 'NodePort' && type !== 'LoadBalancer') || namespaceOf(s) !== t.namespace) continue;
    if (!mapSelectorMatches(at(s.data, 'spec', 'selector'), labels)) continue;
    for (const { value: p } of records(at(s.data, 'spec', 'ports'))) {
      const target = p.targetPort ?? p.port;
      if (target !== port && !(typeof target === 'string' && names.has(target))) continue;
      if (type === 'LoadBalancer') out.push(`port ${String(p.port)} of load balancer Service "${s.name}"`);
      else out.push(`${typeof p.nodePort === 'number' ? `node port ${p.nodePort}` : 'a node port'} of Service "${s.name}"`);
    }
  }
  if (declared.some((p) => p.containerPort === port && typeof p.hostPort === 'number')) out.push(`host port ${String(declared.find((p) => p.containerPort === port)?.hostPort)}`);
  return out;
}

function* insecureApis({ unit, objectsOf }: RuleContext): Generator<RawFinding> {
  const services = objectsOf('Service');
  for (const t of traefikInstances(unit.objects)) {
    if (t.config.source.kind === 'unknown') continue;
    const open = isV1(t.version) ? openApiV1(t) : openApiV2(t);
    if (!open) continue;
    const where = `entrypoint "${open.entryPoint}"${open.port !== undefined ? ` (:${open.port})` : ''}`;
    const published = open.port === undefined ? [] : publishers(t, open.port, services);
    const reach = published.length > 0 ? `, published on ${published.join(' and ')}: anyone who reaches it reads the whole routing configuration` : ': any pod that reaches the port reads the whole routing configuration';
    yield {
      object: t.object,
      path: t.config.source.kind === 'flags' ? t.argsPath : t.containerPath,
      message: `${t.version.label} (${t.id}): ${open.setting} serves the API and dashboard without authentication on ${where}${reach}`,
    };
  }
}

/** The auth middleware a route's middleware references use; undefined when one is not in the input. */
function routeAuth(route: unknown, namespace: string, middlewares: readonly K8sObject[]): boolean | undefined {
  let unknown = false;
  const isAuth = (m: K8sObject | undefined, depth: number): boolean => {
    if (!m) return false;
    const spec = at(m.data, 'spec');
    if (AUTH_MIDDLEWARES.some((k) => isRecord(at(spec, k)))) return true;
    if (depth > 0) return false;
    return records(at(spec, 'chain', 'middlewares')).some(({ value }) => isAuth(find(value, namespaceOf(m)), depth + 1));
  };
  const find = (ref: Readonly<Record<string, unknown>>, ns: string): K8sObject | undefined => {
    const name = str(ref.name) ?? '';
    if (name.includes('@')) {
      unknown = true; // a middleware of another provider (file, …): not in the input
      return undefined;
    }
    const found = middlewares.find((m) => m.name === name && namespaceOf(m) === (str(ref.namespace) ?? ns));
    if (!found) unknown = true;
    return found;
  };
  const ok = records(at(route, 'middlewares')).some(({ value }) => isAuth(find(value, namespace), 0));
  return ok ? true : unknown ? undefined : false;
}

/**
 * Where an unauthenticated dashboard route is reachable from outside the cluster: the ports of
 * its entrypoints that a NodePort/LoadBalancer Service (or a host port) publishes, on each Traefik
 * of the input that serves it. An entrypoint no Service publishes is the "internal entrypoint
 * reached by kubectl port-forward" layout (Traefik's Helm chart does this): not reported.
 * Undefined when no Traefik of the input serves the route (its exposure is unknown: reported).
 */
function routeExposure(o: K8sObject, entryPointNames: readonly string[], objects: readonly K8sObject[], services: readonly K8sObject[]): string[] | undefined {
  const serving = servedBy(o, objects);
  if (serving.length === 0) return undefined;
  return serving.flatMap(({ traefik }) =>
    routeEntryPoints(entryPoints(traefik.version, traefik.config), entryPointNames).flatMap((e) => {
      const port = portOf(e.address);
      return port === undefined ? [] : publishers(traefik, port, services).map((p) => `entrypoint "${e.name}" of ${traefik.id} (${p})`);
    }),
  );
}

function* dashboardRoutes({ run, unit, objectsOf }: RuleContext): Generator<RawFinding> {
  const middlewares = run.objectsOf('Middleware').filter((m) => traefikGroupOf(m.apiVersion, m.kind) !== undefined);
  const services = objectsOf('Service');
  for (const o of objectsOf('IngressRoute')) {
    if (traefikGroupOf(o.apiVersion, o.kind) === undefined) continue;
    const names = list(at(o.data, 'spec', 'entryPoints')).map(String);
    for (const { value: route, index } of records(at(o.data, 'spec', 'routes'))) {
      if (!records(route.services).some(({ value: s }) => s.name === API_SERVICE)) continue;
      if (routeAuth(route, namespaceOf(o), middlewares) !== false) continue;
      const exposure = routeExposure(o, names, unit.objects, services);
      if (exposure !== undefined && exposure.length === 0) continue;
      const where = exposure === undefined ? (names.length > 0 ? `entrypoints ${names.join(', ')}` : 'every default entrypoint') : exposure.join(', ');
      yield {
        object: o,
        path: ['spec', 'routes', index],
        message: `IngressRoute "${o.name}" routes the Traefik API and dashboard (${API_SERVICE}) without an authentication middleware (basicAuth, digestAuth or forwardAuth) on ${where}`,
      };
    }
  }
}

function published(s: ComposeService, port: number): string | undefined {
  for (const p of list(s.ports)) {
    if (isRecord(p)) {
      if (Number(p.target) === port) return text(p.published ?? 'an ephemeral port');
      continue;
    }
    const parts = String(p).split(':');
    const target = Number((parts[parts.length - 1] ?? '').split('/')[0]);
    if (target === port) return parts.length > 1 ? (parts[parts.length - 2] ?? '') : 'an ephemeral port';
  }
  return undefined;
}

function* composeFindings(compose: ComposeFile): Generator<RawFinding> {
  const services = composeServices(compose);
  // Middlewares defined by labels (Docker provider), by name: whether they authenticate.
  const authMiddlewares = new Set<string>();
  const definedMiddlewares = new Set<string>();
  for (const [, s] of services) {
    for (const l of composeLabels(s)) {
      const m = /^traefik\.http\.middlewares\.([^.]+)\.([^.]+)(?:\.|$)/i.exec(l.key);
      if (!m?.[1]) continue;
      definedMiddlewares.add(m[1]);
      if (AUTH_MIDDLEWARES.some((a) => a.toLowerCase() === (m[2] ?? '').toLowerCase())) authMiddlewares.add(m[1]);
    }
  }
  for (const [name, s] of services) {
    const image = str(s.image);
    if (image !== undefined && isTraefikImage(image)) {
      const version = versionFromImage(image);
      const flags = parseFlags([...composeWords(s.entrypoint), ...composeWords(s.command)]);
      if (!isV1(version) && (flags.get('api.insecure') ?? 'false').toLowerCase() !== 'false') {
        const port = portOf(flags.get('entrypoints.traefik.address') ?? ':8080') ?? 8080;
        const host = published(s, port);
        const reach = host !== undefined ? `, published on host port ${host}: anyone who reaches the host reads the whole routing configuration` : ': every container on its networks reads the whole routing configuration';
        yield { compose, path: ['services', name, 'command'], message: `service "${name}": api.insecure=true serves the Traefik API and dashboard without authentication on entrypoint "traefik" (:${port})${reach}` };
      }
      for (const m of composeMounts(s)) {
        if (!/docker\.sock$/.test(m.source) || m.readOnly) continue;
        yield {
          compose,
          path: ['services', name, 'volumes', m.index],
          message: `service "${name}" mounts the Docker socket ${m.source} read-write: whoever takes over Traefik controls the Docker daemon (mount it :ro, the documented trade-off, or reach it through a socket proxy that allows only reads)`,
        };
      }
    }
    const labels = composeLabels(s);
    for (const l of labels) {
      const router = /^traefik\.http\.routers\.([^.]+)\.service$/i.exec(l.key)?.[1];
      if (router === undefined || l.value.trim() !== API_SERVICE) continue;
      const refs = labels
        .filter((x) => x.key.toLowerCase() === `traefik.http.routers.${router.toLowerCase()}.middlewares`)
        .flatMap((x) => x.value.split(','))
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const names = refs.map((r) => r.replace(/@docker$/, ''));
      if (names.some((n) => n.includes('@') || !definedMiddlewares.has(n))) continue; // defined elsewhere: unknown
      if (names.some((n) => authMiddlewares.has(n))) continue;
      const entryPoints = labels.find((x) => x.key.toLowerCase() === `traefik.http.routers.${router.toLowerCase()}.entrypoints`)?.value;
      yield {
        compose,
        path: ['services', name, ...l.path],
        message: `service "${name}": router "${router}" routes the Traefik API and dashboard (${API_SERVICE}) on ${entryPoints !== undefined ? `entrypoints ${entryPoints}` : 'every entrypoint'} without an authentication middleware (basicAuth, digestAuth or forwardAuth)`,
      };
    }
  }
}

export default defineRule({
  id: 'traefik-api-insecure',
  description:
    "The Traefik API and dashboard are not served without authentication. They expose the whole routing configuration (https://doc.traefik.io/traefik/reference/install-configuration/api-dashboard/: \"should be at least secured by authentication and authorizations\"; do not publish the API's port). Reported: `api.insecure=true` in 2.x/3.x (the API on the entrypoint `traefik`, :8080), `--api` in 1.7 on an entrypoint without `Auth.*` (https://doc.traefik.io/traefik/v1.6/configuration/api/), with the NodePort/LoadBalancer Service or host port that publishes it; an IngressRoute to `api@internal` without a basicAuth, digestAuth or forwardAuth middleware on an entrypoint a NodePort/LoadBalancer Service publishes (an internal entrypoint reached by `kubectl port-forward`, as Traefik's Helm chart does, is not reported; a route no Traefik of the input serves is, its exposure unknown), or such a compose router label; in compose, the Docker socket mounted read-write into Traefik (read-only `:ro` is the documented trade-off: https://doc.traefik.io/traefik/providers/docker/#docker-api-access). Middlewares not in the input (another provider, another unit) are taken as unknown, not reported. A warning in both profiles: the course asks for the dashboard on NodePort 30042, and `--profile bernstein` stays satisfiable with authentication in front (an IngressRoute to api@internal with a basicAuth middleware, on an entrypoint the Service publishes on 30042), so the course's layout without authentication is a warning there, not an error.",
  remediation:
    'Drop `--api.insecure`; keep `--api.dashboard=true` and route `api@internal` through an IngressRoute with a basicAuth middleware whose users come from a Secret (on a dedicated entrypoint, e.g. `--entryPoints.dashboard.address=:8080`, which the Service may publish on node port 30042), or reach the dashboard only by `kubectl port-forward`. In compose, add `traefik.http.routers.<r>.middlewares=<auth>` with a `basicauth` middleware, and mount the Docker socket `:ro` (or use a socket proxy).',
  severity: 'warning',
  profiles: ['bernstein', 'production'],
  kinds: [...SERVICE_WORKLOAD_KINDS, 'Pod', 'IngressRoute', COMPOSE],
  *check(ctx) {
    yield* insecureApis(ctx);
    yield* dashboardRoutes(ctx);
    for (const compose of ctx.unit.compose) yield* composeFindings(compose);
  },
});

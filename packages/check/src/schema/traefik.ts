/**
 * Shapes of Traefik's CRDs (IngressRoute, IngressRouteTCP, Middleware, TLSOption,
 * ServersTransport), enough to catch unknown and missing fields. Written from Traefik's v2/v3
 * reference documentation; nested middleware options are left open (`any`).
 */
import type { Path } from '../model.js';
import { isRecord } from '../read.js';
import type { SchemaError, SchemaResult } from './kubernetes.js';

type Shape = 'any' | 'string' | 'number' | 'boolean' | 'int-or-string' | { obj: Fields; required?: string[] } | { arr: Shape } | 'map';
type Fields = Record<string, Shape>;

const obj = (fields: Fields, required?: string[]): Shape => (required ? { obj: fields, required } : { obj: fields });
const arr = (of: Shape): Shape => ({ arr: of });

const objectRef = obj({ name: 'string', namespace: 'string' }, ['name']);
const metadata = obj({
  name: 'string', namespace: 'string', labels: 'map', annotations: 'map', generateName: 'string',
  uid: 'any', resourceVersion: 'any', generation: 'any', creationTimestamp: 'any', managedFields: 'any', finalizers: 'any', ownerReferences: 'any',
});
const service = obj({
  name: 'string', namespace: 'string', kind: 'string', port: 'int-or-string', scheme: 'string', strategy: 'string',
  weight: 'number', passHostHeader: 'boolean', responseForwarding: 'any', serversTransport: 'string', sticky: 'any',
  nativeLB: 'boolean', nodePortLB: 'boolean', healthCheck: 'any', mirroring: 'any', mirrors: 'any', maxBodySize: 'number',
}, ['name']);
const tls = obj({ secretName: 'string', options: objectRef, store: objectRef, certResolver: 'string', domains: arr(obj({ main: 'string', sans: arr('string') })), passthrough: 'boolean' });

const ingressRoute = obj({
  entryPoints: arr('string'),
  routes: arr(obj({ match: 'string', kind: 'string', priority: 'number', syntax: 'string', services: arr(service), middlewares: arr(objectRef), observability: 'any' }, ['match'])),
  tls,
  parentRefs: 'any',
}, ['routes']);

const ingressRouteTCP = obj({
  entryPoints: arr('string'),
  routes: arr(obj({ match: 'string', priority: 'number', syntax: 'string', services: arr(service), middlewares: arr(objectRef) }, ['match'])),
  tls,
}, ['routes']);

const MIDDLEWARES = [
  'addPrefix', 'basicAuth', 'buffering', 'chain', 'circuitBreaker', 'compress', 'contentType', 'digestAuth', 'errors',
  'forwardAuth', 'grpcWeb', 'headers', 'ipAllowList', 'ipWhiteList', 'inFlightReq', 'passTLSClientCert', 'plugin',
  'rateLimit', 'redirectRegex', 'redirectScheme', 'replacePath', 'replacePathRegex', 'retry', 'stripPrefix', 'stripPrefixRegex',
];
const middleware = obj(Object.fromEntries(MIDDLEWARES.map((m): [string, Shape] => [m, 'any'])));

const SPECS: Record<string, Shape> = {
  IngressRoute: ingressRoute,
  IngressRouteTCP: ingressRouteTCP,
  IngressRouteUDP: obj({ entryPoints: arr('string'), routes: arr(obj({ services: arr(service) })) }, ['routes']),
  Middleware: middleware,
  MiddlewareTCP: obj({ inFlightConn: 'any', ipAllowList: 'any', ipWhiteList: 'any' }),
  TLSOption: 'any',
  TLSStore: 'any',
  ServersTransport: 'any',
  TraefikService: 'any',
};

export const TRAEFIK_GROUPS = ['traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1'];

export function isTraefikKind(apiVersion: string, kind: string): boolean {
  return TRAEFIK_GROUPS.includes(apiVersion) && kind in SPECS;
}

export function validateTraefik(kind: string, data: unknown): SchemaResult {
  const errors: SchemaError[] = [];
  const unknown: Path[] = [];
  const spec = SPECS[kind] ?? 'any';
  walk(obj({ apiVersion: 'string', kind: 'string', metadata, spec }, ['metadata', 'spec']), data, [], errors, unknown);
  return { errors, unknown };
}

function walk(shape: Shape, value: unknown, path: Path, errors: SchemaError[], unknown: Path[]): void {
  const where = path.length > 0 ? path.join('.') : '(object)';
  if (shape === 'any' || value === undefined || value === null) return;
  if (shape === 'map') {
    if (typeof value !== 'object' || Array.isArray(value)) errors.push({ path, message: `${where}: must be a map` });
    return;
  }
  if (shape === 'string' || shape === 'number' || shape === 'boolean') {
    if (typeof value !== shape) errors.push({ path, message: `${where}: must be a ${shape}` });
    return;
  }
  if (shape === 'int-or-string') {
    if (typeof value !== 'string' && typeof value !== 'number') errors.push({ path, message: `${where}: must be a number or a port name` });
    return;
  }
  if ('arr' in shape) {
    if (!Array.isArray(value)) errors.push({ path, message: `${where}: must be a list` });
    else value.forEach((v, i) => walk(shape.arr, v, [...path, i], errors, unknown));
    return;
  }
  if (!isRecord(value)) {
    errors.push({ path, message: `${where}: must be an object` });
    return;
  }
  const rec = value;
  for (const req of shape.required ?? []) {
    if (rec[req] === undefined) errors.push({ path, message: `${where}: required field "${req}" is missing` });
  }
  for (const [k, v] of Object.entries(rec)) {
    const sub = shape.obj[k];
    if (sub === undefined) unknown.push([...path, k]);
    else walk(sub, v, [...path, k], errors, unknown);
  }
}

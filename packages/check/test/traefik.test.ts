// The version-aware Traefik model: versions from image tags, static configuration from flags and
// mounted files, providers per version, RBAC needs, entrypoint timeouts and which Traefik serves
// which route. Exact outcomes, each a fact of Traefik's documentation cited in src/traefik/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadUnits } from '../src/load/inputs.js';
import {
  crdGroups,
  crdKinds,
  defaultReadTimeout,
  durationSeconds,
  entryPoints,
  flatten,
  foreignProviderFlags,
  isTraefikImage,
  needsOf,
  parseFlags,
  providersOf,
  staticConfig,
  servedBy,
  traefikInstances,
  versionFromImage,
  atLeast,
  type Provider,
  type StaticConfig,
} from '../src/traefik/index.js';
import { parseToml } from '../src/traefik/toml.js';

const fixtures = fileURLToPath(new URL('fixtures/rules', import.meta.url));
const flagsConfig = (...args: string[]): StaticConfig => ({ values: parseFlags(args), source: { kind: 'flags' } });
const v = (image: string) => versionFromImage(image);

async function objectsOf(dir: string) {
  const [unit] = await loadUnits([join(fixtures, dir)]);
  assert.ok(unit);
  return unit.objects;
}

describe('Traefik version from the image tag', () => {
  it('reads pinned, partial and moving tags', () => {
    assert.deepEqual(v('traefik:v3.2.1'), { major: 3, minor: 2, patch: 1, exact: true, label: 'Traefik v3.2.1' });
    assert.deepEqual(v('docker.io/library/traefik:1.7.34-alpine'), { major: 1, minor: 7, patch: 34, exact: true, label: 'Traefik v1.7.34-alpine' });
    assert.deepEqual(v('traefik:v2.11'), { major: 2, minor: 11, patch: 99, exact: false, label: 'Traefik v2.11' });
    assert.deepEqual(v('traefik'), { major: 3, minor: 99, patch: 0, exact: false, label: 'Traefik latest (taken as v3)' });
    assert.deepEqual(v('traefik:latest'), { major: 3, minor: 99, patch: 0, exact: false, label: 'Traefik latest (taken as v3)' });
  });

  it('recognises Traefik images and compares versions', () => {
    assert.equal(isTraefikImage('traefik:v3.2.1'), true);
    assert.equal(isTraefikImage('rancher/mirrored-library-traefik:2.10.5'), true);
    assert.equal(isTraefikImage('example/traefik-exporter:1.0'), false);
    assert.equal(atLeast(v('traefik:v2.11.2'), 2, 11, 2), true);
    assert.equal(atLeast(v('traefik:v2.11.1'), 2, 11, 2), false);
    assert.equal(atLeast(v('traefik:v3'), 3, 4), true);
  });
});

describe('static configuration', () => {
  it('parses --k=v, --k v and bare boolean flags, keys lower-cased', () => {
    assert.deepEqual(
      [...parseFlags(['traefik', '--entryPoints.web.address=:80', '--providers.kubernetesIngress', '--log.level', 'DEBUG', '--ping=false'])],
      [
        ['entrypoints.web.address', ':80'],
        ['providers.kubernetesingress', 'true'],
        ['log.level', 'DEBUG'],
        ['ping', 'false'],
      ],
    );
  });

  it('flattens a YAML file: an empty or null section is present, values are strings', () => {
    assert.deepEqual([...flatten({ providers: { kubernetesIngress: null, kubernetesCRD: {} }, entryPoints: { web: { address: ':80', asDefault: true } } })], [
      ['providers', ''],
      ['providers.kubernetesingress', ''],
      ['providers.kubernetescrd', ''],
      ['entrypoints', ''],
      ['entrypoints.web', ''],
      ['entrypoints.web.address', ':80'],
      ['entrypoints.web.asdefault', 'true'],
    ]);
  });

  it('reads TOML tables, dotted and quoted keys, arrays', () => {
    assert.deepEqual(
      parseToml('# c\n[entryPoints.web]\n  address = ":80" # port\n[providers.kubernetesCRD]\n  namespaces = ["a", "b"]\n  "allowEmptyServices" = true\n[[tls.certificates]]\n  certFile = "x"\n'),
      { entryPoints: { web: { address: ':80' } }, providers: { kubernetesCRD: { namespaces: ['a', 'b'], allowEmptyServices: true } } },
    );
  });

  it('reads TRAEFIK_* variables when there are no flags; a file outside the input leaves the configuration unknown', () => {
    const env = staticConfig(v('traefik:v3.2.1'), {
      container: { env: [{ name: 'TRAEFIK_PROVIDERS_KUBERNETESINGRESS', value: 'true' }, { name: 'TRAEFIK_ENTRYPOINTS_WEB_ADDRESS', value: ':80' }, { name: 'OTHER', value: 'x' }] },
      podSpec: {},
      objects: [],
      namespace: 'kube-public',
    });
    assert.deepEqual([env.source.kind, [...env.values]], ['env', [['providers.kubernetesingress', 'true'], ['entrypoints.web.address', ':80']]]);
    const elsewhere = staticConfig(v('traefik:v3.2.1'), {
      container: { args: ['--configFile=/config/traefik.yml'], volumeMounts: [{ name: 'cfg', mountPath: '/config' }] },
      podSpec: { volumes: [{ name: 'cfg', configMap: { name: 'not-in-input' } }] },
      objects: [],
      namespace: 'kube-public',
    });
    assert.deepEqual(elsewhere.source, { kind: 'unknown', reason: 'its configuration file /config/traefik.yml is not in the input' });
  });

  it('v3 with a mounted traefik.yml: the file is the whole configuration', async () => {
    const [t] = traefikInstances(await objectsOf('traefik-provider/pass-v3-file'));
    assert.ok(t);
    assert.equal(t.config.source.kind, 'file');
    assert.equal(t.config.values.get('log.level'), undefined, 'flags are ignored when a file is found');
    assert.equal(t.config.values.get('entrypoints.web.address'), ':80');
    assert.deepEqual(t.providers?.map((p) => p.kind), ['ingress']);
  });

  it('v3 with --configFile naming a mounted TOML: the flag enabling the Ingress provider is ignored', async () => {
    const [t] = traefikInstances(await objectsOf('traefik-provider/fail-v3-file'));
    assert.ok(t);
    assert.deepEqual(t.config.source.kind === 'file' ? [t.config.source.key, t.config.source.path] : [], ['traefik.toml', '/etc/traefik/traefik.toml']);
    assert.deepEqual(t.providers?.map((p) => p.kind), ['crd']);
  });
});

describe('providers per version', () => {
  it('1.7: --kubernetes and its options; 2.x/3.x flags do nothing', () => {
    const p = providersOf(v('traefik:1.7.34'), flagsConfig('--kubernetes', '--kubernetes.ingressClass=traefik-internal', '--kubernetes.namespaces=a,b'));
    assert.deepEqual(p.map((x) => [x.kind, x.ingressClass, x.namespaces]), [['ingress', 'traefik-internal', ['a', 'b']]]);
    const wrong = flagsConfig('--providers.kubernetesingress=true', '--providers.kubernetesingress.ingressclass=x');
    assert.deepEqual(providersOf(v('traefik:1.7.34'), wrong), []);
    assert.deepEqual(foreignProviderFlags(v('traefik:1.7.34'), wrong), ['providers.kubernetesingress']);
  });

  it('3.x: explicit false disables, an option alone enables, 1.7 flags are foreign', () => {
    const cfg = flagsConfig('--providers.kubernetesingress=false', '--providers.kubernetescrd.allowEmptyServices=true', '--kubernetes');
    assert.deepEqual(
      providersOf(v('traefik:v3.2.1'), cfg).map((x) => [x.kind, x.allowEmptyServices]),
      [['crd', true]],
    );
    assert.deepEqual(foreignProviderFlags(v('traefik:v3.2.1'), cfg), ['kubernetes']);
  });

  it('the Gateway provider needs --experimental.kubernetesgateway before 3.1', () => {
    const gw = flagsConfig('--providers.kubernetesgateway=true');
    assert.deepEqual(providersOf(v('traefik:v3.0.4'), gw), []);
    assert.deepEqual(providersOf(v('traefik:v3.0.4'), flagsConfig('--providers.kubernetesgateway', '--experimental.kubernetesgateway')).map((x) => x.kind), ['gateway']);
    assert.deepEqual(providersOf(v('traefik:v3.1.0'), gw).map((x) => x.kind), ['gateway']);
  });

  it('CRD groups and kinds per version', () => {
    assert.deepEqual(crdGroups(v('traefik:1.7.34')), []);
    assert.deepEqual(crdGroups(v('traefik:v2.9.10')), ['traefik.containo.us']);
    assert.deepEqual(crdGroups(v('traefik:v2.10.0')), ['traefik.io', 'traefik.containo.us']);
    assert.deepEqual(crdGroups(v('traefik:v3.0.0')), ['traefik.io']);
    assert.deepEqual(crdKinds(v('traefik:v2.0.0')), ['IngressRoute', 'IngressRouteTCP', 'Middleware', 'TLSOption']);
    assert.equal(crdKinds(v('traefik:v2.11.20')).includes('ServersTransportTCP'), false);
    assert.equal(crdKinds(v('traefik:v3.0.0')).length, 10);
  });
});

describe('RBAC needs per version and provider', () => {
  const provider = (kind: Provider['kind'], extra: Partial<Provider> = {}): Provider => ({
    kind, ingressClass: '', namespaces: [], allowEmptyServices: false, noClusterScope: false, noIngressClassLookup: false, publishesStatus: false, ...extra,
  });
  const names = (image: string, p: Provider) => needsOf(v(image), p).map((n) => `${n.groups.join('|') || 'core'}/${n.resource}`);

  it('1.7 and 3.0 read endpoints; 3.1 reads endpointslices and nodes', () => {
    assert.deepEqual(names('traefik:1.7.34', provider('ingress')), ['core/services', 'core/endpoints', 'core/secrets', 'extensions|networking.k8s.io/ingresses']);
    assert.deepEqual(names('traefik:v3.0.4', provider('ingress')), ['core/services', 'core/endpoints', 'core/secrets', 'networking.k8s.io|extensions/ingresses', 'networking.k8s.io/ingressclasses']);
    assert.deepEqual(names('traefik:v3.1.0', provider('ingress')), ['core/services', 'discovery.k8s.io/endpointslices', 'core/secrets', 'networking.k8s.io|extensions/ingresses', 'networking.k8s.io/ingressclasses', 'core/nodes']);
    assert.deepEqual(names('traefik:v3.1.0', provider('ingress', { noClusterScope: true, noIngressClassLookup: true })), ['core/services', 'discovery.k8s.io/endpointslices', 'core/secrets', 'networking.k8s.io|extensions/ingresses']);
  });

  it('the CRD provider watches configmaps from 3.4 and the kinds of its group', () => {
    assert.equal(names('traefik:v3.3.7', provider('crd')).includes('core/configmaps'), false);
    assert.equal(names('traefik:v3.4.0', provider('crd')).includes('core/configmaps'), true);
    assert.deepEqual(names('traefik:v2.9.10', provider('crd')).slice(3), [
      'traefik.containo.us/ingressroutes', 'traefik.containo.us/ingressroutetcps', 'traefik.containo.us/middlewares', 'traefik.containo.us/tlsoptions', 'traefik.containo.us/traefikservices',
    ]);
  });
});

describe('entrypoints and read timeouts', () => {
  it('the default readTimeout is 60s from v2.11.2 and v3.0, 0 before', () => {
    assert.deepEqual(['traefik:1.7.34', 'traefik:v2.9.10', 'traefik:v2.11.1', 'traefik:v2.11.2', 'traefik:v3.0.0'].map((i) => defaultReadTimeout(v(i))), [0, 0, 0, 60, 60]);
  });

  it('reads durations and per-entrypoint settings; Traefik creates http on :80 when none is defined', () => {
    assert.deepEqual(['0', '90', '60s', '1m30s', '1h', 'soon'].map(durationSeconds), [0, 90, 60, 90, 3600, undefined]);
    const eps = entryPoints(v('traefik:v3.2.1'), flagsConfig('--entryPoints.web.address=:80', '--entryPoints.sse.address=:81', '--entryPoints.sse.transport.respondingTimeouts.readTimeout=0'));
    assert.deepEqual(eps.map((e) => [e.name, e.address, e.readTimeout, e.readTimeoutDefault]), [['web', ':80', 60, true], ['sse', ':81', 0, false]]);
    assert.deepEqual(entryPoints(v('traefik:v3.2.1'), flagsConfig('--providers.kubernetesingress')).map((e) => [e.name, e.address]), [['http', ':80']]);
  });
});

describe('which Traefik serves an Ingress', () => {
  it('v3 without a class filter serves a class-less Ingress and a Traefik IngressClass, not another controller\'s class', async () => {
    const objects = await objectsOf('traefik-ingress-class/pass');
    const served = (name: string) => servedBy(objects.find((o) => o.kind === 'Ingress' && o.name === name)!, objects).map((s) => s.traefik.id);
    assert.deepEqual([served('plain'), served('classed'), served('other')], [['kube-public/traefik'], ['kube-public/traefik'], []]);
  });

  it('the default IngressClass assigned at creation counts as the Ingress\'s class', async () => {
    const objects = await objectsOf('traefik-ingress-class/pass-default-class');
    assert.deepEqual(servedBy(objects.find((o) => o.kind === 'Ingress')!, objects).map((s) => s.traefik.id), ['kube-public/traefik']);
  });

  it('1.7 ignores ingressClassName and reads only the annotation', async () => {
    const objects = await objectsOf('traefik-ingress-class/fail-v17-classname');
    assert.deepEqual(servedBy(objects.find((o) => o.kind === 'Ingress')!, objects), []);
  });
});

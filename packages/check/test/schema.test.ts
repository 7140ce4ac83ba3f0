import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runValidator, validatorFor } from '../src/schema/kubernetes.js';
import { validateTraefik } from '../src/schema/traefik.js';

describe('schema validation', () => {
  it('finds unknown fields at any depth, including inside lists, but not in free-form maps', async () => {
    const validate = await validatorFor('apps/v1', 'Deployment');
    assert.ok(validate);
    const r = runValidator(validate, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { anything: 'goes' }, annotations: { 'any/key': 'v' } },
      spec: {
        replicaz: 3,
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1', ports: [{ contianerPort: 80, containerPort: 80 }] }] } },
      },
    });
    assert.deepEqual(r.unknown, [['spec', 'replicaz'], ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'contianerPort']]);
    assert.deepEqual(r.errors, []);
  });

  it('reports type errors and missing required fields with their path', async () => {
    const validate = await validatorFor('v1', 'Service');
    assert.ok(validate);
    const r = runValidator(validate, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'eighty' }, {}] } });
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path.join('.'), e.message]));
    assert.match(byPath['spec.ports.0.port'] ?? '', /integer/);
    assert.match(byPath['spec.ports.1'] ?? '', /required field "port"/);
  });

  it('accepts the CRD schema keywords the upstream model lacks (description, x-kubernetes-*) but still catches typos there', async () => {
    const validate = await validatorFor('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    assert.ok(validate);
    const r = runValidator(validate, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Thing', plural: 'things' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', description: 'a thing', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, tpye: 'object' } } } } }],
      },
    });
    assert.deepEqual(r.unknown, [['spec', 'versions', 0, 'schema', 'openAPIV3Schema', 'properties', 'spec', 'tpye']]);
  });

  it('knows nothing of made-up kinds or malformed apiVersions', async () => {
    assert.equal(await validatorFor('apps/v1', 'Deploymnet'), undefined);
    assert.equal(await validatorFor('../../etc', 'Deployment'), undefined);
    assert.equal(await validatorFor('example.com/v1', 'Thing'), undefined);
  });

  it('checks Traefik IngressRoute and Middleware fields', () => {
    const r = validateTraefik('IngressRoute', {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRoute',
      metadata: { name: 'r' },
      spec: { entrypoints: ['web'], routes: [{ kind: 'Rule', services: [{ name: 's', port: 80, weigth: 1 }] }] },
    });
    assert.deepEqual(r.unknown, [['spec', 'entrypoints'], ['spec', 'routes', 0, 'services', 0, 'weigth']]);
    assert.deepEqual(r.errors.map((e) => e.message), ['spec.routes.0: required field "match" is missing']);
    const m = validateTraefik('Middleware', { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'm' }, spec: { stripPrefix: { prefixes: ['/a'] }, stripPrefixes: {} } });
    assert.deepEqual(m.unknown, [['spec', 'stripPrefixes']]);
  });
});

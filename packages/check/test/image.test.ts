import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseImage, unpinnedReason } from '../src/image.js';

it('reads image references, registry ports included', () => {
  assert.deepEqual(parseImage('registry.example.com:5000/team/app'), { name: 'registry.example.com:5000/team/app', tag: undefined, digest: undefined });
  assert.deepEqual(parseImage('registry.example.com:5000/team/app:1.2'), { name: 'registry.example.com:5000/team/app', tag: '1.2', digest: undefined });
  assert.deepEqual(parseImage('nginx:1.27@sha256:abc'), { name: 'nginx', tag: '1.27', digest: 'sha256:abc' });
});

it('tells pinned from moving or misspelt tags', () => {
  for (const ok of ['redis:7.4.1-alpine', 'postgres:17.2', 'traefik:v3.2.1', 'nginx@sha256:abc', 'app:${TAG}', 'x:latest-1.2.3']) assert.equal(unpinnedReason(ok), undefined, ok);
  for (const bad of ['redis', 'redis:latest', 'redis:LATEST', 'redis:lastest', 'redis:latset', 'redis:lates', 'redis:stable']) assert.ok(unpinnedReason(bad), bad);
  assert.match(unpinnedReason('x:lastest') ?? '', /misspelling/);
});

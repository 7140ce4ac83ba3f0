import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderEnvExample, serviceSpecs } from '@bernstein/common';

describe('.env.example', () => {
  it('is generated from the schema and up to date (run `npm run env-example`)', () => {
    const committed = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
    assert.equal(committed, renderEnvExample());
  });

  it('lists every variable of every service', () => {
    const text = renderEnvExample();
    for (const spec of Object.values(serviceSpecs)) {
      for (const v of Object.values(spec)) assert.match(text, new RegExp(`^(# )?${v.name}=`, 'm'));
    }
  });
});

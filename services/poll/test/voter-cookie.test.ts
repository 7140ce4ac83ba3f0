import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fastifyCookie, { signerFactory } from '@fastify/cookie';
import Fastify from 'fastify';
import { VOTER_ID } from '@bernstein/common';
import { newVoterId, VoterCookies } from '../src/voter-cookie.js';

describe('newVoterId', () => {
  it('makes ids that match the contract and do not repeat, across refills of the random pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newVoterId();
      assert.match(id, VOTER_ID);
      assert.equal(id.length, 24);
      ids.add(id);
    }
    assert.equal(ids.size, 5000);
  });
});

describe('VoterCookies', () => {
  const secret = 'voter-cookie-test-secret-of-32-characters+';
  const app = Fastify();
  void app.register(fastifyCookie, { secret });
  const voters = new VoterCookies(2);
  app.get('/who', (request, reply) => {
    try {
      const voter = voters.voterOf(request);
      voters.issue(reply, voter);
      void reply.send({ voter: voter.id, isNew: voter.isNew });
    } catch (err) {
      void reply.code(400).send({ error: (err as Error).message });
    }
  });
  after(() => app.close());

  const ask = (cookie?: string) => app.inject({ url: '/who', headers: cookie ? { cookie: `bernstein_voter=${cookie}` } : {} });
  const signed = (id: string) => encodeURIComponent(app.signCookie(id));

  it('issues a new id without a cookie and keeps recognising it, also after the memory starts over', async () => {
    const fresh = await ask();
    const id = fresh.json<{ voter: string }>().voter;
    assert.match(id, VOTER_ID);
    for (let round = 0; round < 3; round++) {
      assert.equal((await ask(signed(id))).json<{ voter: string }>().voter, id);
      // Two other voters fill the memory (size 2), so the next round verifies afresh.
      await ask(signed(newVoterId()));
      await ask(signed(newVoterId()));
    }
  });

  it('still refuses a tampered cookie after the genuine one was remembered', async () => {
    const id = newVoterId();
    assert.equal((await ask(signed(id))).statusCode, 200);
    const forged = signed(id).replace(/^.{4}/, 'AAAA');
    const res = await ask(forged);
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ error: string }>().error, /bad signature/);
  });
});

describe('VoterCookies with rotated keys (COOKIE_SECRETS=new,old)', () => {
  const oldKey = 'the-old-key-of-the-voter-cookies-32+chars';
  const newKey = 'the-new-key-of-the-voter-cookies-32+chars';
  const app = Fastify();
  void app.register(fastifyCookie, { secret: [newKey, oldKey] });
  const voters = new VoterCookies();
  app.get('/who', (request, reply) => {
    const voter = voters.voterOf(request);
    voters.issue(reply, voter);
    void reply.send({ voter: voter.id, isNew: voter.isNew });
  });
  after(() => app.close());

  it('keeps the identity of a cookie signed with the old key and re-signs it with the new one', async () => {
    const id = newVoterId();
    const res = await app.inject({ url: '/who', headers: { cookie: `bernstein_voter=${encodeURIComponent(signerFactory(oldKey).sign(id))}` } });
    assert.deepEqual(res.json(), { voter: id, isNew: false });
    const set = String(res.headers['set-cookie']);
    const value = decodeURIComponent(set.slice(set.indexOf('=') + 1, set.indexOf(';')));
    assert.deepEqual(signerFactory(newKey).unsign(value), { valid: true, renew: false, value: id }, 're-signed with the first key');
  });

  it('sets no cookie for a voter whose cookie already carries the current key', async () => {
    const id = newVoterId();
    const res = await app.inject({ url: '/who', headers: { cookie: `bernstein_voter=${encodeURIComponent(signerFactory(newKey).sign(id))}` } });
    assert.deepEqual(res.json(), { voter: id, isNew: false });
    assert.equal(res.headers['set-cookie'], undefined);
  });
});

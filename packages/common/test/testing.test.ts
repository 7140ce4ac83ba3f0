/**
 * The helpers of `@bernstein/common/testing` that the property tests trust to build their
 * inputs: a wrong encoder would send other requests than the ones a test names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeSafe, enc } from '@bernstein/common/testing';

describe('enc (percent-encoding of hostile strings)', () => {
  it('keeps only the unreserved characters of RFC 3986 as they are', () => {
    assert.equal(enc('AZaz09-._~'), 'AZaz09-._~');
    assert.equal(enc("!'()*"), '%21%27%28%29%2A');
    assert.equal(enc(' /?#[]@$&+,;=%'), '%20%2F%3F%23%5B%5D%40%24%26%2B%2C%3B%3D%25');
  });

  it('encodes the UTF-8 bytes, upper-case, and turns a lone surrogate into U+FFFD as browsers do', () => {
    assert.equal(enc('\u0000é€😀'), '%00%C3%A9%E2%82%AC%F0%9F%98%80');
    assert.equal(enc('a\uD800b'), 'a%EF%BF%BDb');
    assert.equal(enc('\uDC00'), '%EF%BF%BD');
  });

  it('round-trips every well-formed string through decodeURIComponent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        const e = enc(s);
        assert.match(e, /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/, `only unreserved characters and escapes: ${e}`);
        assert.equal(decodeSafe(e), s);
      }),
      { numRuns: 2000 },
    );
  });
});

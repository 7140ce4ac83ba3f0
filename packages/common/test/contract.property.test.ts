/**
 * Property-based tests (fast-check) of the stream-entry decoder, the worker's door to data
 * anyone with Redis access can write: 10,000+ generated bad entries each (wrong versions,
 * missing and odd fields, huge and unicode strings, NUL, numbers out of range)
 * are refused with STREAM_ENTRY_MALFORMED and nothing else, and every valid vote
 * round-trips through encodeVote.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BernsteinError, decodeVote, encodeVote, ErrorCode, ITEM_ID, VOTER_ID, type Vote } from '../src/index.js';

const RUNS = Number(process.env.BERNSTEIN_PROPERTY_RUNS ?? 10_000);

const itemId = fc.stringMatching(ITEM_ID);
const voterId = fc.stringMatching(VOTER_ID);
// fast-check's records have no prototype; a vote from decodeVote has Object's.
const validVote: fc.Arbitrary<Vote> = fc
  .record({ poll: itemId, voter: voterId, option: itemId, at: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) })
  .map((vote) => ({ ...vote }));

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', 'a\u0000', '1e3', '-1', '0', '1.5', 'NaN', 'Infinity', '9007199254740993', ' 1', '1 ', '__proto__', 'A', 'default ', '\uD800'),
  fc.constantFrom(63, 64, 65, 200, 70_000).map((n) => 'a'.repeat(n)),
);

/** Which field to spoil, and how. */
const spoiled = fc.tuple(validVote, fc.constantFrom('v', 'poll', 'voter', 'option', 'at'), fc.oneof(hostile, fc.constant(undefined))).filter(([, field, value]) => {
  if (value === undefined) return true;
  // Keep only values that really are bad for that field.
  switch (field) {
    case 'v':
      return value !== '1';
    case 'poll':
    case 'option':
      return !ITEM_ID.test(value);
    case 'voter':
      return !VOTER_ID.test(value);
    case 'at': {
      const n = Number(value);
      return !(Number.isSafeInteger(n) && n > 0);
    }
  }
  return true;
});

function assertMalformed(fields: readonly string[]): void {
  assert.throws(
    () => decodeVote(fields),
    (err: unknown) => err instanceof BernsteinError && err.code === ErrorCode.ENTRY_MALFORMED && err.message.startsWith('malformed stream entry: '),
    JSON.stringify(fields).slice(0, 200),
  );
}

describe('stream-entry decoder under hostile entries (property-based)', () => {
  it(`round-trips ${RUNS} valid votes`, () => {
    fc.assert(
      fc.property(validVote, (vote) => assert.deepEqual(decodeVote(encodeVote(vote)), vote)),
      { numRuns: RUNS },
    );
  });

  it(`refuses ${RUNS} entries with one field spoiled or missing`, () => {
    fc.assert(
      fc.property(spoiled, ([vote, field, value]) => {
        const fields = encodeVote(vote);
        const at = fields.indexOf(field);
        if (value === undefined) fields.splice(at, 2);
        else fields[at + 1] = value;
        assertMalformed(fields);
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses ${RUNS} arbitrary field lists, never with anything but STREAM_ENTRY_MALFORMED`, () => {
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 14 }), (fields) => {
        let decoded: Vote | undefined;
        try {
          decoded = decodeVote(fields);
        } catch (err) {
          assert.ok(err instanceof BernsteinError && err.code === ErrorCode.ENTRY_MALFORMED, String(err));
          return;
        }
        // Only a list that happens to be a complete, valid entry decodes.
        assert.deepEqual(decodeVote(encodeVote(decoded)), decoded);
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses ${RUNS} entries with an odd number of fields`, () => {
    fc.assert(
      fc.property(validVote, hostile, fc.boolean(), (vote, extra, dropLast) => {
        const fields = encodeVote(vote);
        if (dropLast) fields.pop();
        else fields.push(extra);
        assertMalformed(fields);
      }),
      { numRuns: RUNS },
    );
  });
});

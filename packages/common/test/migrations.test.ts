import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PostgresServer } from '@bernstein/local';
import { pino } from 'pino';
import { Database, loadConfig, migrate, migrations, postgresVars } from '@bernstein/common';

const logger = pino({ level: 'silent' });

describe('migrate', () => {
  let server: PostgresServer;
  let db: Database;

  before(async () => {
    server = await PostgresServer.start({ durable: false });
    db = new Database(loadConfig(postgresVars, server.env), logger, 'test');
  });
  after(async () => {
    await db?.close();
    await server?.stop();
  });

  it('applies every migration once, even when run concurrently', async () => {
    const results = await Promise.all([migrate(db, logger), migrate(db, logger), migrate(db, logger)]);
    const appliedByAll = results.flatMap((r) => r.applied).sort();
    assert.deepEqual(appliedByAll, migrations.map((m) => m.version).sort());
    assert.ok(results.every((r) => r.current === migrations.at(-1)?.version));
    const again = await migrate(db, logger);
    assert.deepEqual(again.applied, []);
  });

  it('keeps tallies equal to the votes through inserts and last-vote-wins updates', async () => {
    await migrate(db, logger);
    const upsert = `
      INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at)
      SELECT p, v, o, ms, 0, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(p, v, o, ms)
      ON CONFLICT (poll, voter) DO UPDATE SET option = excluded.option, stream_ms = excluded.stream_ms, stream_seq = excluded.stream_seq
      WHERE (excluded.stream_ms, excluded.stream_seq) > (votes.stream_ms, votes.stream_seq)`;
    await db.query(upsert, [['p1', 'p1', 'p1'], ['v1', 'v2', 'v3'], ['a', 'a', 'b'], [10, 11, 12]]);
    // v1 changes to b (newer), v2's older redelivered vote for b is ignored.
    await db.query(upsert, [['p1', 'p1'], ['v1', 'v2'], ['b', 'b'], [20, 5]]);
    const tallies = await db.query<{ option: string; votes: string }>(
      "SELECT option, votes FROM tallies WHERE poll = 'p1' ORDER BY option",
    );
    assert.deepEqual(
      tallies.rows.map((r) => [r.option, Number(r.votes)]),
      [['a', 1], ['b', 2]],
    );
    const fromVotes = await db.query<{ option: string; n: string }>(
      "SELECT option, count(*) AS n FROM votes WHERE poll = 'p1' GROUP BY option ORDER BY option",
    );
    assert.deepEqual(fromVotes.rows.map((r) => [r.option, Number(r.n)]), [['a', 1], ['b', 2]]);
  });
});

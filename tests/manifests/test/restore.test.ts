/**
 * The backup CronJob's script and the restore Job's script, taken from the manifests and
 * run against a real PostgreSQL (only /backups is pointed at a temporary directory): the
 * documented restore brings back votes and tallies, and the tally triggers keep working.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Database, loadConfig, migrate, postgresVars } from '@bernstein/common';
import { PostgresServer, postgresBinDir } from '@bernstein/local';
import { kubernetesDir, renderDir } from '../lib/index.js';
import { hardened } from './invariants.js';
import { get, spec, type PodSpec } from './k8s.js';

const logger = pino({ level: 'silent' });

function scriptOf(pod: PodSpec): string {
  const command = pod.containers[0]?.command ?? [];
  assert.deepEqual(command.slice(0, 2), ['sh', '-ec']);
  return command[2] ?? '';
}

describe('backup and restore procedure', () => {
  let server: PostgresServer;
  let db: Database;
  let backups: string;
  let backupScript: string;
  let restoreScript: string;
  const run = (script: string, extra: Record<string, string> = {}) =>
    spawnSync('sh', ['-ec', script.replaceAll('/backups', backups)], {
      encoding: 'utf8',
      env: { PATH: [postgresBinDir(), process.env.PATH].join(delimiter), ...server.env, ...extra },
    });
  const tallies = async () =>
    (await db.query<{ poll: string; option: string; votes: string }>('SELECT poll, option, votes FROM tallies ORDER BY poll, option')).rows;

  before(async () => {
    const base = (await renderDir(join(kubernetesDir, 'base'))).objects;
    backupScript = scriptOf(spec<{ jobTemplate: { spec: { template: { spec: PodSpec } } } }>(get(base, 'CronJob', 'postgres-backup')).jobTemplate.spec.template.spec);
    const restore = (await renderDir(join(kubernetesDir, 'ops', 'postgres-restore'))).objects;
    assert.deepEqual(hardened([...base, ...restore]), [], 'the restore Job is hardened like every workload');
    restoreScript = scriptOf(spec<{ template: { spec: PodSpec } }>(get(restore, 'Job', 'postgres-restore')).template.spec);
    backups = mkdtempSync(join(tmpdir(), 'bernstein-backups-'));
    server = await PostgresServer.start({ durable: false });
    db = new Database(loadConfig(postgresVars, server.env), logger, 'restore-test');
    await migrate(db, logger);
    await db.query(
      `INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at)
       SELECT 'default', 'voter-' || i, CASE WHEN i % 3 = 0 THEN 'b' ELSE 'a' END, 1700000000000 + i, 0, now()
       FROM generate_series(1, 300) AS i`,
    );
  });
  after(async () => {
    await db?.close();
    await server?.stop();
    rmSync(backups, { recursive: true, force: true });
  });

  it('the backup script writes one complete custom-format dump', () => {
    const r = run(backupScript);
    assert.equal(r.status, 0, r.stderr);
    const dumps = readdirSync(backups);
    assert.equal(dumps.length, 1, dumps.join(' '));
    assert.match(dumps[0] ?? '', /^bernstein-\d{8}T\d{6}Z\.dump$/);
    assert.match(r.stdout, /backup written: bernstein-.*\.dump \(\d+ bytes\)/);
  });

  it('the restore script brings back votes and tallies after the tables are lost', async () => {
    const before = await tallies();
    assert.deepEqual(before.map((t) => [t.option, t.votes]), [['a', '200'], ['b', '100']]);
    await db.query('DROP TABLE votes, tallies CASCADE');
    const r = run(restoreScript, { DUMP_FILE: 'latest' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restore: done \(bernstein-.*\.dump\)/);
    assert.deepEqual(await tallies(), before);
    assert.equal((await db.query<{ n: string }>('SELECT count(*) AS n FROM votes')).rows[0]?.n, '300');
  });

  it('leaves a database whose tally triggers still count new votes, and migrate finds it current', async () => {
    await db.query(`INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at) VALUES ('default', 'late-voter', 'b', 1800000000000, 0, now())`);
    assert.deepEqual((await tallies()).map((t) => [t.option, t.votes]), [['a', '200'], ['b', '101']]);
    const again = await migrate(db, logger);
    assert.deepEqual(again.applied, []);
  });

  it('the backup script removes .partial files a dead run left, and only those older than the job deadline', () => {
    const old = join(backups, '.bernstein-20260101T000000Z.dump.partial');
    const live = join(backups, '.bernstein-20260101T120000Z.dump.partial');
    for (const f of [old, live]) writeFileSync(f, 'half a dump');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    const r = run(backupScript);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^removed leftover .*\/\.bernstein-20260101T000000Z\.dump\.partial$/m);
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(live), true, 'a partial file as young as a running job is kept');
    rmSync(live);
    // Only dumps besides: the two complete ones of this suite.
    assert.deepEqual(readdirSync(backups).filter((f) => !/^bernstein-\d{8}T\d{6}Z\.dump$/.test(f)), []);
  });

  it('refuses a dump that does not exist and changes nothing', async () => {
    const before = await tallies();
    const r = run(restoreScript, { DUMP_FILE: 'bernstein-19700101T000000Z.dump' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /restore: no dump named 'bernstein-19700101T000000Z\.dump' in/);
    assert.deepEqual(await tallies(), before);
  });
});

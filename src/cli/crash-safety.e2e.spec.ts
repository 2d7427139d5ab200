/**
 * Crash safety of `mastery serve` in production mode (PostgreSQL event log, Redis state
 * store), end to end: the real command in child processes, real servers, real signals.
 *
 * a. kill -9 in the middle of an ingestion (once just after the batch in flight reached the
 *    log, once just after Redis state took it but before its processed markers), restart,
 *    resend what was not acknowledged: the answers equal a clean single pass, and the log holds
 *    every event exactly once.
 * b. Redis flushed under a running service: reads rebuild the students from the log, answer
 *    the same, and put them back; new events land on top of the old ones.
 * c. A state store that is down: 503 STORE_UNAVAILABLE, never 500.
 *
 * Each scenario has a schema of its own and a Redis database index of its own (FLUSHDB there
 * touches no other suite). The clean pass is the same app in process, on the memory adapters.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { signHs256 } from '../access/tokens.js';
import { processedKey, studentKeys } from '../adapters/encoding/student-keys.js';
import { openPostgres } from '../adapters/sql/postgres-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { testApp } from '../testing/test-app.js';
import { freshSchema } from '../testing/stores/postgres-schema.js';
import { testRedisUrl } from '../testing/stores/test-redis.js';
import { wire, workedExampleB, type WireEvent } from '../testing/wire-events.js';
import { startServer } from '../testing/run-cli.js';
import { batchesOf, daysBefore, killHard, seededClass, seededShuffle, stopChild, utcDay } from '../testing/seeded-events.js';
import { getJson, postJson, type Answer } from '../testing/http-json.js';
import { cleanups } from '../testing/cleanups.js';

const SECRET = 'crash-safety-e2e-secret-at-least-32-bytes!';
const TOPICS = ['python.loops', 'python.lists', 'python.functions'] as const;

/** The test Redis (a server of this process's own unless MASTERY_TEST_REDIS_URL says otherwise), with a database index of this suite's own. */
const redisDb = (index: number): Promise<string> => testRedisUrl(index);
const REDIS_KILL = await redisDb(12);
const REDIS_FLUSH = await redisDb(13);

/** Starts serve and registers its stop (SIGTERM, or nothing when it has died already). */
async function serve(env: Record<string, string>, onCleanup: (f: () => Promise<unknown>) => void) {
  const server = await startServer({ MASTERY_JWT_SECRET: SECRET, ...env });
  onCleanup(() => stopChild(server.child));
  return server;
}

/**
 * A clean single pass: the same app in process on the memory adapters, the clock standing at
 * `now`, fed every event once, in the order given.
 */
async function cleanPass(now: Date, events: readonly WireEvent[]) {
  const h = await testApp({ now: now.toISOString() });
  const service = await h.token('service', 'clean-pass');
  const admin = await h.token('admin', 'clean-pass');
  for (const batch of batchesOf(events, 1000)) {
    const r = await h.post('/v1/events', batch, service);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((r.json() as { accepted: number }).accepted, batch.length, 'the clean pass takes every event');
  }
  return {
    read: async (path: string): Promise<Answer> => {
      const r = await h.get(path, admin);
      return { status: r.statusCode, body: r.json() };
    },
    close: () => h.app.close(),
  };
}

/** The per-student reads compared between the service and the clean pass. */
const studentReads = (id: string, asOf: string) => [
  `/v1/students/${id}/mastery?as_of=${asOf}`,
  `/v1/students/${id}/history?as_of=${asOf}`,
  `/v1/students/${id}/prediction?as_of=${asOf}`,
  `/v1/students/${id}/path?as_of=${asOf}`,
];

const studentsOf = (events: readonly WireEvent[]) => [...new Set(events.map((e) => e.student_id))].sort();

/** How many of these events carry a processed marker in Redis. */
async function markedCount(redis: Redis, eventIds: readonly string[]): Promise<number> {
  return eventIds.length === 0 ? 0 : redis.exists(...eventIds.map(processedKey));
}

/** The raw-events hash (student and day) where Redis keeps an applied event. */
const rawEventsKey = (e: WireEvent) => studentKeys(e.student_id).rawEvents(e.timestamp.slice(0, 10));

/** How many of these events a student's script has folded into Redis (its day's raw events hold it). */
async function appliedCount(redis: Redis, events: readonly WireEvent[]): Promise<number> {
  const held = await Promise.all(events.map((e) => redis.hexists(rawEventsKey(e), e.event_id)));
  return held.filter((n) => n === 1).length;
}

/** Resolves once Redis state holds any of these events (polled, ~1 ms apart), unless stopped first. */
async function firstFolded(redis: Redis, events: readonly WireEvent[], stop: { stopped: boolean }): Promise<boolean> {
  while (!stop.stopped) {
    if ((await appliedCount(redis, events)) > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return false;
}

async function loggedIds(db: SqlClient, eventIds: readonly string[]): Promise<Set<string>> {
  const rows = await db.query<{ event_id: string }>('SELECT event_id::text FROM mastery_events WHERE event_id = ANY($1::uuid[])', [[...eventIds]]);
  return new Set(rows.map((r) => r.event_id));
}

/** Resolves once any of these events is in the log (polled, ~1 ms apart), unless stopped first. */
async function firstLogged(db: SqlClient, eventIds: readonly string[], stop: { stopped: boolean }): Promise<boolean> {
  while (!stop.stopped) {
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mastery_events WHERE event_id = ANY($1::uuid[])', [[...eventIds]]);
    if (row !== undefined && row.n > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return false;
}

describe('crash safety of mastery serve on PostgreSQL and Redis', () => {
  let admin: string;
  let service: string;

  before(async () => {
    admin = await signHs256(SECRET, { role: 'admin', sub: 'crash-admin' });
    service = await signHs256(SECRET, { role: 'service', sub: 'crash-producer' });
  });

  it('kill -9 during ingestion, twice: after restarts and resends of what was not acknowledged, nothing is lost and nothing is stored twice', async (t) => {
    const onCleanup = cleanups(t);
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const redis = new Redis(REDIS_KILL);
    onCleanup(() => redis.quit());
    await redis.flushdb();
    onCleanup(() => redis.flushdb());

    const now = new Date();
    const today = utcDay(now);
    const events = seededClass({
      seed: 20_261_126,
      prefix: 'crash',
      students: 40,
      topics: TOPICS,
      days: daysBefore(now, 10),
      density: 0.67,
    });
    const students = studentsOf(events);
    assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'the generator gives unique ids');
    assert.ok(events.length > 3500 && events.length < 4500, `about 4,000 events, not ${events.length}`);
    const kinds = new Set(events.map((e) => e.component ?? e.event_type));
    assert.deepEqual([...kinds].sort(), ['activity.recorded', 'completion', 'consistency', 'quality', 'quiz']);
    const batches = batchesOf(seededShuffle(events, 77), 200);

    const env = { MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: REDIS_KILL };
    let server = await serve(env, onCleanup);
    const db = await openPostgres(schema.url);
    onCleanup(() => db.close());

    const acknowledged = new Set<number>();
    let reportedDuplicates = 0;
    let expectedDuplicates = 0;

    /**
     * The producer: sends the batches in `order`, one after another; a batch counts as
     * acknowledged once its 200 is in. Each answer must call accepted exactly the events the
     * log did not hold yet and duplicate the others. With `crash`, once `afterAcks` batches of
     * this run are acknowledged, the next one is sent and the server is killed with SIGKILL as
     * soon as `trigger` sees that batch reach the given point, without waiting for the answer.
     */
    async function produce(
      order: readonly number[],
      crash?: { afterAcks: number; trigger: (batch: readonly WireEvent[], stop: { stopped: boolean }) => Promise<boolean> },
    ): Promise<{ inFlight: number; outcome: Promise<string> } | undefined> {
      let acksThisRun = 0;
      for (const i of order) {
        const batch = batches[i]!;
        const alreadyLogged = await loggedIds(
          db,
          batch.map((e) => e.event_id),
        );
        const request = postJson(`${server.url}/v1/events`, service, batch).then(
          (r) => ({ answered: true as const, status: r.status, body: r.body }),
          (error: unknown) => ({ answered: false as const, error: String(error) }),
        );
        if (crash !== undefined && acksThisRun >= crash.afterAcks) {
          const stop = { stopped: false };
          const race = await Promise.race([
            request.then(() => 'answered' as const),
            crash.trigger(batch, stop).then((hit) => (hit ? ('hit' as const) : ('stopped' as const))),
          ]);
          stop.stopped = true;
          if (race === 'hit') {
            await killHard(server.child);
            assert.equal(server.child.signalCode, 'SIGKILL');
            return { inFlight: i, outcome: request.then((r) => (r.answered ? `answered ${r.status} just before the kill` : 'the connection died')) };
          }
        }
        const r = await request;
        assert.ok(r.answered && r.status === 200, `batch ${i}: ${JSON.stringify(r)}`);
        const body = r.body;
        assert.deepEqual(
          { accepted: body.accepted, duplicate: body.duplicate, rejected: body.rejected },
          { accepted: batch.length - alreadyLogged.size, duplicate: alreadyLogged.size, rejected: 0 },
          `batch ${i}: what the log already held comes back as duplicate, the rest as accepted`,
        );
        for (const result of body.results as Array<{ event_id: string; status: string }>) {
          assert.equal(result.status, alreadyLogged.has(result.event_id) ? 'duplicate' : 'accepted', `event ${result.event_id} of batch ${i}`);
        }
        reportedDuplicates += Number(body.duplicate);
        expectedDuplicates += alreadyLogged.size;
        acknowledged.add(i);
        acksThisRun += 1;
      }
      return undefined;
    }

    /** What a crash left behind, for the report; also checks the log took the batch whole. */
    async function afterCrash(label: string, crash: { inFlight: number; outcome: Promise<string> }) {
      const batch = batches[crash.inFlight]!;
      const ids = batch.map((e) => e.event_id);
      const logged = await loggedIds(db, ids);
      const folded = await appliedCount(redis, batch);
      const marked = await markedCount(redis, ids);
      t.diagnostic(
        `${label}: killed with batch ${crash.inFlight} in flight (${await crash.outcome}), ${acknowledged.size}/${batches.length} batches acknowledged; ` +
          `of its ${ids.length} events ${logged.size} in the log, ${folded} folded into Redis state, ${marked} marked processed`,
      );
      assert.ok(logged.size === 0 || logged.size === ids.length, 'the log takes a batch in one statement: all of it or none');
      return { logged, batch };
    }

    /** After a restart, before any resend: every student of the batch answers with what the log holds. */
    async function staleness(label: string, batch: readonly WireEvent[]) {
      const inLog = await db.query<{ event_id: string }>('SELECT event_id::text FROM mastery_events');
      const logged = new Set(inLog.map((r) => r.event_id));
      const logPass = await cleanPass(
        now,
        events.filter((e) => logged.has(e.event_id)),
      );
      onCleanup(() => logPass.close());
      const ids = studentsOf(batch);
      let stale = 0;
      for (const id of ids) {
        const path = `/v1/students/${id}/mastery?as_of=${today}`;
        const served = await getJson(`${server.url}${path}`, admin);
        if (JSON.stringify(served) !== JSON.stringify(await logPass.read(path))) stale += 1;
      }
      // Start-up recovery applies what the log holds and the store missed: nothing lags.
      assert.equal(
        stale,
        0,
        `${label}: after the restart, before the resend, ${stale}/${ids.length} of the batch's students answered without events the log held`,
      );
    }

    // Crash 1: after at least 20 % of the batches are acknowledged, as soon as the batch in
    // flight is in the log (before the state store has applied it).
    const minimum = Math.ceil(batches.length * 0.2);
    const crash1 = await produce([...batches.keys()], {
      afterAcks: minimum,
      trigger: (b, stop) =>
        firstLogged(
          db,
          b.map((e) => e.event_id),
          stop,
        ),
    });
    assert.ok(crash1 !== undefined, 'the server answered every batch before it could be killed with one in flight');
    assert.ok(acknowledged.size >= minimum, `at least 20 % of the batches were acknowledged (${acknowledged.size}/${batches.length})`);
    const left1 = await afterCrash('crash 1 (log written)', crash1);
    assert.equal(left1.logged.size, left1.batch.length, 'crash 1 struck after the append');

    server = await serve(env, onCleanup);
    await staleness('crash 1', left1.batch);

    // Crash 2: resend what was not acknowledged, the batch in flight first; after it and one
    // more are acknowledged, kill the next as soon as Redis state holds any of its events
    // (before the processed markers, which are set after the students' scripts).
    const pending2 = [crash1.inFlight, ...[...batches.keys()].filter((i) => !acknowledged.has(i) && i !== crash1.inFlight)];
    const crash2 = await produce(pending2, { afterAcks: 2, trigger: (b, stop) => firstFolded(redis, b, stop) });
    assert.ok(acknowledged.has(crash1.inFlight), 'the batch in flight at crash 1 is acknowledged on its resend');
    if (crash2 === undefined) {
      t.diagnostic('crash 2: the server answered every batch before Redis showed a fold; no second crash');
    } else {
      const left2 = await afterCrash('crash 2 (state written)', crash2);
      server = await serve(env, onCleanup);
      await staleness('crash 2', left2.batch);
      const pending3 = [crash2.inFlight, ...[...batches.keys()].filter((i) => !acknowledged.has(i) && i !== crash2.inFlight)];
      assert.equal(await produce(pending3), undefined);
    }
    assert.equal(acknowledged.size, batches.length, 'every batch is acknowledged in the end');

    // (iii) The events stored before a crash came back as duplicates, and were still applied.
    assert.ok(expectedDuplicates >= left1.batch.length, 'at least the batch of crash 1 was resent after it reached the log');
    assert.equal(reportedDuplicates, expectedDuplicates);

    // (ii) No event is stored twice, and none is missing.
    const [counts] = await db.query<{ total: number; distinct_ids: number }>(
      'SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct_ids FROM mastery_events',
    );
    assert.deepEqual(counts, { total: events.length, distinct_ids: events.length });
    // Every event has been applied to the state store (its processed marker is there).
    assert.equal(
      await markedCount(
        redis,
        events.map((e) => e.event_id),
      ),
      events.length,
      'every event is marked processed in Redis',
    );
    assert.equal(await appliedCount(redis, events), events.length, "every event is in its day's raw events in Redis");

    // (i) Every answer equals a clean single pass (events in generation order, each sent once).
    const clean = await cleanPass(now, events);
    onCleanup(() => clean.close());
    const paths = [...students.flatMap((id) => studentReads(id, today)), `/v1/students?as_of=${today}&limit=1000`];
    const served = await Promise.all(paths.map((p) => getJson(`${server.url}${p}`, admin)));
    const expected = await Promise.all(paths.map((p) => clean.read(p)));
    const differing = paths.filter((_, k) => JSON.stringify(served[k]) !== JSON.stringify(expected[k]));
    for (const [k, p] of paths.entries()) {
      assert.equal(served[k]!.status, 200, `${p}: ${JSON.stringify(served[k]!.body)}`);
      assert.deepEqual(served[k], expected[k], `${p} differs from the clean pass (${differing.length} reads differ in all)`);
    }
  });

  it('Redis flushed under a running service: reads rebuild from the log, answer the same and put the students back', async (t) => {
    const onCleanup = cleanups(t);
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const redis = new Redis(REDIS_FLUSH);
    onCleanup(() => redis.quit());
    await redis.flushdb();
    onCleanup(() => redis.flushdb());

    const now = new Date();
    const today = utcDay(now);
    const days = daysBefore(now, 7);
    const events: WireEvent[] = [
      ...workedExampleB('learner-b'),
      ...seededClass({ seed: 4242, prefix: 'flush', students: 10, topics: TOPICS.slice(0, 2), days, density: 0.6 }),
    ];
    const students = studentsOf(events);
    assert.ok(events.length > 300, `a few hundred events, not ${events.length}`);

    const server = await serve({ MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: REDIS_FLUSH, MASTERY_CACHE_SECONDS: '0' }, onCleanup);
    for (const batch of batchesOf(seededShuffle(events, 5), 250)) {
      const r = await postJson(`${server.url}/v1/events`, service, batch);
      assert.equal(r.status, 200);
      assert.equal(r.body.accepted, batch.length);
    }

    const paths = [...students.flatMap((id) => studentReads(id, today)), ...studentReads('learner-b', '2026-01-14'), `/v1/students?as_of=${today}&limit=1000`];
    const readAll = () => Promise.all(paths.map((p) => getJson(`${server.url}${p}`, admin)));
    const before = await readAll();
    for (const [k, p] of paths.entries()) assert.equal(before[k]!.status, 200, `${p}: ${JSON.stringify(before[k]!.body)}`);
    const b14 = before[paths.indexOf('/v1/students/learner-b/mastery?as_of=2026-01-14')]!.body as { mastery_score: number; level: string };
    assert.equal(b14.mastery_score, 0.712, 'worked example B');
    assert.equal(b14.level, 'competent');
    const clean = await cleanPass(now, events);
    onCleanup(() => clean.close());
    assert.deepEqual(before, await Promise.all(paths.map((p) => clean.read(p))), 'before the flush the service equals a clean pass');

    const keysBefore = await redis.dbsize();
    await redis.flushdb();
    assert.equal(await redis.dbsize(), 0);
    const afterFlush = await readAll();
    assert.deepEqual(afterFlush, before, 'the same answers after FLUSHDB');
    t.diagnostic(`${keysBefore} keys before the flush, ${await redis.dbsize()} after the reads`);
    for (const id of students) {
      const k = studentKeys(id);
      assert.equal(await redis.exists(k.state), 1, `${k.state} is back after the reads`);
      assert.equal(await redis.exists(k.current), 1, `${k.current} is back after the reads`);
    }

    // A new event for a student the reads put back: old events (from the log) and the new one.
    const yesterday = days[days.length - 1]!;
    const newB = wire.quiz('learner-b', `${yesterday}T10:00:00Z`, { total_questions: 10, correct_answers: 3, avg_time_seconds: 30 });
    const postedB = await postJson(`${server.url}/v1/events`, service, newB);
    assert.equal(postedB.status, 200, JSON.stringify(postedB.body));
    // And one for a student who is missing from Redis again when it arrives.
    await redis.flushdb();
    const other = students.find((id) => id !== 'learner-b')!;
    const newOther = wire.completion(other, `${yesterday}T23:00:00Z`, { total_exercises: 40, completed_exercises: 40 }, 'python.loops');
    const postedOther = await postJson(`${server.url}/v1/events`, service, newOther);
    assert.equal(postedOther.status, 200, JSON.stringify(postedOther.body));

    const cleanAfter = await cleanPass(now, [...events, newB, newOther]);
    onCleanup(() => cleanAfter.close());
    for (const id of ['learner-b', other]) {
      for (const p of [...studentReads(id, today), ...(id === 'learner-b' ? studentReads(id, '2026-01-14') : [])]) {
        const served = await getJson(`${server.url}${p}`, admin);
        assert.deepEqual(served, await cleanAfter.read(p), `${p} after the new event`);
      }
    }
    // Reflects both: example B's eight days are still there, the new day is added, and the
    // answer moved.
    const history = (await getJson(`${server.url}/v1/students/learner-b/history?as_of=${today}`, admin)).body as { days: Array<{ date: string }> };
    assert.deepEqual(
      history.days.map((d) => d.date),
      ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-10', '2026-01-11', '2026-01-12', yesterday],
    );
    const bNow = (await getJson(`${server.url}/v1/students/learner-b/mastery?as_of=${today}`, admin)).body;
    const bBefore = before[paths.indexOf(`/v1/students/learner-b/mastery?as_of=${today}`)]!.body;
    assert.notDeepEqual(bNow, bBefore, 'the new event changed learner-b');
    const b14After = (await getJson(`${server.url}/v1/students/learner-b/mastery?as_of=2026-01-14`, admin)).body as { mastery_score: number };
    assert.equal(b14After.mastery_score, 0.712, 'as of 2026-01-14 nothing changed');
  });

  it('a state store that is down: /readyz and per-student reads answer 503 STORE_UNAVAILABLE, never 500', async (t) => {
    const onCleanup = cleanups(t);
    const schema = await freshSchema();
    onCleanup(() => schema.drop());
    const server = await serve({ MASTERY_DATABASE_URL: schema.url, MASTERY_REDIS_URL: 'redis://127.0.0.1:1', MASTERY_CACHE_SECONDS: '0' }, onCleanup);
    // Asked together: with Redis unreachable every command waits for the client's reconnect
    // attempts (maxRetriesPerRequest), and later requests wait longer (the back-off grows).
    const timed = async <T>(work: Promise<T>) => {
      const started = Date.now();
      const value = await work;
      return { value, ms: Date.now() - started };
    };
    const [ready, read, write] = await Promise.all([
      timed(fetch(`${server.url}/readyz`).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }))),
      timed(getJson(`${server.url}/v1/students/someone/mastery`, admin)),
      timed(postJson(`${server.url}/v1/events`, service, wire.activity('someone', new Date(Date.now() - 60_000).toISOString()))),
    ]);
    const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;
    assert.equal(ready.value.status, 503, JSON.stringify(ready.value.body));
    assert.equal(codeOf(ready.value.body), 'STORE_UNAVAILABLE');
    assert.equal(read.value.status, 503, JSON.stringify(read.value.body));
    assert.equal(codeOf(read.value.body), 'STORE_UNAVAILABLE');
    assert.notEqual(write.value.status, 500, JSON.stringify(write.value.body));
    t.diagnostic(
      `store down: /readyz ${ready.value.status} in ${ready.ms} ms, read ${read.value.status} in ${read.ms} ms, ` +
        `POST /v1/events ${write.value.status} ${codeOf(write.value.body)} in ${write.ms} ms`,
    );

    const stopped = await stopChild(server.child);
    t.diagnostic(`serve stopped on SIGTERM with Redis unreachable: ${stopped}`);
  });
});

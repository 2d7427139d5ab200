import { Cluster, type Result } from 'ioredis';
import type { Day } from '../../model/days.js';
import { dayOfTimestamp } from '../../model/instant.js';
import type { LearningEvent } from '../../model/learning-event.js';
import { COMPONENTS } from '../../model/types.js';
import type { MasteryUpdated } from '../../ports/bus.js';
import type { CurrentMastery, LoadedRecord, StateStore, StudentWrite } from '../../ports/state-store.js';
import { PROCESSED_TTL_SECONDS, processedKey, studentKeys } from '../encoding/student-keys.js';
import { eventJson } from '../encoding/event-json.js';
import { decodeTrace, encodeTrace } from '../encoding/knowledge-trace-json.js';
import { VERSION_FIELD, allStateFields, changedStateFields, stateFromFields } from '../encoding/student-state-fields.js';

/** The state hash's field holding the knowledge trace (see StudentRecord.knowledge). */
const KNOWLEDGE_FIELD = 'k';
import type { RedisClient } from './connect-redis.js';
import { SAVE_STUDENT_LUA } from './save-student-script.js';
import { createWrittenDays, type DayValues } from './written-days.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    saveStudent(numKeys: number, ...keysAndArgs: string[]): Result<number, Context>;
  }
}

function rawEventsByDay(events: readonly LearningEvent[]): Map<Day, LearningEvent[]> {
  const byDay = new Map<Day, LearningEvent[]>();
  for (const e of events) {
    const day = dayOfTimestamp(e.timestamp);
    const list = byDay.get(day);
    if (list) list.push(e);
    else byDay.set(day, [e]);
  }
  return byDay;
}

/** Every key matching a pattern, on a single server or on every master of a cluster. */
async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

/** Seconds until a day leaves the retention period (≤ 0: it already has). */
function secondsLeft(date: Day, retentionSeconds: number, nowMs: number): number {
  return Math.floor((Date.parse(`${date}T00:00:00Z`) - nowMs) / 1000) + retentionSeconds;
}

/**
 * The version of a state key written anew: the clock's milliseconds × 1000 plus a random 0–999, so
 * that a student erased (or expired) and then created again never repeats a version it had
 * before. A writer or a cache holding the old record would otherwise take the new one for it.
 */
function firstVersion(nowMs: number): number {
  return nowMs * 1000 + Math.floor(Math.random() * 1000);
}

/**
 * The keys and arguments of SAVE_STUDENT_LUA for one write, the version it writes, and the
 * daily values of its days as the store holds them once it is written. `known`: the values
 * stored at the version the write follows on from (this process wrote them); an incremental
 * write leaves out those that did not change.
 */
function scriptCall(
  write: StudentWrite,
  ttlSeconds: number,
  nowMs: number,
  withMarkers: boolean,
  known: ReadonlyMap<Day, DayValues> | undefined,
): { keys: string[]; args: string[]; version: number; days: Map<Day, DayValues> } {
  const id = write.record.state.student_id;
  const k = studentKeys(id);
  const version = write.etag === null ? firstVersion(nowMs) : Number(write.etag) + 1;
  // An incremental write sends only the fields its events touched: its cost follows the batch,
  // not the size of the student's history.
  const whole = !write.incremental || write.etag === null;
  const fields = whole ? allStateFields(write.record.state) : changedStateFields(write.record.state, write.applied);
  // A trace left behind by an incremental write without one is harmless: a reader reuses a
  // trace only when its answer count matches the answers it ends on.
  if (write.record.knowledge) fields.push([KNOWLEDGE_FIELD, encodeTrace(write.record.knowledge)]);
  const keys = [k.state, k.current, k.outbox];
  const update = write.update;
  const args = [
    write.etag ?? '',
    String(version),
    whole ? '1' : '0',
    String(ttlSeconds),
    write.record.current === null ? '' : JSON.stringify(write.record.current),
    String(fields.length),
    '', // the number of day-component keys, set below
    '', // the number of raw-events hashes, set below
    String(PROCESSED_TTL_SECONDS),
    update?.event_id ?? '',
    update === undefined ? '' : JSON.stringify(update),
  ];
  for (const [field, value] of fields) args.push(field, value);
  // The values of this write's days only: bounded by what one write touches, and a day left
  // out is merely sent again by a later write that touches it.
  const stored = new Map<Day, DayValues>();
  let dayKeys = 0;
  for (const { date, components } of write.days) {
    const ttl = secondsLeft(date, ttlSeconds, nowMs);
    if (ttl <= 0) continue;
    const before = whole ? undefined : known?.get(date);
    const values = COMPONENTS.map((c) => String(components[c]));
    values.forEach((value, i) => {
      if (value === before?.[i]) return;
      keys.push(k.mastery(date, COMPONENTS[i]!));
      args.push(value, String(ttl));
      dayKeys++;
    });
    stored.set(date, values);
  }
  args[6] = String(dayKeys);
  let rawDays = 0;
  for (const [date, events] of rawEventsByDay(write.applied)) {
    const ttl = secondsLeft(date, ttlSeconds, nowMs);
    if (ttl <= 0) continue;
    rawDays++;
    keys.push(k.rawEvents(date));
    args.push(String(events.length), String(ttl));
    for (const e of events) args.push(e.event_id, eventJson(e));
  }
  args[7] = String(rawDays);
  if (withMarkers) for (const e of write.applied) keys.push(processedKey(e.event_id));
  return { keys, args, version, days: stored };
}

/** How many students' written daily values a store remembers (as many as the L1 cache holds). */
const REMEMBER_DAYS_OF = 10_000;

/**
 * The state store on Redis with the key layout of events.md: a student's state and result
 * expire a retention period after their last write, each day's keys when that day leaves the
 * retention period; each student's keys change in one Lua script (atomic, and refused when
 * another writer got there first), processed markers live 7 days.
 */
export function createRedisStateStore(redis: RedisClient, options: { retentionDays: number; now?: () => number }): StateStore {
  const ttlSeconds = options.retentionDays * 24 * 3600;
  const now = options.now ?? Date.now;
  const written = createWrittenDays(REMEMBER_DAYS_OF);
  redis.defineCommand('saveStudent', { lua: SAVE_STUDENT_LUA });
  // On a single server a student's markers are set by its script: one command per student
  // instead of one per event, and markers that can never lag their write. A cluster keeps
  // them in other slots than the student's keys, where one script cannot reach.
  const markersInScript = !(redis instanceof Cluster);
  return {
    async load(studentIds) {
      const rows = await Promise.all(
        studentIds.map((id) => {
          const k = studentKeys(id);
          return Promise.all([redis.hgetall(k.state), redis.get(k.current)]);
        }),
      );
      const found = new Map<string, LoadedRecord>();
      studentIds.forEach((id, i) => {
        const [hash, currentText] = rows[i]!;
        if (hash[VERSION_FIELD] === undefined) return;
        const { state, version } = stateFromFields(id, hash);
        const current = currentText == null ? null : (JSON.parse(currentText) as CurrentMastery);
        const knowledge = hash[KNOWLEDGE_FIELD] === undefined ? null : decodeTrace(hash[KNOWLEDGE_FIELD]);
        found.set(id, { state, current, knowledge, etag: String(version) });
      });
      return found;
    },

    async etags(studentIds) {
      const versions = await Promise.all(studentIds.map((id) => redis.hget(studentKeys(id).state, VERSION_FIELD)));
      const found = new Map<string, string>();
      studentIds.forEach((id, i) => {
        const version = versions[i];
        if (version != null) found.set(id, version);
      });
      return found;
    },

    async save(writes) {
      const calls = writes.map((w) => scriptCall(w, ttlSeconds, now(), markersInScript, written.at(w.record.state.student_id, w.etag)));
      const outcomes = await Promise.all(calls.map(({ keys, args }) => redis.saveStudent(keys.length, ...keys, ...args)));
      const conflicts = writes.filter((_, i) => outcomes[i] !== 1).map((w) => w.record.state.student_id);
      written.forget(conflicts);
      const etags = new Map<string, string>();
      writes.forEach((w, i) => {
        if (outcomes[i] !== 1) return;
        const { version, days } = calls[i]!;
        etags.set(w.record.state.student_id, String(version));
        written.remember(w.record.state.student_id, String(version), days);
      });
      if (!markersInScript) {
        // Set after the script: lost markers (a crash in between) cost a harmless re-fold.
        const applied = writes.filter((_, i) => outcomes[i] === 1).flatMap((w) => w.applied);
        await Promise.all(applied.map((e) => redis.set(processedKey(e.event_id), '1', 'EX', PROCESSED_TTL_SECONDS)));
      }
      return { conflicts, etags };
    },

    async pendingUpdates(studentIds) {
      const held = await Promise.all(studentIds.map((id) => redis.hvals(studentKeys(id).outbox)));
      return held.flat().map((text) => JSON.parse(text) as MasteryUpdated);
    },

    async acknowledge(updates) {
      // HDEL of the update's own field: a newer update, written since, is another field and stays.
      await Promise.all(updates.map((u) => redis.hdel(studentKeys(u.student_id).outbox, u.event_id)));
    },

    async remove(studentIds, eventIds) {
      written.forget(studentIds);
      for (const id of studentIds) {
        // Every key under the student's tag, whatever days it covers: erasure must leave none.
        const keys = await keysMatching(redis, `student:{${id}}:*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      await Promise.all(eventIds.map((id) => redis.del(processedKey(id))));
    },

    async unprocessed(eventIds) {
      const held = await Promise.all(eventIds.map((id) => redis.exists(processedKey(id))));
      return new Set(eventIds.filter((_, i) => held[i] === 0));
    },

    async ping() {
      await redis.ping();
    },

    async close() {
      await redis.quit();
    },
  };
}

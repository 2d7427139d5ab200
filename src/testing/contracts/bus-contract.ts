/**
 * The Bus contract: one suite that every adapter of the port must pass (in-process, Kafka…).
 * Delivery may be asynchronous (a broker in between), so the tests wait for what must arrive, and
 * show that something did not arrive by waiting for a later update that did. Each test opens a
 * bus, closes it when done, and only counts updates about students of its own, so the suite also
 * holds on a topic that carries other traffic. Order is asserted per student: that is what a bus
 * keyed by student_id (Kafka partitions) guarantees, and all the engine relies on.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import type { Bus, MasteryUpdated, UpdateListener } from '../../ports/bus.js';
import { waitFor } from '../wait-for.js';

const DELIVERY_TIMEOUT_MS = 5_000;

/** A student-id prefix no other test (nor other traffic on the same bus) uses. */
const freshPrefix = () => `c${randomUUID().replaceAll('-', '').slice(0, 16)}`;

let sequence = 0;

/** A valid mastery.updated (events.md), different from every other one this file builds. */
function update(studentId: string): MasteryUpdated {
  sequence += 1;
  const n = sequence % 60;
  return {
    event_id: randomUUID(),
    event_type: 'mastery.updated',
    timestamp: `2026-01-14T10:30:${String(n).padStart(2, '0')}Z`,
    student_id: studentId,
    mastery_score: Math.round(400 + n * 7) / 1000,
    level: n % 2 === 0 ? 'competent' : 'developing',
    components: { completion: 0.8, quiz: n / 100, quality: 0.85, consistency: 0.5 },
    forecast: {
      score_in_7_days: 0.5 + n / 1000,
      low: 0.45,
      high: 0.6 + n / 1000,
      needs_help: n % 3 === 0,
      method: 'activity-paths',
      model_version: n % 2 === 0 ? 'default' : 'v7',
    },
    recommendations:
      n % 2 === 0
        ? []
        : [
            { action: 'practice', area: 'completing exercises', priority: 'high', topic: 'python.loops' },
            { action: 'schedule', area: 'daily practice', priority: 'low' },
          ],
  };
}

interface Recorder {
  received: MasteryUpdated[];
  listener: UpdateListener;
}

/** A listener that keeps the updates about this test's students, in the order they arrive. */
function recorder(prefix: string): Recorder {
  const received: MasteryUpdated[] = [];
  return {
    received,
    listener: (u) => {
      if (u.student_id.startsWith(prefix)) received.push(u);
    },
  };
}

/** Waits until `done()` holds, or fails the test naming what never happened. */
const eventually = (done: () => boolean, what: string) => waitFor(done, what, { timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 5 });

const eventIds = (updates: readonly MasteryUpdated[]) => updates.map((u) => u.event_id);

/** The updates of each student, in the order given. */
function perStudent(updates: readonly MasteryUpdated[]): Map<string, MasteryUpdated[]> {
  const out = new Map<string, MasteryUpdated[]>();
  for (const u of updates) out.set(u.student_id, [...(out.get(u.student_id) ?? []), u]);
  return out;
}

/** The recorder got exactly the published updates (none twice, none extra), each student's in order. */
function assertReceivedAll(recorder: Recorder, published: readonly MasteryUpdated[], who: string): void {
  assert.deepEqual([...eventIds(recorder.received)].sort(), [...eventIds(published)].sort(), `${who} receives every update once, and nothing else`);
  assert.deepEqual(perStudent(recorder.received), perStudent(published), `${who}: each student's updates, in order`);
}

export function busContract(name: string, open: () => Promise<Bus>): void {
  /** Opens a bus for one test and closes it when the test ends, whatever its outcome. */
  async function openBus(t: TestContext): Promise<Bus> {
    const bus = await open();
    t.after(() => bus.close());
    return bus;
  }

  describe(name, () => {
    it("delivers every published update to every subscriber, each student's in order", async (t) => {
      const bus = await openBus(t);
      const prefix = freshPrefix();
      const [s1, s2, s3] = [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`];
      const a = recorder(prefix);
      const b = recorder(prefix);
      bus.subscribe(a.listener);
      bus.subscribe(b.listener);

      const batches = [[update(s1), update(s2), update(s1)], [update(s2), update(s1), update(s3)], [update(s1)]];
      for (const batch of batches) await bus.publish(batch);
      const published = batches.flat();

      await eventually(() => a.received.length >= published.length && b.received.length >= published.length, 'both subscribers receive 7 updates');
      await sleep(20); // room for a duplicate to show up
      assertReceivedAll(a, published, 'the first subscriber');
      assertReceivedAll(b, published, 'the second subscriber');
      assert.deepEqual(
        a.received.filter((u) => u.student_id === s1),
        [batches[0]![0], batches[0]![2], batches[1]![1], batches[2]![0]],
        "one student's updates arrive in the order they were published, across batches",
      );
    });

    it('stops delivering to a subscriber once it unsubscribes, and only to it', async (t) => {
      const bus = await openBus(t);
      const prefix = freshPrefix();
      const student = `${prefix}-1`;
      const leaving = recorder(prefix);
      const staying = recorder(prefix);
      const unsubscribe = bus.subscribe(leaving.listener);
      bus.subscribe(staying.listener);

      const before = update(student);
      await bus.publish([before]);
      await eventually(() => leaving.received.length >= 1 && staying.received.length >= 1, 'both receive the first update');

      unsubscribe();
      unsubscribe(); // a second call is harmless
      const after = [update(student), update(student)];
      await bus.publish(after);
      await eventually(() => staying.received.length >= 3, 'the remaining subscriber receives the later updates');
      await sleep(20);

      assert.deepEqual(leaving.received, [before], 'nothing after unsubscribing');
      assert.deepEqual(staying.received, [before, ...after]);
    });

    it('keeps delivering to the others when a subscriber throws, and publish does not reject', async (t) => {
      const bus = await openBus(t);
      const prefix = freshPrefix();
      const student = `${prefix}-1`;
      const first = recorder(prefix);
      const last = recorder(prefix);
      const thrown: MasteryUpdated[] = [];
      bus.subscribe(first.listener);
      bus.subscribe((u) => {
        if (!u.student_id.startsWith(prefix)) return;
        thrown.push(u);
        throw new Error('a broken subscriber');
      });
      bus.subscribe(last.listener);

      const batch = [update(student), update(`${prefix}-2`), update(student)];
      await assert.doesNotReject(bus.publish(batch));
      await eventually(() => first.received.length >= 3 && last.received.length >= 3, 'the other subscribers receive all 3');
      assertReceivedAll(first, batch, 'the subscriber before the broken one');
      assertReceivedAll(last, batch, 'the subscriber after the broken one');
      await eventually(() => thrown.length >= 3, 'the broken subscriber is still offered every update');

      // The bus still works afterwards.
      const later = update(student);
      await assert.doesNotReject(bus.publish([later]));
      await eventually(() => last.received.length >= 4, 'a later update still arrives');
      assert.deepEqual(last.received, [...batch, later]);
    });

    it('delivers nothing for an empty batch', async (t) => {
      const bus = await openBus(t);
      const prefix = freshPrefix();
      const r = recorder(prefix);
      bus.subscribe(r.listener);

      await assert.doesNotReject(bus.publish([]));
      const marker = update(`${prefix}-1`);
      await bus.publish([marker]);
      await eventually(() => r.received.length >= 1, 'the marker arrives');
      await sleep(20);

      assert.deepEqual(r.received, [marker]);
    });

    it('publishes with no subscriber at all', async (t) => {
      const bus = await openBus(t);
      const prefix = freshPrefix();
      await assert.doesNotReject(bus.publish([update(`${prefix}-1`)]));

      // A subscriber that comes later still receives what is published from then on.
      const r = recorder(prefix);
      bus.subscribe(r.listener);
      const later = update(`${prefix}-1`);
      await bus.publish([later]);
      await eventually(() => r.received.some((u) => u.event_id === later.event_id), 'the later update arrives');
    });
  });
}

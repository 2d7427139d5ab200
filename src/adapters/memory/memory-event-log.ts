import { instantKey } from '../../model/instant.js';
import type { LearningEvent } from '../../model/learning-event.js';
import type { EventLog } from '../../ports/event-log.js';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The log's order: by instant to the nanosecond, then by event_id (as the SQL log orders). */
const byTimeThenId = (a: LearningEvent, b: LearningEvent) => compare(instantKey(a.timestamp), instantKey(b.timestamp)) || compare(a.event_id, b.event_id);

/** The event log in this process's memory: nothing survives a restart (MASTERY_DATA_DIR=:memory:). */
export function createMemoryEventLog(): EventLog {
  const byId = new Map<string, LearningEvent>();
  const byStudent = new Map<string, LearningEvent[]>();
  return {
    async append(events) {
      const stored = new Set<string>();
      const newStudents = new Set<string>();
      for (const event of events) {
        if (byId.has(event.event_id)) continue;
        byId.set(event.event_id, event);
        stored.add(event.event_id);
        const list = byStudent.get(event.student_id);
        if (list) list.push(event);
        else {
          byStudent.set(event.student_id, [event]);
          newStudents.add(event.student_id);
        }
      }
      return { stored, newStudents };
    },

    async readStudent(studentId) {
      return [...(byStudent.get(studentId) ?? [])].sort(byTimeThenId);
    },

    async readStudents(studentIds) {
      const found = new Map<string, LearningEvent[]>();
      for (const id of studentIds) {
        const list = byStudent.get(id);
        if (list) found.set(id, [...list].sort(byTimeThenId));
      }
      return found;
    },

    async readEvents(eventIds) {
      return eventIds.flatMap((id) => {
        const event = byId.get(id);
        return event ? [event] : [];
      });
    },

    async readLatest(limit) {
      // A Map iterates in insertion order: the last entries are the latest arrivals.
      return [...byId.values()].slice(-limit).reverse();
    },

    async listStudents({ offset, limit }) {
      const students = [...byStudent.keys()].sort();
      return { studentIds: students.slice(offset, offset + limit), total: students.length };
    },

    async *scanStudents(pageSize = 500) {
      const students = [...byStudent.keys()].sort();
      for (let i = 0; i < students.length; i += pageSize) {
        yield students.slice(i, i + pageSize).map((studentId) => ({ studentId, events: [...byStudent.get(studentId)!].sort(byTimeThenId) }));
      }
    },

    async eraseStudent(studentId) {
      const erased = (byStudent.get(studentId) ?? []).map((e) => e.event_id);
      for (const id of erased) byId.delete(id);
      byStudent.delete(studentId);
      return erased;
    },

    async purgeBefore(instant) {
      const cutoff = instantKey(instant);
      const purged = new Map<string, string[]>();
      for (const [studentId, events] of byStudent) {
        const kept = events.filter((e) => instantKey(e.timestamp) >= cutoff);
        if (kept.length === events.length) continue;
        const gone = events.filter((e) => instantKey(e.timestamp) < cutoff).map((e) => e.event_id);
        for (const id of gone) byId.delete(id);
        purged.set(studentId, gone);
        if (kept.length > 0) byStudent.set(studentId, kept);
        else byStudent.delete(studentId);
      }
      return purged;
    },

    async ping() {},
    async close() {},
  };
}

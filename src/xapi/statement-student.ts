import { createHash } from 'node:crypto';
import { KEY_SAFE_PATTERN } from '../validation/event-schema.js';
import { isObject, type Reading } from './statement-reading.js';
import type { StudentSource } from './xapi-mapping.js';

const KEY_SAFE = new RegExp(KEY_SAFE_PATTERN);
const SHA1_HEX = /^[0-9a-fA-F]{40}$/;

const SAYS: Record<StudentSource, string> = { account: 'actor.account.name', mbox: 'actor.mbox or actor.mbox_sha1sum' };

/**
 * The student a statement is about, from the actor's identifier the mapping names. An Agent has
 * exactly one identifier (xAPI Data §2.4.2.1), so the first configured kind it carries decides.
 */
export function studentOf(actor: unknown, from: readonly StudentSource[]): Reading<string> {
  if (!isObject(actor)) return { field: 'actor', message: 'is required: the Agent whose statement it is' };
  if (actor.objectType === 'Group') {
    return { field: 'actor.objectType', message: 'is Group: the engine records one student per statement, so the actor must be an Agent' };
  }
  for (const source of from) {
    if (source === 'account' && actor.account !== undefined) {
      const name = isObject(actor.account) ? actor.account.name : undefined;
      if (typeof name !== 'string') return { field: 'actor.account.name', message: 'is required: it names the student' };
      if (!KEY_SAFE.test(name)) {
        return { field: 'actor.account.name', message: 'must be 1–64 characters of A–Z a–z 0–9 . _ - to name a student' };
      }
      return { value: name, field: 'actor.account.name' };
    }
    if (source === 'mbox' && actor.mbox !== undefined) {
      if (typeof actor.mbox !== 'string' || !/^mailto:\S+$/i.test(actor.mbox)) return { field: 'actor.mbox', message: 'must be a mailto: IRI' };
      // mbox_sha1sum is defined as this very hash, so both forms of one person name one student.
      return { value: createHash('sha1').update(actor.mbox, 'utf8').digest('hex'), field: 'actor.mbox' };
    }
    if (source === 'mbox' && actor.mbox_sha1sum !== undefined) {
      const sum = actor.mbox_sha1sum;
      if (typeof sum !== 'string' || !SHA1_HEX.test(sum)) return { field: 'actor.mbox_sha1sum', message: 'must be 40 hexadecimal digits (a SHA-1)' };
      return { value: sum.toLowerCase(), field: 'actor.mbox_sha1sum' };
    }
  }
  const field = from.length === 1 && from[0] === 'account' ? 'actor.account.name' : 'actor';
  return { field, message: `is required: this service names students by ${from.map((s) => SAYS[s]).join(', or ')}` };
}

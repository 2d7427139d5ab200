import { createHash } from 'node:crypto';
import { KEY_SAFE_PATTERN } from '../validation/event-schema.js';
import { fieldPath } from '../validation/field-errors.js';
import { at, isObject, type Loose, type Reading } from './statement-reading.js';
import type { TopicSource, XapiMapping } from './xapi-mapping.js';

const KEY_SAFE = new RegExp(KEY_SAFE_PATTERN);
const MAX_TOPIC = 64;

/**
 * A topic name for an activity's IRI: the IRI without its scheme, every run of characters a
 * topic may not hold turned into one dot (`https://h5p.org/node/12` → `h5p.org.node.12`). One
 * longer than a topic may be keeps its end and a hash of the whole IRI, so that two long IRIs
 * stay two topics. Null when nothing is left (an IRI such as `.`).
 */
export function topicOfIri(iri: string): string | null {
  const slug = iri
    .replace(/^[A-Za-z][A-Za-z0-9+.-]*:(\/\/)?/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '.')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '');
  if (slug === '') return null;
  if (slug.length <= MAX_TOPIC) return slug;
  const hash = createHash('sha256').update(iri, 'utf8').digest('hex').slice(0, 12);
  return `${slug.slice(-(MAX_TOPIC - hash.length - 1)).replace(/^\.+/, '')}-${hash}`;
}

/** The first activity of a context activity list (xAPI 1.0.0 allowed a lone object where 1.0.3 has an array). */
function firstActivityId(list: unknown): string | undefined {
  const first = Array.isArray(list) ? list[0] : list;
  return isObject(first) && typeof first.id === 'string' ? first.id : undefined;
}

function fromExtension(s: Loose, iri: string): Reading<string> | null {
  for (const path of [
    ['context', 'extensions'],
    ['object', 'definition', 'extensions'],
  ]) {
    const value = at(s, ...path, iri);
    if (value === undefined) continue;
    const field = fieldPath(path.join('.'), iri);
    if (typeof value !== 'string' || !KEY_SAFE.test(value)) return { field, message: 'must be a topic: 1–64 characters of A–Z a–z 0–9 . _ -' };
    return { value, field };
  }
  return null;
}

function fromContextActivity(s: Loose, kind: 'parent' | 'grouping'): Reading<string> | null {
  const list = at(s, 'context', 'contextActivities', kind);
  const id = firstActivityId(list);
  const topic = id === undefined ? null : topicOfIri(id);
  if (topic === null) return null;
  return { value: topic, field: `context.contextActivities.${kind}${Array.isArray(list) ? '[0]' : ''}.id` };
}

/** The statement's topic by the mapping's sources in order; null: none names one (the engine's `general`). */
export function topicOf(s: Loose, mapping: Pick<XapiMapping, 'topicFrom' | 'topicExtension'>): Reading<string> | null {
  const read: Record<TopicSource, () => Reading<string> | null> = {
    extension: () => fromExtension(s, mapping.topicExtension),
    parent: () => fromContextActivity(s, 'parent'),
    grouping: () => fromContextActivity(s, 'grouping'),
  };
  for (const source of mapping.topicFrom) {
    const found = read[source]();
    if (found !== null) return found;
  }
  return null;
}

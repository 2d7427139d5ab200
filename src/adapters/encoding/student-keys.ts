import type { Day } from '../../model/days.js';
import type { Component } from '../../model/types.js';

/*
 * The key layout of events.md. The braces are literal: Redis Cluster hashes only what stands
 * between them, so every key of one student lands in one slot and one script can change them
 * all atomically. Student ids are limited to [A-Za-z0-9._-] by validation: no brace inside.
 */
export const studentKeys = (studentId: string) => {
  const tag = `student:{${studentId}}`;
  return {
    state: `${tag}:state`,
    current: `${tag}:profile:current_mastery`,
    mastery: (date: Day, component: Component) => `${tag}:mastery:${date}:${component}`,
    rawEvents: (date: Day) => `${tag}:history:${date}:raw_events`,
    /** The student's pending mastery.updated (the outbox), in its slot: written by its save. */
    outbox: `${tag}:outbox`,
  };
};

export const processedKey = (eventId: string) => `processed:{${eventId}}`;

/** How long a processed marker is kept (events.md): long enough for any redelivery. */
export const PROCESSED_TTL_SECONDS = 7 * 24 * 3600;

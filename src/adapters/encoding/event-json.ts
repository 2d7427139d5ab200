import type { LearningEvent } from '../../model/learning-event.js';

/*
 * An event goes out as the same JSON text twice on its way in: into the event log's batch and
 * into its day's raw events in the state store. Events are never changed once validated, so
 * the text made for the first serves the second.
 */
const texts = new WeakMap<LearningEvent, string>();

/** The event's JSON text (JSON.stringify's), made once per event object. */
export function eventJson(event: LearningEvent): string {
  let text = texts.get(event);
  if (text === undefined) texts.set(event, (text = JSON.stringify(event)));
  return text;
}

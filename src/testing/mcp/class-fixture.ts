/**
 * Test-only: a small class for the MCP tests. s-b is mastery-model.md's worked example B; s-r1
 * (falling fast) and s-r2 (flat and low) need intervention; s-new has too little history for a
 * prediction; s-out is at risk too but in nobody's class.
 */
import { callers } from '../memory-deps.js';
import { createIngest } from '../../pipeline/ingest.js';
import type { EngineDeps } from '../../engine-deps.js';
import { wire, workedExampleB, type WireEvent } from '../wire-events.js';

export const TEACHER = 't-ada';
/** s-ghost is in the class but unknown to the engine: the class list skips it. */
export const CLASS = ['s-b', 's-r1', 's-r2', 's-new', 's-ghost'] as const;

/** Completion reports of `completed` of 25 on consecutive January days from the 10th. */
function completionRun(studentId: string, completed: readonly number[]): WireEvent[] {
  return completed.map((n, i) =>
    wire.completion(studentId, `2026-01-${String(10 + i).padStart(2, '0')}T09:00:00Z`, { total_exercises: 25, completed_exercises: n }),
  );
}

export function classEvents(): WireEvent[] {
  return [
    ...workedExampleB('s-b'),
    ...completionRun('s-r1', [20, 10, 5]),
    ...completionRun('s-r2', [5, 5, 5]),
    ...completionRun('s-out', [20, 10, 5]),
    wire.completion('s-new', '2026-01-12T09:00:00Z', { total_exercises: 10, completed_exercises: 2 }),
  ];
}

/** Ingests the class through the pipeline, as a producer would; throws if any event is refused. */
export async function seedClass(deps: EngineDeps): Promise<void> {
  const report = await createIngest(deps)(classEvents(), callers.service);
  if (report.rejected > 0) throw new Error(`the fixture's events were rejected: ${JSON.stringify(report.results)}`);
}

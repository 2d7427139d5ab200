import { assertCanFitModel, assertCanReadModel } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import { audit } from '../audit/audit-access.js';
import { EngineError, Errors } from '../errors.js';
import { FitRefused, fitLearnerParams } from '../model/learner/fit-learner-params.js';
import { DEFAULT_LEARNER_PARAMS } from '../model/learner/learner-params.js';
import type { StoredResponse } from '../model/student-state.js';
import { stateFromEvents } from '../students/student-repository.js';
import type { EngineDeps } from '../engine-deps.js';
import { modelSummary, type ModelSummary } from './model-summary.js';

/** Every student's first-attempt answers in the log, each student's in order. */
export async function answersInLog(deps: Pick<EngineDeps, 'log'>): Promise<StoredResponse[][]> {
  const students: StoredResponse[][] = [];
  for await (const page of deps.log.scanStudents()) {
    for (const { studentId, events } of page) {
      const { responses } = stateFromEvents(studentId, events);
      if (responses.length > 0) students.push([...responses]);
    }
  }
  return students;
}

/**
 * Fits the learner model's parameters from every first-attempt answer in the event log, stores
 * them as the newest version, and takes them up in this process at once (every other instance
 * within a minute). A log without enough answers is refused and changes nothing.
 */
export async function fitModel(deps: EngineDeps): Promise<ModelSummary> {
  const students = await answersInLog(deps);
  let fitted: ReturnType<typeof fitLearnerParams>;
  try {
    fitted = fitLearnerParams(students, DEFAULT_LEARNER_PARAMS);
  } catch (error) {
    if (error instanceof FitRefused) throw Errors.fitRefused(error.message);
    throw error;
  }
  const saved = await deps.params.save(fitted, deps.clock.now());
  await deps.learner.refresh();
  return modelSummary(saved);
}

/** POST /v1/model/fit: an admin's fit, audited with how many answers it used (or why it was refused). */
export async function fitModelFor(deps: EngineDeps, caller: Caller): Promise<ModelSummary> {
  try {
    assertCanFitModel(caller.principal);
  } catch (error) {
    await audit(deps, caller, null, 'model.fit', 'refused');
    throw error;
  }
  try {
    const summary = await fitModel(deps);
    await audit(deps, caller, null, 'model.fit', 'allowed', { model_version: summary.model_version, answers: summary.answers });
    return summary;
  } catch (error) {
    if (error instanceof EngineError && error.code === 'FIT_REFUSED') {
      await audit(deps, caller, null, 'model.fit', 'refused', { reason: error.message });
    }
    throw error;
  }
}

/** GET /v1/model: the version in use, for teachers and admins. */
export async function readModel(deps: EngineDeps, caller: Caller): Promise<ModelSummary> {
  try {
    assertCanReadModel(caller.principal);
  } catch (error) {
    await audit(deps, caller, null, 'model.read', 'refused');
    throw error;
  }
  await audit(deps, caller, null, 'model.read', 'allowed');
  return modelSummary(deps.learner.current());
}

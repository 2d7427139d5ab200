import { Errors } from '../errors.js';
import type { Principal } from './principal.js';

/** api.md's access rule: may this caller read student X's data? */
export function canReadStudent(principal: Principal, studentId: string): boolean {
  switch (principal.role) {
    case 'admin':
      return true;
    case 'student':
      return principal.sub === studentId;
    case 'teacher':
      return principal.students.has(studentId);
    case 'service':
      return false;
  }
}

/** Only producers write events: services, and admins. */
export function assertCanWriteEvents(principal: Principal): void {
  if (principal.role !== 'service' && principal.role !== 'admin') {
    throw Errors.forbidden(`a ${principal.role} token may not post events`);
  }
}

/** Class lists are for teachers (their own class) and admins (everyone). */
export function assertCanListStudents(principal: Principal): void {
  if (principal.role !== 'teacher' && principal.role !== 'admin') {
    throw Errors.forbidden(`a ${principal.role} token may not list students`);
  }
}

/** The student themself, or an admin: export and consent (api.md). */
export function canActForStudent(principal: Principal, studentId: string): boolean {
  return principal.role === 'admin' || (principal.role === 'student' && principal.sub === studentId);
}

/** Admins may erase anyone; a student themself only when the configuration allows it. */
export function canErase(principal: Principal, studentId: string, allowSelfErasure: boolean): boolean {
  return principal.role === 'admin' || (allowSelfErasure && principal.role === 'student' && principal.sub === studentId);
}

/** The audit trail is for admins. */
export function assertCanReadAudit(principal: Principal): void {
  if (principal.role !== 'admin') throw Errors.forbidden(`a ${principal.role} token may not read the audit trail`);
}

/** The learner model: teachers and admins read its summary; only admins fit it. */
export function assertCanReadModel(principal: Principal): void {
  if (principal.role !== 'teacher' && principal.role !== 'admin') throw Errors.forbidden(`a ${principal.role} token may not read the learner model`);
}

export function assertCanFitModel(principal: Principal): void {
  if (principal.role !== 'admin') throw Errors.forbidden(`a ${principal.role} token may not fit the learner model`);
}

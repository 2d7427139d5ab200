import type { PrivacyRegistry, PrivacyStatus } from '../../ports/privacy-registry.js';

/** Consent and tombstones in memory (MASTERY_DATA_DIR=:memory: and tests). */
export function createMemoryPrivacyRegistry(): PrivacyRegistry {
  const statuses = new Map<string, PrivacyStatus>();
  const of = (id: string) => statuses.get(id) ?? { consent: null, consentAt: null, erasedAt: null };
  return {
    async statuses(studentIds) {
      const found = new Map<string, PrivacyStatus>();
      for (const id of studentIds) {
        const s = statuses.get(id);
        if (s) found.set(id, { ...s });
      }
      return found;
    },

    async setConsent(studentId, granted, at) {
      const status = { consent: granted, consentAt: at, erasedAt: granted ? null : of(studentId).erasedAt };
      statuses.set(studentId, status);
      return { ...status };
    },

    async markErased(studentId, at) {
      statuses.set(studentId, { consent: null, consentAt: null, erasedAt: at });
    },

    async erasedStudents() {
      return [...statuses]
        .filter(([, s]) => s.erasedAt !== null)
        .map(([id]) => id)
        .sort();
    },
  };
}

/** What the engine holds about a student's consent and erasure. */
export interface PrivacyStatus {
  /** null: the student never said. */
  consent: boolean | null;
  consentAt: string | null;
  /** When the student was erased; events are refused while this stands. */
  erasedAt: string | null;
}

/**
 * Consent and erasure tombstones. A tombstone keeps a late or replayed event from bringing an
 * erased student back; an explicit new consent lifts it (api.md, "Privacy").
 */
export interface PrivacyRegistry {
  /** The status of each student asked for that has one. */
  statuses(studentIds: readonly string[]): Promise<Map<string, PrivacyStatus>>;
  /** Records consent; granting it lifts a tombstone. */
  setConsent(studentId: string, granted: boolean, at: string): Promise<PrivacyStatus>;
  /** Leaves a tombstone (and forgets any consent). */
  markErased(studentId: string, at: string): Promise<void>;
  /** Every student with a tombstone. */
  erasedStudents(): Promise<string[]>;
}

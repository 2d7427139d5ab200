export const ROLES = ['student', 'teacher', 'admin', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, as a verified token says. */
export interface Principal {
  sub: string;
  role: Role;
  /** For a teacher: the ids of the students in their class. */
  students: ReadonlySet<string>;
  /**
   * When the token that vouched for it expires, in ms since 1970: what outlives a request (a
   * live stream) ends then. Absent for the engine's own principals, which no token carries.
   */
  expiresAt?: number;
}

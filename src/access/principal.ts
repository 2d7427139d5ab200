export const ROLES = ['student', 'teacher', 'admin', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, as a verified token says. */
export interface Principal {
  sub: string;
  role: Role;
  /** For a teacher: the ids of the students in their class. */
  students: ReadonlySet<string>;
}

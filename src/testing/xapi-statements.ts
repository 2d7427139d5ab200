/** Test-only: the published statements of fixtures/xapi/ (see its README), and copies changed for a case. */
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noExplicitAny: the tests read published statements as loose JSON, field by field
export type Statement = Record<string, any>;

export const FIXTURES = ['adl-simple-statement', 'adl-attempted-with-score', 'adl-long-example', 'h5p-true-false-answered', 'h5p-single-choice-set'] as const;

/** A fixture as published, parsed afresh each time (so a test may change its copy). */
export function fixture(name: (typeof FIXTURES)[number]): Statement {
  return JSON.parse(readFileSync(new URL(`./fixtures/xapi/${name}.json`, import.meta.url), 'utf8')) as Statement;
}

/** The statements of H5P's Single Choice Set: the set's own, then its three questions'. */
export function singleChoiceSet(): Statement[] {
  const data = fixture('h5p-single-choice-set');
  return [data.statement, ...data.children.map((c: Statement) => c.statement)];
}

/** A copy whose actor is an Agent with an account, as Moodle and most LMSs send it. */
export function withAccount(statement: Statement, name: string, homePage = 'https://lms.example.org'): Statement {
  return { ...structuredClone(statement), actor: { objectType: 'Agent', account: { homePage, name } } };
}

/** The True/False answer of H5P by a student with an account, at a time, with changes on top. */
export function h5pAnswer(student: string, timestamp: string, changes: Statement = {}): Statement {
  return { ...withAccount(fixture('h5p-true-false-answered'), student), timestamp, ...changes };
}

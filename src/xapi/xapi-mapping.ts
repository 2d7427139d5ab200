/**
 * How xAPI statements become engine events (docs/xapi.md): which verbs are answers to items,
 * which are assessments with a score, where a statement names its topic and its student.
 * Read from the environment in config.ts; these defaults serve H5P, Moodle and ADL's vocabulary.
 */

/** Where a statement's topic may come from, tried in the configured order. */
export const TOPIC_SOURCES = ['extension', 'parent', 'grouping'] as const;
export type TopicSource = (typeof TOPIC_SOURCES)[number];

/**
 * Which of the actor's identifiers name the student. `account`: actor.account.name as it is.
 * `mbox`: the SHA-1 of actor.mbox (hex), or actor.mbox_sha1sum, which is that same hash.
 */
export const STUDENT_SOURCES = ['account', 'mbox'] as const;
export type StudentSource = (typeof STUDENT_SOURCES)[number];

export interface XapiMapping {
  /** Verbs whose statement, with result.success, is one answer to one item (response.recorded). */
  answeredVerbs: string[];
  /** Verbs whose statement, with a score, is a quiz report (component quiz). */
  assessmentVerbs: string[];
  /** The extension (context, then the object's definition) whose string value is the topic. */
  topicExtension: string;
  topicFrom: TopicSource[];
  studentFrom: StudentSource[];
}

const ADL = 'http://adlnet.gov/expapi/verbs/';

export const DEFAULT_XAPI_MAPPING: Readonly<XapiMapping> = Object.freeze<XapiMapping>({
  answeredVerbs: [`${ADL}answered`],
  assessmentVerbs: [`${ADL}completed`, `${ADL}passed`, `${ADL}failed`, `${ADL}scored`, `${ADL}mastered`],
  topicExtension: 'urn:mastery-engine:xapi:topic',
  topicFrom: ['extension', 'parent', 'grouping'],
  studentFrom: ['account'],
});

/** The statement that voids another (xAPI Data §2.3.2): an applied event cannot be taken back. */
export const VOIDED_VERB = `${ADL}voided`;

/** How fast an estimate moves with the n-th answer: K(n) = initial / (1 + decay × n). */
export interface RateSchedule {
  readonly initial: number;
  readonly decay: number;
}

export interface TopicParams {
  /** The topic's difficulty on the logit scale: the log-odds of a wrong answer by an average student. */
  readonly difficulty: number;
  /** How many answers it was fitted from. */
  readonly answers: number;
}

export interface ItemParams {
  /** How much harder the item is than its topic, on the logit scale. */
  readonly offset: number;
  readonly answers: number;
}

/**
 * The learner model's parameters (learner-model §2, §3): what a fit learns from the log (the
 * difficulties) and the settings it was fitted with. One version is active at a time; every
 * knowledge and forecast answer names it.
 */
export interface LearnerParams {
  /** `default` before any fit; otherwise the version the event-log database gave the fit. */
  readonly version: string;
  readonly fitted_at: string | null;
  /** How many first-attempt answers the fit used. */
  readonly answers: number;
  /** The difficulty of a topic without enough answers of its own, or never seen. */
  readonly pooled: TopicParams;
  readonly topics: ReadonlyMap<string, TopicParams>;
  readonly items: ReadonlyMap<string, ItemParams>;
  /** The student-level ability's and the topic-specific knowledge's rates. */
  readonly rates: { readonly ability: RateSchedule; readonly topic: RateSchedule };
  /** Topic-specific knowledge fades towards the student's ability with this half-life. */
  readonly forgettingHalfLifeDays: number;
  /** Prior variances (logit scale) of the ability and of a topic's deviation from it. */
  readonly priorVariance: { readonly ability: number; readonly topic: number };
  /** A topic is known when a typical item of it would be answered correctly this often. */
  readonly masteryBar: number;
  readonly forecast: ForecastParams;
}

export interface ForecastParams {
  /** Beta prior of a student's daily activity rate: active days count as successes. */
  readonly activityPrior: { readonly alpha: number; readonly beta: number };
  /** How many past days the activity rate is measured over. */
  readonly activityWindowDays: number;
}

/** The parameters before any fit (version `default`): every topic alike, moderately hard. */
export const DEFAULT_LEARNER_PARAMS: LearnerParams = Object.freeze({
  version: 'default',
  fitted_at: null,
  answers: 0,
  pooled: Object.freeze({ difficulty: 0, answers: 0 }),
  topics: new Map(),
  items: new Map(),
  rates: Object.freeze({
    ability: Object.freeze({ initial: 0.3, decay: 0.01 }),
    topic: Object.freeze({ initial: 0.6, decay: 0.1 }),
  }),
  forgettingHalfLifeDays: 30,
  priorVariance: Object.freeze({ ability: 1, topic: 0.5 }),
  masteryBar: 0.7,
  forecast: Object.freeze({
    activityPrior: Object.freeze({ alpha: 0.5, beta: 3 }),
    activityWindowDays: 56,
  }),
});

/** K(n) of a rate schedule. */
export function rate(schedule: RateSchedule, n: number): number {
  return schedule.initial / (1 + schedule.decay * n);
}

/** A topic's parameters, or the pooled ones for a topic without its own. */
export function topicParams(params: LearnerParams, topic: string): TopicParams {
  return params.topics.get(topic) ?? params.pooled;
}

import { assertCanListStudents, canReadStudent } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import { audit, classReadEntry } from '../audit/audit-access.js';
import type { AuditAction } from '../ports/audit-trail.js';
import { Errors } from '../errors.js';
import { dayOfInstant, type Day } from '../model/days.js';
import { forecastAsOf, type Forecast } from '../model/learner/forecast.js';
import { knowledgeAsOf, type TopicKnowledge } from '../model/learner/knowledge-as-of.js';
import { endOfDayMs, learnerPathAsOf, learnerResultAsOf, type Learner, type LearnerPath } from '../model/learner/learner-view.js';
import { dailyHistory, masteryAsOf, predictionAsOf, topicNames } from '../model/mastery-as-of.js';
import type { StudentState } from '../model/student-state.js';
import type { Level, MasteryResult, Prediction } from '../model/types.js';
import type { EngineDeps } from '../engine-deps.js';
import { loadStudents } from '../students/student-repository.js';
import type { StudentRecord } from '../ports/state-store.js';

export interface Scope {
  /** Default: today (UTC) by the engine's clock. */
  asOf?: Day;
  /**
   * An as-of instant (epoch ms), when the caller gave a date-time: knowledge counts the answers
   * strictly before it; the seed's day-by-day numbers are as of its day (`asOf`).
   */
  at?: number;
  /** Default: the overall roll-up. */
  topic?: string;
}

export interface StudentMastery extends MasteryResult {
  student_id: string;
  topic: string | null;
  as_of: Day;
  /** For the overall roll-up: each topic's own score and level. */
  topics?: Array<{ topic: string; mastery_score: number; level: Level }>;
}

export interface StudentHistory {
  student_id: string;
  topic: string | null;
  days: Array<{ date: Day } & MasteryResult>;
}

export interface StudentSummary {
  student_id: string;
  mastery_score: number;
  level: Level;
  trend: string | null;
  prediction: number | null;
  intervention_needed: boolean;
  /** The learner model's forecast, and its verdict (learner-model §4). */
  forecast: Pick<Forecast, 'score_in_7_days' | 'low' | 'high'>;
  needs_help: boolean;
  /** Each topic's own score and level, as the mastery answer lists them: a class view needs no read per student. */
  topics: NonNullable<StudentMastery['topics']>;
}

export interface StudentKnowledge {
  student_id: string;
  /** The date or date-time the answer is as of. */
  as_of: string;
  model_version: string;
  topics: TopicKnowledge[];
}

export type StudentPrediction = Prediction & { forecast: Forecast };

/** How a class list is ordered: by id (the default), or lowest first, `-` for highest first. */
export const STUDENT_SORTS = ['student_id', 'mastery_score', '-mastery_score', 'forecast', '-forecast'] as const;
export type StudentSort = (typeof STUDENT_SORTS)[number];

export interface ListPage {
  offset: number;
  limit: number;
  asOf?: Day;
  /** Only the students the forecast says need help (true), or only the others (false). */
  needsHelp?: boolean;
  sort?: StudentSort;
}

/** Students loaded a chunk at a time when a filter or a sort must see every one. */
const SCAN_CHUNK = 1000;

function bySort(sort: StudentSort): (a: StudentSummary, b: StudentSummary) => number {
  const byId = (a: StudentSummary, b: StudentSummary) => (a.student_id < b.student_id ? -1 : a.student_id > b.student_id ? 1 : 0);
  const key = sort.replace(/^-/, '') as 'student_id' | 'mastery_score' | 'forecast';
  if (key === 'student_id') return byId;
  const sign = sort.startsWith('-') ? -1 : 1;
  const value = (s: StudentSummary) => (key === 'forecast' ? s.forecast.score_in_7_days : s.mastery_score);
  return (a, b) => sign * (value(a) - value(b)) || byId(a, b);
}

/**
 * The read use cases. Each one checks the access rule first (a refused caller learns nothing,
 * not even whether the student exists), then reads the state store and computes as of a day.
 */
export function createStudentQueries(deps: EngineDeps) {
  const today = () => dayOfInstant(deps.clock.now().getTime());
  // States are immutable values (the fold never changes one), and a cached record keeps its
  // state object until the student changes: an answer computed for a state and a scope holds
  // as long as that state does. Reads repeat far more often than students change.
  const answers = new WeakMap<StudentState, Map<string, StudentMastery>>();
  const learnerOf = (record: StudentRecord): Learner => ({ params: deps.learner.current(), trace: record.knowledge });

  /**
   * The access rule, then the read; every outcome is audited. A refused caller learns nothing,
   * not even whether the student exists.
   */
  async function readableRecord(caller: Caller, studentId: string, action: AuditAction, topic?: string): Promise<StudentRecord> {
    if (!canReadStudent(caller.principal, studentId)) {
      await audit(deps, caller, studentId, action, 'refused');
      throw Errors.forbidden(`a ${caller.principal.role} token may not read student ${studentId}`);
    }
    const record = (await loadStudents(deps, [studentId], { writeBack: true })).get(studentId)?.record;
    if (!record) {
      await audit(deps, caller, studentId, action, 'not_found');
      throw Errors.studentNotFound(studentId);
    }
    if (topic !== undefined && !record.state.topics.has(topic)) {
      await audit(deps, caller, studentId, action, 'not_found', { topic });
      throw Errors.topicNotFound(studentId, topic);
    }
    await audit(deps, caller, studentId, action, 'allowed', topic === undefined ? undefined : { topic });
    return record;
  }

  return {
    async mastery(caller: Caller, studentId: string, scope: Scope = {}): Promise<StudentMastery> {
      const record = await readableRecord(caller, studentId, 'mastery.read', scope.topic);
      const state = record.state;
      const asOf = scope.asOf ?? today();
      const learner = learnerOf(record);
      // Which topics recommendations name depends on the parameter version too.
      const key = `${asOf}/${scope.topic ?? ''}/${learner.params.version}`;
      const known = answers.get(state)?.get(key);
      if (known !== undefined) return known;
      const { forecast: _forecast, ...result } = learnerResultAsOf(state, asOf, deps.model, learner, scope.topic)!;
      const answer: StudentMastery = { student_id: studentId, topic: scope.topic ?? null, as_of: asOf, ...result };
      if (scope.topic === undefined) answer.topics = topicScores(state, asOf, deps.model);
      let forState = answers.get(state);
      if (forState === undefined) answers.set(state, (forState = new Map()));
      forState.set(key, answer);
      return answer;
    },

    async history(caller: Caller, studentId: string, range: { from?: Day; to?: Day; topic?: string } = {}): Promise<StudentHistory> {
      const to = range.to ?? today();
      if (range.from !== undefined && range.from > to) {
        throw Errors.badRequest(`from (${range.from}) must not be after to (${to})`);
      }
      const { state } = await readableRecord(caller, studentId, 'history.read', range.topic);
      const days = dailyHistory(state, deps.model, { from: range.from, to }, range.topic);
      return { student_id: studentId, topic: range.topic ?? null, days: days.map((d) => ({ date: d.date, ...d.result })) };
    },

    async prediction(caller: Caller, studentId: string, scope: Scope = {}): Promise<StudentPrediction> {
      const { state } = await readableRecord(caller, studentId, 'prediction.read', scope.topic);
      const asOf = scope.asOf ?? today();
      return {
        ...predictionAsOf(state, asOf, deps.model, scope.topic)!,
        forecast: forecastAsOf(state, asOf, deps.model, deps.learner.current(), scope.topic)!,
      };
    },

    /**
     * Knowledge per topic (learner-model §2): every topic of the student's, or the one asked for
     * — which may be one the student never answered on: its prior then, never a 404.
     */
    async knowledge(caller: Caller, studentId: string, scope: Scope = {}): Promise<StudentKnowledge> {
      const record = await readableRecord(caller, studentId, 'knowledge.read');
      const learner = learnerOf(record);
      const at = scope.at ?? endOfDayMs(scope.asOf ?? today());
      const topics =
        scope.topic === undefined ? topicNames(record.state).filter((t) => endOfDayMs(record.state.topics.get(t)!.days[0]!) - 86_400_000 < at) : [scope.topic];
      return {
        student_id: studentId,
        as_of: scope.at === undefined ? (scope.asOf ?? today()) : new Date(scope.at).toISOString(),
        model_version: learner.params.version,
        topics: knowledgeAsOf(learner.params, record.state, learner.trace, at, topics),
      };
    },

    async path(caller: Caller, studentId: string, scope: Scope = {}): Promise<LearnerPath & { student_id: string; topic: string | null; as_of: Day }> {
      const record = await readableRecord(caller, studentId, 'path.read', scope.topic);
      const asOf = scope.asOf ?? today();
      return {
        student_id: studentId,
        topic: scope.topic ?? null,
        as_of: asOf,
        ...learnerPathAsOf(record.state, asOf, deps.model, learnerOf(record), scope.topic)!,
      };
    },

    /**
     * Teachers see their class, admins everyone; a page of summaries in student id order, or
     * in the order asked for, of everyone or only those who need help. A filter or an order
     * other than by id must compute every summary the caller may see before it can page: for
     * a class that is the class, for an admin every student the engine holds.
     */
    async list(caller: Caller, page: ListPage): Promise<{ as_of: Day; total: number; students: StudentSummary[] }> {
      const principal = caller.principal;
      try {
        assertCanListStudents(principal);
      } catch (error) {
        await audit(deps, caller, null, 'students.list', 'refused');
        throw error;
      }
      const asOf = page.asOf ?? today();
      const params = deps.learner.current();
      const summaries = async (ids: readonly string[]) => {
        const records = await loadStudents(deps, ids, { writeBack: true });
        return ids.flatMap((id) => {
          const state = records.get(id)?.record.state;
          return state ? [summaryOf(state, asOf, deps.model, params)] : [];
        });
      };
      let students: StudentSummary[];
      let total: number;
      const sort = page.sort ?? 'student_id';
      if (principal.role === 'admin' && page.needsHelp === undefined && sort === 'student_id') {
        const listed = await deps.log.listStudents(page);
        total = listed.total;
        students = await summaries(listed.studentIds);
      } else {
        // A class is small: summarise it whole, then filter, order and page.
        let all: StudentSummary[] = [];
        if (principal.role === 'admin') {
          for (let offset = 0; ; offset += SCAN_CHUNK) {
            const { studentIds } = await deps.log.listStudents({ offset, limit: SCAN_CHUNK });
            all.push(...(await summaries(studentIds)));
            if (studentIds.length < SCAN_CHUNK) break;
          }
        } else {
          all = await summaries([...principal.students].sort());
        }
        if (page.needsHelp !== undefined) all = all.filter((st) => st.needs_help === page.needsHelp);
        all.sort(bySort(sort));
        total = all.length;
        students = all.slice(page.offset, page.offset + page.limit);
      }
      await deps.audit.record([
        classReadEntry(
          deps,
          caller,
          'students.list',
          students.map((st) => st.student_id),
        ),
      ]);
      return { as_of: asOf, total, students };
    },
  };
}

/** Each topic's own score and level as of a day, in name order. */
function topicScores(state: StudentState, asOf: Day, model: EngineDeps['model']): NonNullable<StudentMastery['topics']> {
  return topicNames(state).map((topic) => {
    const r = masteryAsOf(state, asOf, model, topic)!;
    return { topic, mastery_score: r.mastery_score, level: r.level };
  });
}

function summaryOf(state: StudentState, asOf: Day, model: EngineDeps['model'], params: Learner['params']): StudentSummary {
  const result = masteryAsOf(state, asOf, model)!;
  const p = predictionAsOf(state, asOf, model)!;
  const seed = p.prediction === null ? null : p;
  const forecast = forecastAsOf(state, asOf, model, params)!;
  return {
    student_id: state.student_id,
    mastery_score: result.mastery_score,
    level: result.level,
    trend: seed?.trend ?? null,
    prediction: seed?.prediction ?? null,
    intervention_needed: seed?.intervention_needed ?? false,
    forecast: { score_in_7_days: forecast.score_in_7_days, low: forecast.low, high: forecast.high },
    needs_help: forecast.needs_help,
    topics: topicScores(state, asOf, model),
  };
}

export type StudentQueries = ReturnType<typeof createStudentQueries>;

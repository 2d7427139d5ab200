import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../access/caller.js';
import { EngineError, Errors } from '../errors.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { Day } from '../model/days.js';
import { parseAsOf } from '../queries/as-of.js';
import type { ModelConfig } from '../model/model-config.js';
import { masteryResult } from '../model/score.js';
import { COMPONENTS } from '../model/types.js';
import type { StudentQueries, StudentSummary } from '../queries/student-queries.js';
import {
  atRiskInput,
  atRiskOutput,
  calculateInput,
  weight,
  masteryOutput,
  pathOutput,
  predictionOutput,
  knowledgeInput,
  knowledgeOutput,
  recordResponseInput,
  recordResponseOutput,
  studentInput,
  studentMasteryOutput,
} from './tool-schemas.js';
import { toolInput, toolOutput } from './zod-from-typebox.js';

export interface McpServerDeps {
  queries: StudentQueries;
  model: ModelConfig;
  /** The pipeline every entry point writes through: record_response's answers are events like any other. */
  ingest: Ingest;
  /** Who the tools act for: every student read goes through the access rule and the audit as this caller. */
  caller: Caller;
}

/** Errors the model should read and can act on (refused, unknown, bad input); others are ours. */
const TOOL_ERROR_STATUSES = new Set([400, 403, 404, 422]);

/** The default page of the class list we walk, and the default size of the at-risk answer. */
const LIST_PAGE = 1000;
const AT_RISK_DEFAULT = 20;

/** Structured content for the client, a one-line summary and the JSON for models that only read text. */
function answer(summary: string, structured: Record<string, unknown>): CallToolResult {
  return {
    content: [
      { type: 'text', text: summary },
      { type: 'text', text: JSON.stringify(structured) },
    ],
    structuredContent: structured,
  };
}

/** Runs a tool; an EngineError a model can act on becomes a tool error it reads, anything else propagates. */
async function run(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EngineError && TOOL_ERROR_STATUSES.has(error.statusCode)) {
      return { content: [{ type: 'text', text: `${error.code}: ${error.message}`.replace(/\s+/g, ' ') }], isError: true };
    }
    throw error;
  }
}

const asOfDay = (value: string | undefined): Day | undefined => parseAsOf(value).asOf;

const scopeOf = (args: { as_of?: string | undefined; topic?: string | undefined }) => ({
  asOf: asOfDay(args.as_of),
  topic: args.topic,
});

const knowledgeScopeOf = (args: { as_of?: string | undefined; topic?: string | undefined }) => ({ ...parseAsOf(args.as_of), topic: args.topic });

const fmt = (n: number) => n.toFixed(3);

/**
 * The MCP server for AI tutors: tools over the same use cases as the HTTP API (the calculator,
 * the student queries and, for the answers a tutor sees, the ingest pipeline), for one caller. It knows no transport; stdio and
 * streamable HTTP each connect their own.
 */
export function buildMcpServer(deps: McpServerDeps): McpServer {
  const { queries, model, ingest, caller } = deps;
  const server = new McpServer({ name: 'mastery-engine', version: '0.1.0' });
  // The descriptions state the numbers this server computes with, not the defaults.
  const weights = COMPONENTS.map((c) => weight(model.weights[c])).join('/');
  const threshold = String(model.recommendationThreshold);

  server.registerTool(
    'calculate_mastery',
    {
      title: 'Calculate mastery from component values',
      description:
        `The stateless calculator: four component values in [0, 1] (weights ${weights}) give the ` +
        'mastery score, the weighted breakdown, the level (expert ≥ 0.90, proficient ≥ 0.75, competent ≥ 0.60, ' +
        `developing ≥ 0.40, else beginner) and a recommendation for each component below ${threshold}.`,
      inputSchema: toolInput(calculateInput(model)),
      outputSchema: toolOutput(masteryOutput),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (values) =>
      run(async () => {
        const result = masteryResult(values, model);
        return answer(`mastery ${fmt(result.mastery_score)} (${result.level}), ${result.recommendations.length} recommendation(s)`, {
          ...result,
        });
      }),
  );

  server.registerTool(
    'get_student_mastery',
    {
      title: "A student's mastery",
      description:
        "A student's mastery as of a day (default today): score, level, the four components, breakdown and " +
        'recommendations, overall or for one topic; the overall answer lists each topic too. ' +
        'Only students the token may read (a student: themself; a teacher: their class; an admin: all).',
      inputSchema: toolInput(studentInput),
      outputSchema: toolOutput(studentMasteryOutput),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const m = await queries.mastery(caller, args.student_id, scopeOf(args));
        const c = m.components;
        return answer(
          `${m.student_id}${m.topic === null ? '' : ` (${m.topic})`} as of ${m.as_of}: mastery ${fmt(m.mastery_score)} (${m.level}); ` +
            `completion ${fmt(c.completion)}, quiz ${fmt(c.quiz)}, quality ${fmt(c.quality)}, consistency ${fmt(c.consistency)}`,
          { ...m },
        );
      }),
  );

  server.registerTool(
    'predict_mastery',
    {
      title: "A student's 7-day prediction",
      description:
        "The student's mastery expected 7 days after as_of (a least-squares trend over the last up-to-7 days " +
        'with events), the trend, a confidence, and intervention_needed (prediction < 0.5). With fewer than ' +
        "3 days of history: prediction null, confidence 0. Beside it, forecast: the learner model's score in 7 " +
        "days (consistency decaying on inactive days, as likely as the student's own activity rate makes them), " +
        'an 80 % interval, and needs_help (forecast below 0.5, or its high end below 0.6).',
      inputSchema: toolInput(studentInput),
      outputSchema: toolOutput(predictionOutput),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const p = await queries.prediction(caller, args.student_id, scopeOf(args));
        const summary =
          p.prediction === null
            ? `${args.student_id}: not enough history for a prediction (fewer than 3 days with events)`
            : `${args.student_id}: ${fmt(p.current)} now, ${fmt(p.prediction)} predicted in 7 days (${p.trend})` +
              (p.intervention_needed ? '; intervention needed' : '');
        const forecast = `; forecast ${fmt(p.forecast.score_in_7_days)} (${fmt(p.forecast.low)}–${fmt(p.forecast.high)})${p.forecast.needs_help ? ', needs help' : ''}`;
        return answer(summary + forecast, { student_id: args.student_id, topic: args.topic ?? null, ...p });
      }),
  );

  server.registerTool(
    'get_student_knowledge',
    {
      title: "A student's knowledge per topic",
      description:
        'For each topic of the student (or the one asked for, even one never answered): p_known, the probability ' +
        'the topic is known, and p_correct, the probability the next first-attempt answer on it is right, from the ' +
        "student's answers before as_of; how many answers it rests on; the parameter version used.",
      inputSchema: toolInput(knowledgeInput),
      outputSchema: toolOutput(knowledgeOutput),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const k = await queries.knowledge(caller, args.student_id, knowledgeScopeOf(args));
        const topics = k.topics.map((t) => `${t.topic} known ${fmt(t.p_known)}, next right ${fmt(t.p_correct)} (${t.responses} answers)`).join('; ');
        return answer(`${k.student_id} (model ${k.model_version}): ${topics || 'no topics'}`, { ...k });
      }),
  );

  server.registerTool(
    'record_response',
    {
      title: 'Record an answer to an item',
      description:
        "One student's answer to one item (a response.recorded event), through the same validation, consent and " +
        "audit as POST /v1/events: it updates the topic's knowledge, and the day's answers form its quiz input. " +
        'Send the same event_id when retrying. For service and admin tokens.',
      inputSchema: toolInput(recordResponseInput),
      outputSchema: toolOutput(recordResponseOutput),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const { student_id, topic, item_id, correct, attempt, seconds } = args;
        const event = {
          event_id: args.event_id ?? randomUUID(),
          event_type: 'response.recorded',
          timestamp: args.timestamp ?? new Date().toISOString(),
          student_id,
          topic,
          metadata: { source: 'mcp', version: '1.0' },
          data: { item_id, correct, ...(attempt === undefined ? {} : { attempt }), ...(seconds === undefined ? {} : { seconds }) },
        };
        const outcome = (await ingest([event], caller)).results[0]!;
        if (outcome.status === 'rejected') {
          const fields = outcome.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
          throw Errors.invalidEvent(`the answer is refused (${fields})`, outcome.errors);
        }
        return answer(`${student_id} (${topic}): answer to ${item_id} ${outcome.status}`, {
          event_id: event.event_id,
          status: outcome.status,
          student_id,
          topic,
        });
      }),
  );

  server.registerTool(
    'get_learning_path',
    {
      title: "A student's adaptive learning path",
      description:
        `The steps a student should take next: for each weak component (below ${threshold}), weakest first, its three ` +
        'steps; with no weak component, challenge_exercises and advanced_topics. Also the weak components and ' +
        `the weak topics (score below ${threshold}), weakest first.`,
      inputSchema: toolInput(studentInput),
      outputSchema: toolOutput(pathOutput),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const p = await queries.path(caller, args.student_id, scopeOf(args));
        const weak = p.weak_components.map((w) => `${w.component} ${fmt(w.value)}`).join(', ');
        return answer(`${p.student_id}: ${p.path.join(', ')}${weak ? ` (weak: ${weak})` : ''}`, { ...p });
      }),
  );

  server.registerTool(
    'list_students_at_risk',
    {
      title: 'Students who need intervention',
      description:
        'The students this token may see (a teacher: their class; an admin: everyone) whose learner-model ' +
        'forecast says they need help (score in 7 days below 0.5, or its high end below 0.6), lowest forecast ' +
        'first. For teachers and admins.',
      inputSchema: toolInput(atRiskInput),
      outputSchema: toolOutput(atRiskOutput),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const asOf = asOfDay(args.as_of);
        const seen: StudentSummary[] = [];
        let day: Day | undefined = asOf;
        for (let offset = 0; ; offset += LIST_PAGE) {
          const page = await queries.list(caller, { offset, limit: LIST_PAGE, asOf });
          day = page.as_of;
          seen.push(...page.students);
          if (page.students.length === 0 || offset + LIST_PAGE >= page.total) break;
        }
        const atRisk = seen
          .filter((s) => s.needs_help)
          .sort((a, b) => a.forecast.score_in_7_days - b.forecast.score_in_7_days || (a.student_id < b.student_id ? -1 : 1));
        const students = atRisk.slice(0, args.limit ?? AT_RISK_DEFAULT).map((s) => ({
          student_id: s.student_id,
          mastery_score: s.mastery_score,
          level: s.level,
          prediction: s.prediction,
          trend: s.trend,
          forecast: s.forecast,
        }));
        const names = students.map((s) => `${s.student_id} ${fmt(s.forecast.score_in_7_days)}`).join(', ');
        return answer(`${atRisk.length} of ${seen.length} students need help as of ${day}${names ? `: ${names}` : ''}`, {
          as_of: day,
          students_seen: seen.length,
          at_risk: atRisk.length,
          students,
        });
      }),
  );

  return server;
}

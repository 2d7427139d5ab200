import Type from 'typebox';
import { COMPONENTS, LEVELS } from '../model/types.js';

/**
 * The calculator's result and the pieces every other result is built of, declared once: the
 * HTTP routes answer with them (and /docs shows them), the MCP tools list and check them
 * (mcp/tool-schemas.ts), and a spec holds schemas/avro/mastery-updated.avsc to them.
 */

export const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
export const AS_OF_PATTERN = '^\\d{4}-\\d{2}-\\d{2}([Tt].+)?$';

export const DayString = Type.String({ pattern: DAY_PATTERN, description: 'YYYY-MM-DD (UTC)' });

/** A per-student read's as_of: a day (its end), or an RFC 3339 date-time (everything strictly before it). */
export const AsOfString = Type.String({
  pattern: AS_OF_PATTERN,
  description:
    'YYYY-MM-DD (the end of that UTC day) or an RFC 3339 date-time (strictly before it); the seed numbers are per day: a date-time selects its UTC day for them',
});

export const Unit = Type.Number({ minimum: 0, maximum: 1 });
export const Level = Type.Enum([...LEVELS]);
export const ComponentName = Type.Enum([...COMPONENTS]);

/** The four components, each a number in [0, 1]. */
export const components = (description: string) =>
  Type.Object(Object.fromEntries(COMPONENTS.map((k) => [k, Unit])) as Record<(typeof COMPONENTS)[number], typeof Unit>, { description });

export const Recommendation = Type.Object({
  action: Type.String(),
  area: Type.String(),
  priority: Type.Enum(['high', 'medium', 'low']),
  topic: Type.Optional(Type.String()),
});

/** The fields of a mastery result, for the results that carry them beside their own. */
export const MasteryFields = {
  mastery_score: Type.Number({ minimum: 0, maximum: 1, description: '0…1, rounded to 3 decimals' }),
  level: Level,
  components: components('each component value, 0…1'),
  breakdown: components('each component × its weight'),
  recommendations: Type.Array(Recommendation),
};

export const MasteryResult = Type.Object(MasteryFields);
